/** Small helpers over the TypeScript AST: unwrapping, scopes and declarations, comments, spans. */
import type * as TS from 'typescript';
import type { Span } from '../types.js';
import type { TypeScriptApi } from './load.js';

export type FunctionLike = TS.FunctionLikeDeclaration;

/** A step into a destructured value: a property name, an array index, or null (computed, rest). */
export type PathStep = string | number | null;

export type Declaration =
  | { kind: 'variable'; node: TS.VariableDeclaration; path: PathStep[]; isConst: boolean; forOf?: TS.Expression }
  | { kind: 'parameter'; node: TS.ParameterDeclaration; path: PathStep[]; fn: FunctionLike }
  | { kind: 'function'; node: TS.FunctionDeclaration }
  | { kind: 'class'; node: TS.ClassLikeDeclaration }
  /** name: `default`, `*` (namespace), an export name, or `module.exports` (`import x = require()`). */
  | { kind: 'import'; specifier: string; name: string; node: TS.Node }
  | { kind: 'other'; node: TS.Node };

/** What a forEachDescendant visitor asks next: nothing (go on, into the node's children), or to skip them, or to stop. */
export type WalkStep = void | 'skip' | 'stop';

/**
 * Calls `visit` on `root` and on every node below it, each before its children, children in source order, as a
 * recursive `ts.forEachChild` walk would, but without recursion: typescript parses a 5,000-term `a + b + ...` into
 * binary expressions nested 5,000 deep, and a recursive walk of those runs out of stack.
 */
export function forEachDescendant(ts: TypeScriptApi, root: TS.Node, visit: (node: TS.Node) => WalkStep): void {
  const stack: TS.Node[] = [root];
  const push = (child: TS.Node): void => {
    stack.push(child);
  };
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const step = visit(node);
    if (step === 'stop') return;
    if (step === 'skip') continue;
    // The children go on in source order, then are turned round so the first comes off first.
    let low = stack.length;
    ts.forEachChild(node, push);
    for (let high = stack.length - 1; low < high; low++, high--) {
      const first = stack[low];
      stack[low] = stack[high];
      stack[high] = first;
    }
  }
}

export function spanOf(node: TS.Node): Span {
  return { start: node.getStart(), end: node.end };
}

/** The expression below parentheses, `await`, `as`, `satisfies`, `!` and `<T>` assertions. */
export function unwrap(ts: TypeScriptApi, expr: TS.Expression): TS.Expression {
  let current = expr;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) {
      current = current.expression;
    } else return current;
  }
}

export function isFunctionLike(ts: TypeScriptApi, node: TS.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The functions around a node, innermost first. */
export function enclosingFunctions(ts: TypeScriptApi, node: TS.Node): FunctionLike[] {
  const result: FunctionLike[] = [];
  for (let current = node.parent; current; current = current.parent) if (isFunctionLike(ts, current)) result.push(current);
  return result;
}

/** Per node: the node itself if it is a function, else the nearest function above it (null: none). */
const functionAtOrAbove = new WeakMap<TS.Node, FunctionLike | null>();

/**
 * The innermost function around a node (undefined at the top level): enclosingFunctions(...)[0], remembered for
 * every node on the way up, so that asking it of every call in a deeply nested file stays linear.
 */
export function innermostFunction(ts: TypeScriptApi, node: TS.Node): FunctionLike | undefined {
  const walked: TS.Node[] = [];
  let found: FunctionLike | null = null;
  for (let current = node.parent; current; current = current.parent) {
    const known = functionAtOrAbove.get(current);
    if (known !== undefined) {
      found = known;
      break;
    }
    walked.push(current);
    if (isFunctionLike(ts, current)) {
      found = current;
      break;
    }
  }
  for (const visited of walked) functionAtOrAbove.set(visited, found);
  return found ?? undefined;
}

/** The names a binding (a name or a destructuring pattern) introduces, with the path into the value. */
export function bindingNames(ts: TypeScriptApi, name: TS.BindingName, path: PathStep[] = []): { name: string; node: TS.Identifier; path: PathStep[] }[] {
  if (ts.isIdentifier(name)) return [{ name: name.text, node: name, path }];
  const result: { name: string; node: TS.Identifier; path: PathStep[] }[] = [];
  if (ts.isObjectBindingPattern(name)) {
    for (const element of name.elements) {
      let step: PathStep = null;
      const property = element.propertyName ?? (ts.isIdentifier(element.name) ? element.name : undefined);
      if (!element.dotDotDotToken && property && (ts.isIdentifier(property) || ts.isStringLiteral(property))) step = property.text;
      result.push(...bindingNames(ts, element.name, [...path, step]));
    }
  } else {
    name.elements.forEach((element, index) => {
      if (ts.isBindingElement(element)) result.push(...bindingNames(ts, element.name, [...path, element.dotDotDotToken ? null : index]));
    });
  }
  return result;
}

function isConstList(ts: TypeScriptApi, list: TS.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.Const) !== 0;
}

