/**
 * Data flow inside a function, for the TS/JS rules: where a stored value comes from (a parameter,
 * request state), and whether a Redis store sits in the cache-aside shape (get -> miss -> compute -> set).
 */
import type * as TS from 'typescript';
import { methodName } from './calls.js';
import type { TypeScriptApi } from './load.js';
import type { Client, TsModule, TypeScriptProject } from './project.js';
import { enclosingFunctions, forEachDescendant, innermostFunction, lookup, unwrap, type Declaration, type FunctionLike } from './syntax.js';

/** What a stored value depends on, and what to put into the key instead. */
export interface ValueSource {
  /** For the message: `userId`, `req.query.page`, `this.request.user`. */
  text: string;
  /** For the fix: the expression that tells callers apart (`userId`, `req.user.id`). */
  placeholder: string;
  /** The function's own parameter the value comes from (not request state): its callers may all pass the same. */
  parameter?: { fn: FunctionLike; index: number };
}

const REQUEST_NAMES = new Set(['req', 'request', 'ctx']);

function isAncestor(ancestor: TS.Node, node: TS.Node): boolean {
  for (let current: TS.Node | undefined = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

/** Identifiers read by an expression (not property names, object keys, bindings or types), and `this.request`-like reads. */
function reads(ts: TypeScriptApi, root: TS.Node): { identifiers: TS.Identifier[]; thisRequest?: TS.PropertyAccessExpression } {
  const identifiers: TS.Identifier[] = [];
  let thisRequest: TS.PropertyAccessExpression | undefined;
  forEachDescendant(ts, root, (node) => {
    if (ts.isTypeNode(node)) return 'skip';
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && REQUEST_NAMES.has(node.name.text)) thisRequest ??= node;
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isBindingElement(parent) && (parent.name === node || parent.propertyName === node)) ||
        (ts.isParameter(parent) && parent.name === node) ||
        (ts.isVariableDeclaration(parent) && parent.name === node) ||
        ((ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) ||
        (ts.isJsxAttribute(parent) && parent.name === node);
      if (!isName) identifiers.push(node);
      return 'skip';
    }
  });
  return { identifiers, thisRequest };
}

/** `JSON.stringify(x)`, `String(x)`, `await x`, `(x as T)` -> x. */
function stripWrappers(ts: TypeScriptApi, expr: TS.Expression): TS.Expression {
  let node = unwrap(ts, expr);
  while (ts.isCallExpression(node) && node.arguments.length >= 1) {
    const callee = node.expression;
    const isStringify = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'JSON' && callee.name.text === 'stringify';
    const isString = ts.isIdentifier(callee) && callee.text === 'String';
    if (!isStringify && !isString) break;
    node = unwrap(ts, node.arguments[0]);
  }
  return node;
}

function chainFrom(ts: TypeScriptApi, start: TS.Expression): string[] {
  const parts = [start.getText()];
  let current: TS.Node = start;
  while (ts.isPropertyAccessExpression(current.parent) && current.parent.expression === current) {
    const parent: TS.PropertyAccessExpression = current.parent;
    if (ts.isCallExpression(parent.parent) && parent.parent.expression === parent) break; // a method call: keep the receiver
    parts.push(parent.name.text);
    current = parent;
  }
  return parts;
}

function requestSource(parts: string[]): ValueSource {
  const text = parts.join('.');
  const userIndex = parts.indexOf('user');
  if (userIndex > 0) {
    const user = parts.slice(0, userIndex + 1).join('.');
    return { text: user, placeholder: `${user}.id` };
  }
  return { text, placeholder: text };
}

/**
 * The parameter (of the function holding the store) or request state the stored value flows from,
 * following local variables (also those of the functions around it). A function that stores exactly the parameter it
 * was given (a setter) is not reported: the caller decides what is shared.
 */
export function distinguishingSource(module: TsModule, call: TS.CallExpression, value: TS.Expression): ValueSource | undefined {
  return valueSources(module, call, value, 1)[0];
}

/** Every parameter or request-state source an expression flows from (see distinguishingSource), up to `limit`. */
export function valueSources(module: TsModule, call: TS.CallExpression, value: TS.Expression, limit = 16): ValueSource[] {
  const ts = module.ts;
  const functions = enclosingFunctions(ts, call);
  if (functions.length === 0) return [];
  const outermost = functions[functions.length - 1];
  // Only the parameters of the function holding the store: an outer function's are usually injected
  // dependencies (`createRefresher(client) => async () => ...`), not per-caller data.
  const isOwnParameter = (declaration: Declaration | undefined): declaration is Declaration & { kind: 'parameter' } =>
    declaration?.kind === 'parameter' && declaration.fn === functions[0];
  const direct = stripWrappers(ts, value);
  if (ts.isIdentifier(direct) && isOwnParameter(lookup(ts, direct.text, direct))) return [];
  const sources: ValueSource[] = [];
  const visited = new Set<TS.Node>();
  const pending: TS.Node[] = [value];
  while (pending.length > 0 && sources.length < limit) {
    const expr = pending.pop()!;
    const found = reads(ts, expr);
    if (found.thisRequest) {
      sources.push(requestSource(chainFrom(ts, found.thisRequest)));
      continue;
    }
    for (const identifier of found.identifiers) {
      const declaration = lookup(ts, identifier.text, identifier);
      if (!declaration) continue;
      if (isOwnParameter(declaration)) {
        const parts = chainFrom(ts, identifier);
        if (REQUEST_NAMES.has(identifier.text) && declaration.path.length === 0) {
          sources.push(requestSource(parts));
          continue;
        }
        const parameter = declaration.path.length === 0 ? { fn: declaration.fn, index: declaration.fn.parameters.indexOf(declaration.node) } : undefined;
        sources.push({ text: identifier.text, placeholder: parts.length > 1 ? `${identifier.text}.id` : identifier.text, parameter });
        continue;
      }
      if (declaration.kind !== 'variable' || !isAncestor(outermost, declaration.node) || visited.has(declaration.node)) continue;
      visited.add(declaration.node);
      if (declaration.forOf) pending.push(declaration.forOf);
      if (declaration.node.initializer) pending.push(declaration.node.initializer);
      for (const assigned of module.assignments.get(identifier.text) ?? []) if (isAncestor(outermost, assigned)) pending.push(assigned);
    }
  }
  return sources.slice(0, limit);
}

