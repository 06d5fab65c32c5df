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

/**
 * Edits that make `name` from `moduleName` importable in `module`, or none when it already is. Worked out once per
 * module and name: a fix for every view of a module asks for the same import, and reading the imports takes a while.
 */
export function importEdits(module: PyModule, moduleName: string, name: string): readonly SpanEdit[] {
  let byName = importEditsByModule.get(module);
  if (!byName) importEditsByModule.set(module, (byName = new Map()));
  const wanted = `${moduleName} ${name}`;
  let edits = byName.get(wanted);
  if (!edits) byName.set(wanted, (edits = computeImportEdits(module, moduleName, name)));
  return edits;
}

const importEditsByModule = new WeakMap<PyModule, Map<string, readonly SpanEdit[]>>();

function computeImportEdits(module: PyModule, moduleName: string, name: string): readonly SpanEdit[] {
  if (module.facts.bindings[name] === `${moduleName}.${name}`) return [];
  const eol = module.lines.eol;
  const statement = `from ${moduleName} import ${name}`;
  if (module.facts.lastImportEnd < 0) return [{ span: { start: 0, end: 0 }, newText: `${statement}${eol}` }];
  const imports = importsOf(module);
  if (imports.length === 0) {
    return [{ span: { start: module.facts.lastImportEnd, end: module.facts.lastImportEnd }, newText: `${eol}${statement}` }];
  }
  // `from m import a` already there on one plain line: add the name to it, as isort merges them.
  const same = imports.find((found) => found.kind === 'from' && found.module === moduleName && /^from [\w.]+ import [\w, ]+$/.test(module.text.slice(found.start, found.end)) && !/\bas\b/.test(module.text.slice(found.start, found.end)));
  if (same) {
    const names = module.text.slice(same.start, same.end).replace(/^from [\w.]+ import /, '').split(',').map((part) => part.trim()).filter(Boolean);
    return [{ span: { start: same.start, end: same.end }, newText: `from ${moduleName} import ${[...names, name].sort(isortNameOrder).join(', ')}` }];
  }
  const section = importSection(moduleName);
  const sameSection = imports.filter((found) => found.section === section);
  if (sameSection.length > 0) {
    // isort's default order within a section: `import x` lines first, then `from x import y`, each by module name.
    const later = sameSection.find((found) => found.kind === 'from' && compareModules(found.module, moduleName) > 0);
    if (later) return [{ span: { start: later.start, end: later.start }, newText: `${statement}${eol}` }];
    const last = sameSection[sameSection.length - 1];
    return [{ span: { start: last.end, end: last.end }, newText: `${eol}${statement}` }];
  }
  // A section of its own, between the sections before it and after it, a blank line either side.
  const next = imports.find((found) => SECTION_ORDER.indexOf(found.section) > SECTION_ORDER.indexOf(section));
  if (next) return [{ span: { start: next.start, end: next.start }, newText: `${statement}${eol}${eol}` }];
  const last = imports[imports.length - 1];
  return [{ span: { start: last.end, end: last.end }, newText: `${eol}${eol}${statement}` }];
}

type ImportSection = 'future' | 'stdlib' | 'thirdparty' | 'local';
const SECTION_ORDER: ImportSection[] = ['future', 'stdlib', 'thirdparty', 'local'];

/** The standard library modules a Django project commonly imports (anything else counts as installed or the project's). */
const STDLIB = new Set(
  ('abc argparse array ast asyncio base64 binascii bisect builtins calendar collections concurrent contextlib contextvars copy csv ' +
    'dataclasses datetime decimal difflib email enum errno fnmatch fractions functools gc getpass gettext glob gzip hashlib heapq hmac ' +
    'html http importlib inspect io ipaddress itertools json logging math mimetypes multiprocessing numbers operator os pathlib pickle ' +
    'platform pprint queue random re secrets select shlex shutil signal socket sqlite3 ssl stat statistics string struct subprocess sys ' +
    'tempfile textwrap threading time timeit traceback types typing unicodedata unittest urllib uuid warnings weakref xml zipfile zlib zoneinfo')
    .split(' '),
);

