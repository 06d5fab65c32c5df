/** Pieces several Python rules share: argument positions, decorators, import insertion. */
import type { Expr } from '../analysis/python/expr.js';
import type { CacheCall } from '../analysis/python/facts.js';
import type { PyModule } from '../analysis/python/project.js';
import { syncMethodName } from '../analysis/python/project.js';
import { Q } from '../analysis/python/qualified-names.js';
import type { Span } from '../analysis/types.js';
import type { SpanEdit } from './rule.js';

/** Positional index of the timeout argument, by (sync) method name. */
const TIMEOUT_POSITION: Record<string, number> = { set: 2, add: 2, get_or_set: 2, set_many: 1, touch: 1 };

export function timeoutArgument(call: CacheCall): Expr | undefined {
  const position = TIMEOUT_POSITION[syncMethodName(call.method)];
  if (position === undefined) return undefined;
  return call.keywords.timeout ?? call.args[position];
}

/** The stored value of a store call (`set`'s value, `get_or_set`'s default, `set_many`'s dict). */
export function storedValue(call: CacheCall): Expr | undefined {
  const method = syncMethodName(call.method);
  if (method === 'set' || method === 'add') return call.args[1] ?? call.keywords.value;
  if (method === 'get_or_set') return call.args[1] ?? call.keywords.default;
  if (method === 'set_many') return call.args[0] ?? call.keywords.data;
  return undefined;
}

export function sourceText(module: PyModule, span: Span): string {
  return module.text.slice(span.start, span.end);
}

export function isVaryOnCookie(expr: Expr, qualified: string | null): boolean {
  if (qualified === Q.varyOnCookie) return true;
  if (qualified === Q.varyOnHeaders && expr.kind === 'call') {
    return expr.args.some((arg) => arg.kind === 'string' && arg.value.toLowerCase() === 'cookie');
  }
  return false;
}

/** A decorator below `cache_page` that keeps one user's page from another: Vary: Cookie, private, or never cached. */
export function protectsPerUser(expr: Expr, qualified: string | null): boolean {
  if (isVaryOnCookie(expr, qualified) || qualified === Q.neverCache) return true;
  if (qualified === Q.cacheControl && expr.kind === 'call') {
    const privateFlag = expr.keywords.private;
    return privateFlag?.kind === 'bool' && privateFlag.value;
  }
  return false;
}

/** Edits that make `name` from `moduleName` importable in `module`, or none when it already is. */
export function importEdits(module: PyModule, moduleName: string, name: string): SpanEdit[] {
  if (module.facts.bindings[name] === `${moduleName}.${name}`) return [];
  const eol = module.lines.eol;
  const statement = `from ${moduleName} import ${name}`;
  if (module.facts.lastImportEnd >= 0) {
    return [{ span: { start: module.facts.lastImportEnd, end: module.facts.lastImportEnd }, newText: `${eol}${statement}` }];
  }
  return [{ span: { start: 0, end: 0 }, newText: `${statement}${eol}` }];
}

/** The local name under which `qualified` is imported, if it is. */
export function localNameOf(module: PyModule, qualified: string): string | undefined {
  return Object.entries(module.facts.bindings).find(([, bound]) => bound === qualified)?.[0];
}

/** Offsets of the whole lines a span covers, line break included. */
export function wholeLines(module: PyModule, span: Span): Span {
  const first = module.lines.positionAt(span.start).line;
  const last = module.lines.positionAt(span.end).line;
  const end = last + 1 < module.lines.lineCount ? module.lines.lineStart(last + 1) : module.text.length;
  return { start: module.lines.lineStart(first), end };
}

export function indentationAt(module: PyModule, offset: number): string {
  const line = module.lines.positionAt(offset).line;
  return /^[ \t]*/.exec(module.lines.lineText(line))?.[0] ?? '';
}
