/**
 * A small, plain-data picture of Python expressions: what the rules need to build key templates,
 * fold constants and follow data flow, without holding on to tree-sitter nodes (trees are freed).
 */
import { field, namedChildren, typeOf, type SyntaxNode } from './syntax.js';

interface Located {
  start: number;
  end: number;
}

export type Expr = Located &
  (
    | { kind: 'string'; value: string; bytes: boolean }
    | { kind: 'fstring'; parts: (string | Expr)[] }
    | { kind: 'number'; value: number }
    | { kind: 'none' }
    | { kind: 'bool'; value: boolean }
    | { kind: 'name'; id: string }
    | { kind: 'attribute'; object: Expr; attribute: string }
    | { kind: 'call'; callee: Expr; args: Expr[]; keywords: Record<string, Expr>; hasStarArgs: boolean }
    | { kind: 'binary'; operator: string; left: Expr; right: Expr }
    | { kind: 'unary'; operator: string; operand: Expr }
    | { kind: 'subscript'; object: Expr; index: Expr }
    | { kind: 'sequence'; items: Expr[] }
    | { kind: 'dict'; entries: { key: Expr | null; value: Expr }[] }
    | { kind: 'lambda'; params: string[]; body: Expr }
    | { kind: 'await'; value: Expr }
    /** `body if test else orelse`: the test only chooses, it does not flow into the value. */
    | { kind: 'conditional'; body: Expr; test: Expr; orelse: Expr }
    | { kind: 'other'; names: string[]; parts: Expr[] }
  );

const MAX_DEPTH = 60;

/**
 * The text the tree being read was parsed from, when known (withParsedText): a node's text is then sliced
 * from offsets already read instead of asking the tree again (node.text reads the end offset through wasm).
 */
let parsedText: string | undefined;

/** Runs `read` with `text` known as the tree's source; `text` must be exactly what the parser was given. */
export function withParsedText<T>(text: string | undefined, read: () => T): T {
  const outer = parsedText;
  parsedText = text;
  try {
    return read();
  } finally {
    parsedText = outer;
  }
}

function textAt(node: SyntaxNode, at: Located): string {
  return parsedText === undefined ? node.text : parsedText.slice(at.start, at.end);
}

/** Expressions are written out field by field, never as `{ ...at, kind }`: see moduleFacts in facts.ts. */
export function toExpr(node: SyntaxNode, depth = 0): Expr {
  const at = { start: node.startIndex, end: node.endIndex };
  if (depth > MAX_DEPTH) return { start: at.start, end: at.end, kind: 'other', names: [], parts: [] };
  const next = depth + 1;
  switch (typeOf(node)) {
    case 'string':
      return stringExpr(node, next);
    case 'concatenated_string':
      return concatenate(at, namedChildren(node).map((part) => stringExpr(part, next)));
    case 'integer':
    case 'float': {
      const value = Number(textAt(node, at).replace(/_/g, ''));
      return Number.isFinite(value) ? { start: at.start, end: at.end, kind: 'number', value } : { start: at.start, end: at.end, kind: 'other', names: [], parts: [] };
    }
    case 'none':
      return { start: at.start, end: at.end, kind: 'none' };
    case 'true':
    case 'false':
      return { start: at.start, end: at.end, kind: 'bool', value: typeOf(node) === 'true' };
    case 'identifier':
      return { start: at.start, end: at.end, kind: 'name', id: textAt(node, at) };
    case 'attribute': {
      const object = field(node, 'object');
      const attribute = field(node, 'attribute');
      if (object && attribute) return { start: at.start, end: at.end, kind: 'attribute', object: toExpr(object, next), attribute: attribute.text };
      break;
    }
    case 'call':
      return callExpr(node, next);
    case 'binary_operator': {
      const left = field(node, 'left');
      const right = field(node, 'right');
      const operator = field(node, 'operator');
      if (left && right && operator) {
        return { start: at.start, end: at.end, kind: 'binary', operator: operator.text, left: toExpr(left, next), right: toExpr(right, next) };
      }
      break;
    }
    case 'unary_operator': {
      const operand = field(node, 'argument');
      const operator = field(node, 'operator');
      if (operand && operator) return { start: at.start, end: at.end, kind: 'unary', operator: operator.text, operand: toExpr(operand, next) };
      break;
    }
    case 'subscript': {
      const object = field(node, 'value');
      const index = field(node, 'subscript');
      if (object && index) return { start: at.start, end: at.end, kind: 'subscript', object: toExpr(object, next), index: toExpr(index, next) };
      break;
    }
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list':
      return { start: at.start, end: at.end, kind: 'sequence', items: namedChildren(node).filter((item) => typeOf(item) !== 'comment').map((item) => toExpr(item, next)) };
    case 'dictionary':
      return {
        start: at.start,
        end: at.end,
        kind: 'dict',
        entries: namedChildren(node).flatMap((entry): { key: Expr | null; value: Expr }[] => {
          if (typeOf(entry) === 'pair') {
            const key = field(entry, 'key');
            const value = field(entry, 'value');
            return key && value ? [{ key: toExpr(key, next), value: toExpr(value, next) }] : [];
          }
          const spread = namedChildren(entry)[0];
          return typeOf(entry) === 'dictionary_splat' && spread ? [{ key: null, value: toExpr(spread, next) }] : [];
        }),
      };
    case 'lambda': {
      const body = field(node, 'body');
      const parameters = field(node, 'parameters');
      if (body) return { start: at.start, end: at.end, kind: 'lambda', params: parameters ? parameterNames(parameters) : [], body: toExpr(body, next) };
      break;
    }
    case 'await': {
      const value = namedChildren(node)[0];
      if (value) return { start: at.start, end: at.end, kind: 'await', value: toExpr(value, next) };
      break;
    }
    case 'conditional_expression': {
      const [body, test, orelse] = namedChildren(node).filter((child) => typeOf(child) !== 'comment');
      if (body && test && orelse) return { start: at.start, end: at.end, kind: 'conditional', body: toExpr(body, next), test: toExpr(test, next), orelse: toExpr(orelse, next) };
      break;
    }
    case 'parenthesized_expression': {
      const inner = namedChildren(node).find((child) => typeOf(child) !== 'comment');
      if (inner) {
        const expr = toExpr(inner, next);
        expr.start = at.start;
        expr.end = at.end;
        return expr;
      }
      break;
    }
  }
  const parts = namedChildren(node)
    .filter((child) => typeOf(child) !== 'comment')
    .map((child) => toExpr(child, next));
  return { start: at.start, end: at.end, kind: 'other', names: [], parts };
}