/** The binding of `name` in a declaration's name: a plain identifier (no allocation), or inside a pattern. */
function boundName(ts: TypeScriptApi, binding: TS.BindingName, name: string): { path: PathStep[] } | undefined {
  if (ts.isIdentifier(binding)) return binding.text === name ? { path: [] } : undefined;
  return bindingNames(ts, binding).find((candidate) => candidate.name === name);
}

function inDeclarationList(ts: TypeScriptApi, list: TS.VariableDeclarationList, name: string, forOf?: TS.Expression): Declaration | undefined {
  for (const declaration of list.declarations) {
    const bound = boundName(ts, declaration.name, name);
    if (bound) return { kind: 'variable', node: declaration, path: bound.path, isConst: isConstList(ts, list), forOf };
  }
  return undefined;
}

function inStatements(ts: TypeScriptApi, statements: readonly TS.Statement[], name: string): Declaration | undefined {
  for (const statement of statements) {
    if (ts.isVariableStatement(statement)) {
      const found = inDeclarationList(ts, statement.declarationList, name);
      if (found) return found;
    } else if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) {
      return { kind: 'function', node: statement };
    } else if (ts.isClassDeclaration(statement) && statement.name?.text === name) {
      return { kind: 'class', node: statement };
    } else if ((ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) && ts.isIdentifier(statement.name) && statement.name.text === name) {
      return { kind: 'other', node: statement };
    } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause) {
      const specifier = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (clause.name?.text === name) return { kind: 'import', specifier, name: 'default', node: clause };
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === name) return { kind: 'import', specifier, name: '*', node: bindings };
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.name.text === name) return { kind: 'import', specifier, name: (element.propertyName ?? element.name).text, node: element };
        }
      }
    } else if (ts.isImportEqualsDeclaration(statement) && statement.name.text === name) {
      const reference = statement.moduleReference;
      if (ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression)) {
        return { kind: 'import', specifier: reference.expression.text, name: 'module.exports', node: statement };
      }
      return { kind: 'other', node: statement };
    }
  }
  return undefined;
}

/** Per scope node and name: where a name read just inside it is declared (null: nowhere), as lookup found it. */
const lookups = new WeakMap<TS.Node, Map<string, Declaration | null>>();

/**
 * Where `name`, read at `from`, is declared: the nearest enclosing scope that binds it. The answer depends only
 * on the scopes above `from`, so it is kept for each scope walked through (the file's own top level included,
 * where most lookups end): in a deeply nested file, looking the same name up from many places would otherwise
 * scan every enclosing block again each time.
 */
export function lookup(ts: TypeScriptApi, name: string, from: TS.Node): Declaration | undefined {
  const walked: Map<string, Declaration | null>[] = [];
  let found: Declaration | null = null;
  for (let scope: TS.Node | undefined = from.parent; scope; scope = scope.parent) {
    let known = lookups.get(scope);
    if (!known) lookups.set(scope, (known = new Map()));
    const answer = known.get(name);
    if (answer !== undefined) {
      found = answer;
      break;
    }
    walked.push(known);
    const declared = declaredIn(ts, scope, name);
    if (declared) {
      found = declared;
      break;
    }
  }
  for (const known of walked) known.set(name, found);
  return found ?? undefined;
}