function importSection(moduleName: string): ImportSection {
  if (moduleName.startsWith('.')) return 'local';
  const top = moduleName.split('.')[0];
  if (top === '__future__') return 'future';
  return STDLIB.has(top) ? 'stdlib' : 'thirdparty';
}

/** isort's module order: case-insensitive, a package before its submodules. */
function compareModules(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}

/** isort's default order of imported names: constants, then classes, then the rest, each alphabetically. */
function isortNameOrder(left: string, right: string): number {
  const rank = (name: string): number => (name.length > 1 && name === name.toUpperCase() ? 0 : name[0] === name[0].toUpperCase() && name[0] !== '_' ? 1 : 2);
  return rank(left) - rank(right) || compareModules(left, right);
}

interface TopLevelImport {
  kind: 'import' | 'from';
  module: string;
  section: ImportSection;
  /** Offsets of the whole statement, from its first character to the end of its last line (line break excluded). */
  start: number;
  end: number;
}

/** The module's top-level imports, read once per module (a fix is built for every finding, hundreds in a big module). */
function importsOf(module: PyModule): TopLevelImport[] {
  let imports = importsByModule.get(module);
  if (!imports) importsByModule.set(module, (imports = topLevelImports(module.text, module.facts.lastImportEnd)));
  return imports;
}

const importsByModule = new WeakMap<PyModule, TopLevelImport[]>();

/**
 * The module-level import statements up to `limit`, read line by line: a statement starts at column 0 with
 * `import` or `from`, and goes on while a parenthesis is open or a line ends in a backslash.
 */
function topLevelImports(text: string, limit: number): TopLevelImport[] {
  const found: TopLevelImport[] = [];
  let offset = 0;
  let inString: string | null = null;
  while (offset < limit) {
    const lineEnd = endOfLine(text, offset);
    const line = text.slice(offset, lineEnd);
    if (inString) {
      if (line.includes(inString)) inString = null;
    } else {
      const triple = /^[rRbBuU]{0,2}("""|\'\'\')/.exec(line);
      const head = /^(?:from\s+([\w.]+)\s+import\b|import\s+([\w.]+))/.exec(line);
      if (triple && line.indexOf(triple[1], triple[0].length) < 0) inString = triple[1];
      else if (head) {
        let end = lineEnd;
        let depth = countOpen(line);
        while ((depth > 0 || /\\\s*$/.test(text.slice(offset, end))) && end < text.length) {
          const nextStart = end + (text.startsWith('\r\n', end) ? 2 : 1);
          const nextEnd = endOfLine(text, nextStart);
          depth += countOpen(text.slice(nextStart, nextEnd));
          end = nextEnd;
        }
        const moduleName = head[1] ?? head[2];
        found.push({ kind: head[1] ? 'from' : 'import', module: moduleName, section: importSection(moduleName), start: offset, end });
        offset = end;
      }
    }
    offset = endOfLine(text, offset);
    offset += text.startsWith('\r\n', offset) ? 2 : 1;
  }
  return found;
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}

function countOpen(line: string): number {
  const code = line.replace(/#.*$/, '');
  return (code.match(/\(/g)?.length ?? 0) - (code.match(/\)/g)?.length ?? 0);
}

/** The local name under which `qualified` is imported, if it is. */
export function localNameOf(module: PyModule, qualified: string): string | undefined {
  let byQualified = localNames.get(module.facts.bindings);
  if (!byQualified) {
    byQualified = new Map();
    // The first name bound to a qualified name wins, as a search in binding order would find.
    for (const [local, bound] of Object.entries(module.facts.bindings)) if (!byQualified.has(bound)) byQualified.set(bound, local);
    localNames.set(module.facts.bindings, byQualified);
  }
  return byQualified.get(qualified);
}

/** Qualified name -> local name, per module bindings (a module with 900 functions has 900 bindings, asked per finding). */
const localNames = new WeakMap<Record<string, string>, Map<string, string>>();

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