function callExpr(node: SyntaxNode, depth: number): Expr {
  const at = { start: node.startIndex, end: node.endIndex };
  const callee = field(node, 'function');
  const argumentList = field(node, 'arguments');
  const args: Expr[] = [];
  const keywords: Record<string, Expr> = {};
  let hasStarArgs = false;
  for (const argument of argumentList ? namedChildren(argumentList) : []) {
    if (typeOf(argument) === 'keyword_argument') {
      const name = field(argument, 'name');
      const value = field(argument, 'value');
      if (name && value) keywords[name.text] = toExpr(value, depth);
    } else if (typeOf(argument) === 'list_splat' || typeOf(argument) === 'dictionary_splat') {
      hasStarArgs = true;
    } else if (typeOf(argument) !== 'comment') {
      args.push(toExpr(argument, depth));
    }
  }
  return {
    start: at.start,
    end: at.end,
    kind: 'call',
    callee: callee ? toExpr(callee, depth) : { start: at.start, end: at.end, kind: 'other', names: [], parts: [] },
    args,
    keywords,
    hasStarArgs,
  };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function decodeEscapes(raw: string): string {
  return raw.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|\n|.)/g, (whole, code: string) => {
    if (code.length > 1 && (code[0] === 'x' || code[0] === 'u')) return String.fromCharCode(parseInt(code.slice(1), 16));
    if (code === '\n') return '';
    return SIMPLE_ESCAPES[code] ?? whole;
  });
}