/** The declaration of `name` that `scope` itself makes (its parameters, its statements, its loop variable). */
function declaredIn(ts: TypeScriptApi, scope: TS.Node, name: string): Declaration | undefined {
  if (isFunctionLike(ts, scope)) {
    for (const parameter of scope.parameters) {
      const bound = boundName(ts, parameter.name, name);
      if (bound) return { kind: 'parameter', node: parameter, path: bound.path, fn: scope };
    }
    if ((ts.isFunctionExpression(scope) || ts.isFunctionDeclaration(scope)) && scope.name?.text === name) return { kind: 'other', node: scope };
  }
  if (ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope) || ts.isDefaultClause(scope)) return inStatements(ts, scope.statements, name);
  if ((ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) && scope.initializer && ts.isVariableDeclarationList(scope.initializer)) {
    return inDeclarationList(ts, scope.initializer, name, ts.isForOfStatement(scope) ? scope.expression : undefined);
  }
  if (ts.isCatchClause(scope) && scope.variableDeclaration && boundName(ts, scope.variableDeclaration.name, name)) return { kind: 'other', node: scope };
  if (ts.isClassExpression(scope) && scope.name?.text === name) return { kind: 'class', node: scope };
  return undefined;
}

/** The class a `this` belongs to (arrow functions keep the method's `this`). */
export function enclosingClass(ts: TypeScriptApi, node: TS.Node): TS.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isClassDeclaration(current) || ts.isClassExpression(current)) return current;
    if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current)) return undefined;
  }
  return undefined;
}

/** The text of a property name (`a`, `'a'`, `["a"]`), or undefined when computed. */
export function propertyNameText(ts: TypeScriptApi, name: TS.PropertyName | TS.MemberName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}

/** A property of an object literal by name (the last one wins, as at run time); spreads make it unknown. */
export function objectProperty(ts: TypeScriptApi, object: TS.ObjectLiteralExpression, name: string): { found?: TS.ObjectLiteralElementLike; unknown: boolean } {
  let found: TS.ObjectLiteralElementLike | undefined;
  let unknown = false;
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) {
      unknown = true;
      found = undefined;
    } else if (propertyNameText(ts, property.name) === name) {
      found = property;
      unknown = false;
    }
  }
  return { found, unknown };
}

/** The value of an object literal's property: `a: x` -> x, shorthand `a` -> the identifier. */
export function propertyValue(ts: TypeScriptApi, property: TS.ObjectLiteralElementLike): TS.Expression | undefined {
  if (ts.isPropertyAssignment(property)) return property.initializer;
  if (ts.isShorthandPropertyAssignment(property)) return property.name;
  return undefined;
}

export interface CommentRange {
  start: number;
  end: number;
  text: string;
}

/** Every comment of a file (only read when the text names `noqa` or `cache-coach`). */
export function collectComments(ts: TypeScriptApi, source: TS.SourceFile): CommentRange[] {
  const text = source.text;
  if (!/noqa|cache-coach/i.test(text)) return [];
  const seen = new Map<number, CommentRange>();
  const add = (pos: number, end: number): void => {
    if (!seen.has(pos)) seen.set(pos, { start: pos, end, text: text.slice(pos, end) });
  };
  ts.forEachLeadingCommentRange(text, 0, add);
  forEachDescendant(ts, source, (node) => {
    ts.forEachLeadingCommentRange(text, node.pos, add);
    ts.forEachTrailingCommentRange(text, node.end, add);
  });
  return [...seen.values()].sort((a, b) => a.start - b.start);
}

/** A function's name as its callers write it: `wrapRedis`, a method's `setex`, `const put = (...) =>`. */
export function functionName(ts: TypeScriptApi, fn: FunctionLike): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return propertyNameText(ts, fn.name);
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && (ts.isPropertyAssignment(fn.parent) || ts.isPropertyDeclaration(fn.parent))) return propertyNameText(ts, fn.parent.name);
  return undefined;
}