/**
 * A value that comes from configuration only (`process.env.DOMAIN || 'http://localhost'`, literals, their
 * concatenation): it does not change while the process runs, so there is nothing to invalidate.
 */
export function isConfigurationValue(ts: TypeScriptApi, expr: TS.Expression): boolean {
  const node = unwrap(ts, expr);
  if (isLiteral(ts, node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && /^process\.env\b/.test(node.expression.getText())) return node.expression.getText() === 'process.env';
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator !== ts.SyntaxKind.BarBarToken && operator !== ts.SyntaxKind.QuestionQuestionToken && operator !== ts.SyntaxKind.PlusToken) return false;
    return isConfigurationValue(ts, node.left) && isConfigurationValue(ts, node.right);
  }
  if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => isConfigurationValue(ts, span.expression));
  if (ts.isCallExpression(node) && node.arguments.length === 1) {
    const callee = node.expression.getText();
    if (callee === 'JSON.stringify' || callee === 'String') return isConfigurationValue(ts, node.arguments[0]);
  }
  return false;
}

function isLiteral(ts: TypeScriptApi, expr: TS.Expression): boolean {
  const node = unwrap(ts, expr);
  return (
    ts.isStringLiteralLike(node) ||
    ts.isNumericLiteral(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand))
  );
}

function isNullish(ts: TypeScriptApi, expr: TS.Expression): boolean {
  const node = unwrap(ts, expr);
  return node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined') || ts.isVoidExpression(node);
}

/** Whether an expression's value is tested for a miss where it stands: `if (x)`, `!x`, `x ?? ...`, `x === null`. */
function isMissTest(ts: TypeScriptApi, expr: TS.Node): boolean {
  let node = expr;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if ((ts.isIfStatement(parent) || ts.isWhileStatement(parent)) && parent.expression === node) return true;
  if (ts.isConditionalExpression(parent) && parent.condition === node) return true;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isBinaryExpression(parent)) {
    const operator = parent.operatorToken.kind;
    if (operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.AmpersandAmpersandToken) return true;
    const equality = [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken];
    if (equality.includes(operator)) return isNullish(ts, parent.left === node ? parent.right : parent.left);
  }
  return false;
}

/** Whether the result of a `get` call is tested for a miss in its function. */
function resultIsMissTested(ts: TypeScriptApi, get: TS.CallExpression, fn: FunctionLike): boolean {
  let node: TS.Node = get;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  if (isMissTest(ts, node)) return true;
  const parent = node.parent;
  let name: string | undefined;
  if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) name = parent.name.text;
  else if (ts.isBinaryExpression(parent) && parent.right === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(parent.left)) name = parent.left.text;
  if (!name) return false;
  let tested = false;
  if (fn.body) {
    forEachDescendant(ts, fn.body, (child) => {
      if (!ts.isIdentifier(child) || child.text !== name || !isMissTest(ts, child)) return;
      tested = true;
      return 'stop';
    });
  }
  return tested;
}

/**
 * The cache-aside shape around a Redis store: in the same function, an earlier `get` of the same key on
 * the same client whose result is tested for a miss, and a stored value that is computed (not a literal:
 * `set(key, 'running')` is a state machine, not a cache).
 */
export function isCacheAside(project: TypeScriptProject, module: TsModule, call: TS.CallExpression, client: Client, key: TS.Expression, value: TS.Expression): boolean {
  const ts = module.ts;
  const fn = innermostFunction(ts, call);
  if (!fn || isLiteral(ts, value)) return false;
  const template = project.keyTemplate(module, key);
  // A wrapper function called by name (`setCached(key, value)`) stands for its own receiver.
  const receiverOf = (node: TS.CallExpression): TS.Expression => (ts.isPropertyAccessExpression(node.expression) ? node.expression.expression : node.expression);
  const receiverText = receiverOf(call).getText();
  for (const other of module.calls) {
    if (other === call || !ts.isCallExpression(other) || other.getStart() >= call.getStart() || innermostFunction(ts, other) !== fn) continue;
    const method = methodName(ts, other)?.toLowerCase();
    // A read through a wrapper (`this.redisCacheService.get(key)`) whatever its method's name.
    const wrapped = method === undefined && !ts.isIdentifier(other.expression) ? undefined : project.cacheCall(module, other);
    const wrappedRead = wrapped?.wrapped && wrapped.operation?.kind === 'get' ? wrapped : undefined;
    if (method !== 'get' && method !== 'getbuffer' && !wrappedRead) continue;
    const receiver = receiverOf(other);
    const otherClient = wrappedRead?.client ?? project.clientOf(module, receiver);
    if (otherClient?.id !== client.id && receiver.getText() !== receiverText) continue;
    const otherKey = wrappedRead?.operation?.key ?? other.arguments[0];
    if (!otherKey || (project.keyTemplate(module, otherKey) !== template && otherKey.getText() !== key.getText())) continue;
    if (resultIsMissTested(ts, other, fn)) return true;
  }
  return false;
}