function stringExpr(node: SyntaxNode, depth: number): Expr {
  const at = { start: node.startIndex, end: node.endIndex };
  if (typeOf(node) !== 'string') return toExpr(node, depth);
  const plain = plainStringExpr(at);
  if (plain) return plain;
  const opening = node.child(0);
  const prefix = (opening?.text ?? '').replace(/['"]/g, '').toLowerCase();
  const raw = prefix.includes('r');
  const parts: (string | Expr)[] = [];
  for (const child of namedChildren(node)) {
    if (typeOf(child) === 'string_content') parts.push(raw ? child.text : decodeEscapes(child.text));
    else if (typeOf(child) === 'interpolation') {
      const expression = field(child, 'expression');
      if (expression) parts.push(toExpr(expression, depth));
    }
  }
  if (prefix.includes('f')) return { start: at.start, end: at.end, kind: 'fstring', parts };
  return { start: at.start, end: at.end, kind: 'string', value: parts.filter((part): part is string => typeof part === 'string').join(''), bytes: prefix.includes('b') };
}

/**
 * A string with no interpolation (no `f` prefix), read from the source text alone: the tree is asked nothing
 * (a settings module has thousands of strings, and each child node is a call into wasm). Undefined when the
 * text is not known or does not look like a whole literal; the tree is read then.
 */
function plainStringExpr(at: Located): Expr | undefined {
  if (parsedText === undefined) return undefined;
  const raw = parsedText.slice(at.start, at.end);
  const opening = STRING_OPENING.exec(raw);
  if (!opening) return undefined;
  const prefix = opening[1].toLowerCase();
  const quote = opening[2];
  if (/[^rbu]/.test(prefix) || raw.length < opening[0].length + quote.length || !raw.endsWith(quote)) return undefined;
  const inner = raw.slice(opening[0].length, raw.length - quote.length);
  return { start: at.start, end: at.end, kind: 'string', value: prefix.includes('r') ? inner : decodeEscapes(inner), bytes: prefix.includes('b') };
}

const STRING_OPENING = /^([A-Za-z]*)('''|"""|'|")/;

function concatenate(at: Located, pieces: Expr[]): Expr {
  if (pieces.every((piece) => piece.kind === 'string')) {
    return { start: at.start, end: at.end, kind: 'string', value: pieces.map((piece) => (piece.kind === 'string' ? piece.value : '')).join(''), bytes: false };
  }
  const parts: (string | Expr)[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'string') parts.push(piece.value);
    else if (piece.kind === 'fstring') for (const part of piece.parts) parts.push(part);
    else parts.push(piece);
  }
  return { start: at.start, end: at.end, kind: 'fstring', parts };
}

export function parameterNames(parameters: SyntaxNode): string[] {
  const names: string[] = [];
  for (const parameter of namedChildren(parameters)) {
    if (typeOf(parameter) === 'identifier') names.push(parameter.text);
    else {
      const name = field(parameter, 'name') ?? namedChildren(parameter).find((child) => typeOf(child) === 'identifier');
      if (name) names.push(name.text);
    }
  }
  return names;
}

/** `a.b.c` as a dotted string, or null when the expression is not a plain dotted name. */
export function dottedName(expr: Expr): string | null {
  if (expr.kind === 'name') return expr.id;
  if (expr.kind === 'attribute') {
    const object = dottedName(expr.object);
    return object === null ? null : `${object}.${expr.attribute}`;
  }
  return null;
}

/** Every expression inside `expr`, itself included, depth first. */
export function* walkExpr(expr: Expr): Generator<Expr> {
  // One generator and a stack: a recursive `yield*` made a generator per node, on every keystroke's rule run.
  const stack: Expr[] = [expr];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    yield current;
    const children = childrenOf(current);
    for (let index = children.length - 1; index >= 0; index--) stack.push(children[index]);
  }
}

/** The names an expression reads (roots of attribute chains included, lambda parameters excluded). */
export function namesRead(expr: Expr): Set<string> {
  const names = new Set<string>();
  const visit = (current: Expr, bound: ReadonlySet<string>): void => {
    if (current.kind === 'name') {
      if (!bound.has(current.id)) names.add(current.id);
      return;
    }
    if (current.kind === 'lambda') {
      visit(current.body, new Set([...bound, ...current.params]));
      return;
    }
    for (const child of childrenOf(current)) visit(child, bound);
  };
  visit(expr, new Set());
  return names;
}

/** The direct sub-expressions of an expression. */
export function childrenOf(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'fstring':
      return expr.parts.filter((part): part is Expr => typeof part !== 'string');
    case 'attribute':
      return [expr.object];
    case 'call':
      return [expr.callee, ...expr.args, ...Object.values(expr.keywords)];
    case 'binary':
      return [expr.left, expr.right];
    case 'unary':
      return [expr.operand];
    case 'subscript':
      return [expr.object, expr.index];
    case 'sequence':
      return expr.items;
    case 'dict':
      return expr.entries.flatMap((entry) => (entry.key ? [entry.key, entry.value] : [entry.value]));
    case 'lambda':
      return [expr.body];
    case 'await':
      return [expr.value];
    case 'conditional':
      return [expr.body, expr.test, expr.orelse];
    case 'other':
      return expr.parts;
    default:
      return [];
  }
}

/** The dict entry whose key is the string `key`. */
export function dictEntry(expr: Expr | undefined, key: string): Expr | undefined {
  if (!expr || expr.kind !== 'dict') return undefined;
  for (let i = expr.entries.length - 1; i >= 0; i--) {
    const entry = expr.entries[i];
    if (entry.key?.kind === 'string' && entry.key.value === key) return entry.value;
  }
  return undefined;
}
