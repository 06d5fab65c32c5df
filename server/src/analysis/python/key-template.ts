/** Python key expressions -> key templates (see ../keys.ts). */
import { HOLE, joinTemplate } from '../keys.js';
import type { Expr } from './expr.js';

/** What a key expression's names and helper calls resolve to, in the scope of one call. */
export interface KeyScope {
  /** The value a plain name or dotted constant refers to (a local, module or imported constant). */
  valueOf(expr: Expr): { expr: Expr; scope: KeyScope } | undefined;
  /** A key helper (`def order_key(pk): return f"order:{pk}"`) called by `callee`. */
  helperOf(callee: Expr): { params: string[]; body: Expr; scope: KeyScope } | undefined;
}

export const EMPTY_SCOPE: KeyScope = { valueOf: () => undefined, helperOf: () => undefined };

const MAX_DEPTH = 12;

export function keyTemplate(expr: Expr, scope: KeyScope, depth = 0): string {
  return joinTemplate(pieces(expr, scope, depth));
}

/** The literal value of a constant (string or number) expression, or undefined. */
export function constantValue(expr: Expr, scope: KeyScope, depth = 0): string | number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (expr.kind === 'string') return expr.value;
  if (expr.kind === 'number') return expr.value;
  if (expr.kind === 'unary' && expr.operator === '-') {
    const operand = constantValue(expr.operand, scope, depth + 1);
    return typeof operand === 'number' ? -operand : undefined;
  }
  if (expr.kind === 'binary' && ['+', '*', '-'].includes(expr.operator)) {
    const left = constantValue(expr.left, scope, depth + 1);
    const right = constantValue(expr.right, scope, depth + 1);
    if (typeof left === 'number' && typeof right === 'number') {
      return expr.operator === '+' ? left + right : expr.operator === '*' ? left * right : left - right;
    }
    if (expr.operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
    return undefined;
  }
  if (expr.kind === 'name' || expr.kind === 'attribute') {
    const resolved = scope.valueOf(expr);
    return resolved ? constantValue(resolved.expr, resolved.scope, depth + 1) : undefined;
  }
  return undefined;
}

function pieces(expr: Expr, scope: KeyScope, depth: number): string[] {
  if (depth > MAX_DEPTH) return [HOLE];
  const next = depth + 1;
  switch (expr.kind) {
    case 'string':
      return [escapeHoles(expr.value)];
    case 'number':
      return [String(expr.value)];
    case 'fstring':
      return expr.parts.flatMap((part) => (typeof part === 'string' ? [escapeHoles(part)] : pieces(part, scope, next)));
    case 'binary':
      if (expr.operator === '+') return [...pieces(expr.left, scope, next), ...pieces(expr.right, scope, next)];
      if (expr.operator === '%') return percentFormat(expr.left, expr.right, scope, next);
      return [HOLE];
    case 'name':
    case 'attribute': {
      const resolved = scope.valueOf(expr);
      return resolved ? pieces(resolved.expr, resolved.scope, next) : [HOLE];
    }
    case 'call':
      return callPieces(expr, scope, next);
    default:
      return [HOLE];
  }
}

function callPieces(expr: Expr & { kind: 'call' }, scope: KeyScope, depth: number): string[] {
  const callee = expr.callee;
  if (callee.kind === 'name' && ['str', 'int', 'repr'].includes(callee.id) && expr.args.length === 1) {
    return pieces(expr.args[0], scope, depth);
  }
  if (callee.kind === 'attribute' && callee.attribute === 'format') {
    const format = templateText(callee.object, scope, depth);
    if (format !== undefined) {
      let position = 0;
      return format.split(/(\{[^{}]*\})/).flatMap((piece) => {
        if (!/^\{[^{}]*\}$/.test(piece)) return [piece];
        const field = piece.slice(1, -1).split(/[:!]/)[0];
        const argument = field === '' ? expr.args[position++] : /^\d+$/.test(field) ? expr.args[Number(field)] : expr.keywords[field];
        return argument ? pieces(argument, scope, depth) : [HOLE];
      });
    }
  }
  if (callee.kind === 'attribute' && callee.attribute === 'join' && expr.args.length === 1 && expr.args[0].kind === 'sequence') {
    const separator = templateText(callee.object, scope, depth);
    if (separator !== undefined) {
      return expr.args[0].items.flatMap((item, index) => (index === 0 ? pieces(item, scope, depth) : [separator, ...pieces(item, scope, depth)]));
    }
  }
  const helper = scope.helperOf(callee);
  if (helper) {
    const bound = new Map<string, Expr>();
    helper.params.forEach((param, index) => {
      const argument = expr.args[index] ?? expr.keywords[param];
      if (argument) bound.set(param, argument);
    });
    const helperScope: KeyScope = {
      valueOf: (name) => {
        if (name.kind === 'name' && bound.has(name.id)) return { expr: bound.get(name.id)!, scope };
        if (name.kind === 'name' && helper.params.includes(name.id)) return undefined;
        return helper.scope.valueOf(name);
      },
      helperOf: (inner) => helper.scope.helperOf(inner),
    };
    return pieces(helper.body, helperScope, depth);
  }
  return [HOLE];
}

/** `"order:%s" % pk` and `"%s:%s" % (a, b)`. */
function percentFormat(format: Expr, values: Expr, scope: KeyScope, depth: number): string[] {
  const text = templateText(format, scope, depth);
  if (text === undefined) return [HOLE];
  const items = values.kind === 'sequence' ? values.items : [values];
  let position = 0;
  return text.split(/(%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdirfxXeEgGco%])/).flatMap((piece) => {
    if (!piece.startsWith('%') || piece.length < 2) return [piece];
    if (piece === '%%') return ['%'];
    if (piece.startsWith('%(') && values.kind === 'dict') {
      const name = piece.slice(2, piece.indexOf(')'));
      const entry = values.entries.find((candidate) => candidate.key?.kind === 'string' && candidate.key.value === name);
      return entry ? pieces(entry.value, scope, depth) : [HOLE];
    }
    const item = items[position++];
    return item ? pieces(item, scope, depth) : [HOLE];
  });
}

/** The template of a format string (its own holes kept as literal `{}` for .format()). */
function templateText(expr: Expr, scope: KeyScope, depth: number): string | undefined {
  const value = constantValue(expr, scope, depth);
  return typeof value === 'string' ? value : undefined;
}

/** Literal braces in keys are rare; keep them from reading as holes. */
function escapeHoles(text: string): string {
  return text.replace(/\{\}/g, '{ }');
}
