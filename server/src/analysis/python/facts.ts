/**
 * Python module facts: everything the rules need from one file, as plain data, extracted with a text
 * pre-filter plus node lookups (never a JS walk over every node), so the tree can be freed at once.
 */
import type { Tree, TreeCursor } from 'web-tree-sitter';
import { parseSuppression, type SuppressionComment } from '../suppression.js';
import type { Span } from '../types.js';
import { dottedName, parameterNames, toExpr, withParsedText, type Expr } from './expr.js';
import { enclosing, field, isAsyncFunction, namedChildren, unwrapDecorated, typeOf, type SyntaxNode } from './syntax.js';
import { Q } from './qualified-names.js';

/** How a module-level statement is guarded: settings under `if DEBUG:` are development settings. */
export type Guard = 'none' | 'debug' | 'not-debug' | 'conditional';

export interface ModuleAssignment {
  name: string;
  value: Expr;
  guard: Guard;
  span: Span;
}

/** A module-level setting assigned or changed inside an `if`: which condition, which branch. */
export interface SettingCondition {
  name: string;
  /** The condition's source text, white space collapsed. */
  condition: string;
  conditionSpan: Span;
  branch: 'then' | 'else';
  /** `NAME = ...` (true) or `NAME[...] = ...` / `NAME.x = ...` (false). */
  assigned: boolean;
  /** The assignment statement. */
  span: Span;
}

export interface Decorator {
  expr: Expr;
  /** The qualified name of the decorator's callee (`@cache_page(60)` -> django.views.decorators.cache.cache_page). */
  qualified: string | null;
  span: Span;
  /** Span of the whole decorator line(s), from `@` to the end of the expression. */
  atSpan: Span;
}

export type UserStateKind = 'user' | 'session' | 'COOKIES';

/**
 * What a read of the request's user state can do to the response: `body` (it can change the 200
 * body), `check` (it only decides a refusal: raise, redirect, 403/404, or is logged), `unsafe-method`
 * (inside `if request.method == "POST":`, which a cached GET never reaches).
 */
export type UserStateRole = 'body' | 'check' | 'unsafe-method';

export interface UserStateRead {
  kind: UserStateKind;
  role: UserStateRole;
  span: Span;
}

export interface FunctionFacts {
  name: string;
  /** `name` or `Class.name`. */
  qualname: string;
  className: string | null;
  params: string[];
  isAsync: boolean;
  decorators: Decorator[];
  nameSpan: Span;
  /** From the first decorator (or `def`) to the end of the body. */
  span: Span;
  /** The expression of a body that is a single `return <expr>` (key helper functions). */
  returnExpr: Expr | null;
  /** Reads of `request.user` / `request.session` / `request.COOKIES` / `self.request.…` in the body. */
  userStateReads: UserStateRead[];
  /** The view calls `patch_vary_headers(response, [... "Cookie" ...])`. */
  patchesVaryCookie: boolean;
  /** Assignments in the body, for data flow (only for functions that store into the cache). */
  assignments: LocalAssignment[];
}

/**
 * One binding of local names in a function body (`x = ...`, `x += ...`, `for x in ...`, `(x := ...)`, a
 * nested `def x`), with where it sits, so that data flow can tell which bindings reach a use.
 */
export interface LocalAssignment {
  targets: string[];
  value: Expr;
  /** Start of the binding statement. */
  start: number;
  /** The block that holds the statement: a plain assignment dominates every later use inside it. */
  block: Span;
  /** The innermost loop around the statement, inside the function: it may reach uses above it. */
  loop: Span | null;
  /** `x = ...` replaces the earlier value; `x += ...`, `for`, nested bindings add to it. */
  replaces: boolean;
}

export interface ClassFacts {
  name: string;
  decorators: Decorator[];
  nameSpan: Span;
  /** The base class expressions (`ListView`, `mixins.CachedMixin`). */
  bases: Expr[];
  /** The class-body assignments the rules read (`model = Book`, `template_name = "..."`): VIEW_ATTRIBUTES. */
  attributes: Partial<Record<ViewAttribute, Expr>>;
}

/**
 * The class attributes of a view the rules read. Only these are converted: a models module has hundreds of
 * field definitions (`title = models.CharField(...)`) that no rule asks about. Add a name here to read another.
 */
export const VIEW_ATTRIBUTES = ['template_name', 'model', 'context_object_name', 'renderer_classes', 'authentication_classes'] as const;
export type ViewAttribute = (typeof VIEW_ATTRIBUTES)[number];
const VIEW_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(VIEW_ATTRIBUTES);

/** A template a function renders: `render(request, "x.html")`, `TemplateResponse(...)`, `render_to_string(...)`. */
export interface TemplateRender {
  name: Expr;
  functionIndex: number;
  span: Span;
}

export type CacheMethod = string;

export interface CacheCall {
  method: CacheMethod;
  /** The cache alias (`default` for `cache`, `x` for `caches["x"]`), null when it is not a literal. */
  alias: string | null;
  args: Expr[];
  keywords: Record<string, Expr>;
  hasStarArgs: boolean;
  span: Span;
  methodSpan: Span;
  /** Index into `functions` of the innermost enclosing function, or -1 at module level. */
  functionIndex: number;
}

/** `cache_page(60)(view)`, usually in urls.py, or `hourly(view)` where `hourly = cache_page(3600)`. */
export interface WrappedViewCall {
  /** The `cache_page(...)` call, or the name bound to its result. */
  cachePage: Expr;
  /** The span of the `cache_page(...)` call (or of the name bound to it). */
  cachePageSpan: Span;
  view: Expr;
  span: Span;
}

/** A call to any function, kept when its callee may be a project function of interest (delete helpers, key helpers). */
export interface PlainCall {
  callee: string;
  args: Expr[];
  span: Span;
  functionIndex: number;
}


export interface PyModuleFacts {
  /** local name -> qualified name, from imports, and local definitions that shadow them (qualified `<local>.name`). */
  bindings: Record<string, string>;
  starImports: { module: string; span: Span }[];
  assignments: ModuleAssignment[];
  /** Module-level names assigned through a subscript or attribute (`CACHES["default"] = ...`). */
  mutatedNames: string[];
  /** Module-level `NAME += value` (settings that extend a star-imported list: `MIDDLEWARE += (...)`). */
  extensions: ModuleAssignment[];
  /** Settings (upper-case names) assigned or changed under an `if`, with the innermost condition. */
  settingConditions: SettingCondition[];
  functions: FunctionFacts[];
  classes: ClassFacts[];
  cacheCalls: CacheCall[];
  /**
   * Deletes and stores through a project's own cache object (`per_request_cache.set(...)`,
   * `self.cache.delete(...)`): never judged themselves, but they refresh or invalidate keys.
   */
  otherCacheWrites: { method: string; args: Expr[]; keywords: Record<string, Expr>; functionIndex: number }[];
  wrappedViews: WrappedViewCall[];
  /** `make_template_fragment_key("name", [...])` calls. */
  fragmentKeyCalls: { name: Expr | null; span: Span; functionIndex: number }[];
  templateRenders: TemplateRender[];
  calls: PlainCall[];
  suppressions: SuppressionComment[];
  skipFile: boolean;
  hasSyntaxErrors: boolean;
  /** Offset just past the last module-level import statement (-1: none), where fixes add imports. */
  lastImportEnd: number;
}

export const CACHE_METHODS = new Set([
  'get', 'set', 'add', 'delete', 'get_or_set', 'get_many', 'set_many', 'delete_many', 'touch', 'incr', 'decr',
  'has_key', 'clear', 'incr_version', 'decr_version', 'close',
  'aget', 'aset', 'aadd', 'adelete', 'aget_or_set', 'aget_many', 'aset_many', 'adelete_many', 'atouch', 'aincr',
  'adecr', 'ahas_key', 'aclear', 'aincr_version', 'adecr_version', 'aclose',
]);

const OTHER_CACHE_WRITE_METHODS = new Set(['set', 'set_many', 'delete', 'delete_many']);
const METHOD_CALL_PATTERN = /\.[ \t]*([a-z_]+)[ \t]*\(/g;
const USER_STATE_PATTERN = /\brequest[ \t]*\.[ \t]*(user|session|COOKIES)\b/g;
const SKIP_FILE_PATTERN = /#\s*cache-coach:\s*skip-file\b/;

/** Whether `text` may read the request's user state (`request.user`, `request.session`, `request.COOKIES`). */
export function mayReadUserState(text: string): boolean {
  USER_STATE_PATTERN.lastIndex = 0;
  const found = USER_STATE_PATTERN.test(text);
  USER_STATE_PATTERN.lastIndex = 0;
  return found;
}

/** Whether `text` may call a name `bindings` binds that the facts keep calls of (project functions, Django's helpers). */
export function mayCallBoundNames(bindings: Record<string, string>, text: string): boolean {
  const pattern = patternsFor(bindings, JSON.stringify(bindings)).calls;
  if (!pattern) return false;
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
}

/** Whether the text asks Cache Coach to skip the file (`# cache-coach: skip-file`). */
export function isSkippedFile(text: string): boolean {
  // The word first: the pattern tries every comment, and a language server asks on every keystroke.
  return text.includes('skip-file') && SKIP_FILE_PATTERN.test(text);
}

/** The facts of one top-level statement; reused while its text (and the module's bindings) stay the same. */
export interface StatementFacts {
  /** Where the statement was, and how many functions came before it, when `facts` was last placed. */
  start: number;
  end: number;
  functionOffset: number;
  /** What an import or a definition binds (it depends on the statement's text only); undefined for other statements. */
  bound: [string, string][] | undefined;
  facts: FragmentFacts;
  /** The objects of `facts` that hold offsets or a function index, listed on the first move. */
  movable?: Movable;
  /** The fields of `facts` that hold anything (most hold nothing), listed on the first append. */
  filled?: FragmentField[];
}

type FragmentFacts = Omit<PyModuleFacts, 'bindings' | 'suppressions' | 'skipFile' | 'hasSyntaxErrors' | 'lastImportEnd'>;

/**
 * A module's top-level statement facts from its last extraction, so that an edit re-extracts only the
 * statements it touched. Statement facts stay valid while the module's bindings stay the same.
 */
export interface FactsMemo {
  /** The module's bindings then: kept while they stay the same, so what is memoised by them (localNameOf) holds. */
  bindingsObject: Record<string, string>;
  /** The regexes those bindings make. */
  patterns: BindingPatterns;
  statements: StatementFacts[];
  /** The edits made to the text since, in order (an editor's changes; noteChange adds them). */
  edits: TextEdit[];
  /**
   * Where the top-level statements may differ from the memo's (in the text as it is now): the edits' new text and
   * what each reparse reported changed. Outside it they are the memo's statements, moved by the edits. Undefined
   * while nothing changed, or when the caller did not say what the reparse changed.
   */
  changed?: Span;
}

/**
 * Records one change of the text in the memo: the edits, in order, and the ranges the incremental reparse reported
 * changed (tree-sitter's getChangedRanges, in the new text).
 */
export function noteChange(memo: FactsMemo, edits: readonly TextEdit[], changedRanges: readonly Span[]): void {
  let hull = memo.changed;
  for (const edit of edits) {
    memo.edits.push(edit);
    const delta = edit.newEnd - edit.oldEnd;
    // Offsets before the edit stay, those after it move, those inside it end up in its new text.
    const start = hull === undefined ? edit.start : hull.start < edit.start ? hull.start : hull.start >= edit.oldEnd ? hull.start + delta : edit.start;
    const end = hull === undefined ? edit.newEnd : hull.end <= edit.start ? hull.end : hull.end >= edit.oldEnd ? hull.end + delta : edit.newEnd;
    hull = { start: Math.min(start, edit.start), end: Math.max(end, edit.newEnd) };
  }
  for (const range of changedRanges) hull = hull === undefined ? { start: range.start, end: range.end } : { start: Math.min(hull.start, range.start), end: Math.max(hull.end, range.end) };
  memo.changed = hull;
}

/** One edit of the text: offsets in the text as it was just before this edit. */
export interface TextEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * The module's facts, and a memo of them for the next extraction. With `memo` (the last extraction of this
 * module, its edits since added) the statements no edit touched are reused.
 */
export function extractModuleFacts(tree: Tree, text: string, memo?: FactsMemo): { facts: PyModuleFacts; memo: FactsMemo } {
  // The parser reads a lone \r as \n (parser.ts): only a text without \r is the tree's own source.
  return withParsedText(text.includes('\r') ? undefined : text, () => extractFacts(tree, text, memo));
}

function extractFacts(tree: Tree, text: string, memo: FactsMemo | undefined): { facts: PyModuleFacts; memo: FactsMemo } {
  const root = tree.rootNode;
  const near = memo && statementsNearChanges(root, memo);
  const extracted = near && extractFromSlots(root, text, near, memo);
  return extracted ?? extractFromSlots(root, text, everyStatement(root, memo), memo)!;
}

/** A top-level statement: where it is now, the memo's facts of it if it is unchanged, and its node (read on demand). */
interface Slot {
  start: number;
  end: number;
  previous: StatementFacts | undefined;
  node: SyntaxNode | undefined;
}

/**
 * The facts from the module's statements; undefined when `slots` (statementsNearChanges) leave statements without
 * a node and the bindings changed, so that every statement must be read again.
 */
function extractFromSlots(root: SyntaxNode, text: string, slots: Slot[], memo: FactsMemo | undefined): { facts: PyModuleFacts; memo: FactsMemo } | undefined {
  const bound = slots.map(ownBindings);
  // A keystroke leaves the statements that bind names as they were, or reads one again that binds the same: the
  // memo's bindings hold without building them (a module binds every function it defines: 600 names on the bench's).
  let reusable = memo !== undefined && sameBindingSources(memo, slots, bound);
  let bindings = reusable ? memo!.bindingsObject : {};
  if (!reusable) {
    if (slots.some((slot, index) => bound[index] === undefined && slot.node === undefined)) return undefined;
    collectModuleBindings(slots, bound, bindings);
    reusable = memo !== undefined && sameBindings(memo.bindingsObject, bindings);
    if (reusable) bindings = memo!.bindingsObject;
    else if (slots.some((slot) => slot.node === undefined)) return undefined;
  }
  const facts = moduleFacts(bindings, isSkippedFile(text), root.hasError, lastImportEndOf(slots, bound));
  const patterns = reusable ? memo!.patterns : patternsFor(bindings, JSON.stringify(bindings));
  const placed: StatementFacts[] = [];
  for (let index = 0; index < slots.length; index++) {
    const { start, end, previous, node } = slots[index];
    const old = reusable ? previous : undefined;
    const functionOffset = facts.functions.length;
    let fragment: StatementFacts;
    if (old) {
      moveFragment(old, start, functionOffset);
      old.end = end;
      fragment = old;
    } else {
      fragment = { start, end, functionOffset, bound: bound[index], facts: extractStatement(node!, text, facts.bindings, patterns, functionOffset), movable: undefined, filled: undefined };
    }
    placed.push(fragment);
    appendFragment(facts, fragment);
  }
  if (/noqa/i.test(text)) findSuppressions(root, text, facts);
  return { facts, memo: { bindingsObject: facts.bindings, patterns, statements: placed, edits: [] } };
}

/**
 * Whether the statements bind what the memo's did: each is the memo's statement at that place in the order, or
 * binds by itself the same names as the one it replaced (a definition edited inside its body).
 */
function sameBindingSources(memo: FactsMemo, slots: Slot[], bound: ([string, string][] | undefined)[]): boolean {
  if (slots.length !== memo.statements.length) return false;
  for (let index = 0; index < slots.length; index++) {
    const old = memo.statements[index];
    if (slots[index].previous === old) continue;
    const before = old.bound;
    const now = bound[index];
    if (!before || !now || before.length !== now.length) return false;
    for (let entry = 0; entry < now.length; entry++) if (now[entry][0] !== before[entry][0] || now[entry][1] !== before[entry][1]) return false;
  }
  return true;
}

function sameBindings(before: Record<string, string>, now: Record<string, string>): boolean {
  let count = 0;
  for (const name in now) {
    if (!Object.hasOwn(before, name) || before[name] !== now[name]) return false;
    count++;
  }
  return count === Object.keys(before).length;
}

/** Every top-level statement from the tree, each with the memo's facts when it has the same extent and no edit touched it. */
function everyStatement(root: SyntaxNode, memo: FactsMemo | undefined): Slot[] {
  const slots: Slot[] = [];
  for (const node of namedChildren(root)) slots.push({ start: node.startIndex, end: node.endIndex, previous: undefined, node });
  if (!memo) return slots;
  const { movedStart, movedEnd } = movedStatements(memo);
  let next = 0;
  for (const slot of slots) {
    while (next < movedStart.length && movedStart[next] < slot.start) next++;
    if (next < movedStart.length && movedStart[next] === slot.start && movedEnd[next] === slot.end) slot.previous = memo.statements[next];
  }
  return slots;
}

/**
 * The top-level statements without asking the tree for those outside `memo.changed`: they are the memo's, moved by
 * the edits (an editor's keystroke touches one statement of hundreds, and a node object per statement was most of
 * a keystroke's extraction). Those inside are read from the tree. Undefined when there is no such range, or when
 * the tree's statements do not meet the memo's where the range ends: the caller then reads every statement.
 */
function statementsNearChanges(root: SyntaxNode, memo: FactsMemo): Slot[] | undefined {
  const changed = memo.changed;
  if (!changed) return undefined;
  const { movedStart, movedEnd } = movedStatements(memo);
  const count = movedStart.length;
  // Untouched statements that end before the range, and those that start after it (an untouched one has a start >= 0).
  let before = 0;
  while (before < count && movedStart[before] >= 0 && movedEnd[before] < changed.start) before++;
  let after = count;
  while (after > before && movedStart[after - 1] > changed.end) after--;
  const low = before > 0 ? movedEnd[before - 1] : 0;
  const high = after < count ? movedStart[after] : Number.POSITIVE_INFINITY;
  const slots: Slot[] = [];
  const memoSlot = (index: number): Slot => ({ start: movedStart[index], end: movedEnd[index], previous: memo.statements[index], node: undefined });
  for (let index = 0; index < before; index++) slots.push(memoSlot(index));
  // A cursor, not nextNamedSibling: tree-sitter finds a node's next sibling by walking its parent's children from
  // the first, so a module of thousands of statements (broken text) took seconds.
  const cursor = root.walk();
  try {
    let node = cursor.gotoFirstChildForIndex(low) ? namedAtOrAfter(cursor) : null;
    let candidate = before;
    for (; node && node.startIndex < high; node = cursor.gotoNextSibling() ? namedAtOrAfter(cursor) : null) {
      const start = node.startIndex;
      const end = node.endIndex;
      if (start < low || end > high) return undefined;
      while (candidate < after && movedStart[candidate] < start) candidate++;
      const same = candidate < after && movedStart[candidate] === start && movedEnd[candidate] === end;
      slots.push({ start, end, previous: same ? memo.statements[candidate] : undefined, node });
    }
    // The first statement after the range must be the memo's, where the memo says it now is.
    if (after < count ? !node || node.startIndex !== high || node.endIndex !== movedEnd[after] : node) return undefined;
  } finally {
    cursor.delete();
  }
  for (let index = after; index < count; index++) slots.push(memoSlot(index));
  return slots;
}

/** The cursor's node if it is named, else the next named sibling's (the cursor moves to it); null when there is none. */
function namedAtOrAfter(cursor: TreeCursor): SyntaxNode | null {
  do {
    if (cursor.nodeIsNamed) return cursor.currentNode;
  } while (cursor.gotoNextSibling());
  return null;
}

/**
 * Where each memo statement is now (-1: an edit touched it, so it never matches), in parallel arrays: this runs on
 * every keystroke.
 */
function movedStatements(memo: FactsMemo): { movedStart: Float64Array; movedEnd: Float64Array } {
  const count = memo.statements.length;
  const movedStart = new Float64Array(count);
  const movedEnd = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    let start = memo.statements[index].start;
    let end = memo.statements[index].end;
    for (const edit of memo.edits) {
      if (end <= edit.start) continue;
      if (start < edit.oldEnd) {
        start = -1;
        break;
      }
      start += edit.newEnd - edit.oldEnd;
      end += edit.newEnd - edit.oldEnd;
    }
    movedStart[index] = start;
    movedEnd[index] = end;
  }
  return { movedStart, movedEnd };
}

/**
 * Empty module facts. Written out field by field: V8 gives an object built with spread syntax (`{ ...a, b }`) a
 * shape that every later read and write of it takes a slow path for (measured: ten times slower), and facts
 * are read by every rule.
 */
function moduleFacts(bindings: Record<string, string>, skipFile: boolean, hasSyntaxErrors: boolean, lastImportEnd: number): PyModuleFacts {
  return {
    bindings,
    starImports: [],
    assignments: [],
    mutatedNames: [],
    extensions: [],
    settingConditions: [],
    functions: [],
    classes: [],
    cacheCalls: [],
    otherCacheWrites: [],
    wrappedViews: [],
    fragmentKeyCalls: [],
    templateRenders: [],
    calls: [],
    suppressions: [],
    skipFile,
    hasSyntaxErrors,
    lastImportEnd,
  };
}

/** A statement's facts, placed as if the module's functions before it were `functionOffset` many. */
function extractStatement(statement: SyntaxNode, text: string, bindings: Record<string, string>, patterns: BindingPatterns, functionOffset: number): FragmentFacts {
  const facts = moduleFacts(bindings, false, false, -1);
  const functionIndexByStart = new FunctionIndex();
  readStatement(statement, facts, functionIndexByStart, 'none');
  findCacheCalls(statement, text, facts, patterns.cacheMention, functionIndexByStart);
  findQualifiedCalls(statement, text, facts, patterns.calls, functionIndexByStart);
  findUserStateReads(statement, text, facts, functionIndexByStart);
  collectDataFlow(statement, text, facts, functionIndexByStart);
  if (functionOffset !== 0) shiftFunctionIndices(facts, functionOffset);
  // The module-wide fields stay on it unread: copying the others out would build a slow object (moduleFacts).
  return facts;
}

/** The fields of module facts that statements add to, in order. */
const FRAGMENT_FIELDS = ['starImports', 'assignments', 'mutatedNames', 'extensions', 'settingConditions', 'functions', 'classes', 'cacheCalls', 'otherCacheWrites', 'wrappedViews', 'fragmentKeyCalls', 'templateRenders', 'calls'] as const satisfies readonly (keyof FragmentFacts)[];
/** Fails to compile when FragmentFacts gains a field FRAGMENT_FIELDS does not list. */
const everyFragmentField: Exclude<keyof FragmentFacts, (typeof FRAGMENT_FIELDS)[number]> extends never ? true : never = true;
void everyFragmentField;

type FragmentField = (typeof FRAGMENT_FIELDS)[number];

/** Adds a statement's facts to the module's; every keystroke does this for every statement. */
function appendFragment(facts: PyModuleFacts, fragment: StatementFacts): void {
  fragment.filled ??= FRAGMENT_FIELDS.filter((field) => fragment.facts[field].length > 0);
  for (const field of fragment.filled) {
    for (const item of fragment.facts[field] as unknown[]) (facts[field] as unknown[]).push(item);
  }
}

/**
 * Moves a reused statement's facts to where the statement is now. Shifting in place (the previous module
 * facts that shared these objects are being replaced) keeps a keystroke from copying the whole module.
 */
function moveFragment(fragment: StatementFacts, start: number, functionOffset: number): void {
  const delta = start - fragment.start;
  const functionDelta = functionOffset - fragment.functionOffset;
  if (delta === 0 && functionDelta === 0) return;
  fragment.movable ??= movableParts(fragment.facts);
  if (delta !== 0) {
    for (const span of fragment.movable.spans) {
      if (typeof span.start === 'number') span.start += delta;
      if (typeof span.end === 'number') span.end += delta;
    }
  }
  if (functionDelta !== 0) for (const item of fragment.movable.inFunctions) item.functionIndex += functionDelta;
  fragment.start = start;
  fragment.functionOffset = functionOffset;
}

/** The objects of a statement's facts to update when it moves: those with a `start` or `end`, those in a function. */
interface Movable {
  spans: { start?: number; end?: number }[];
  inFunctions: { functionIndex: number }[];
}

function movableParts(facts: FragmentFacts): Movable {
  const movable: Movable = { spans: [], inFunctions: [] };
  eachFactObject(fragmentValues(facts), (record) => {
    if (typeof record.start === 'number' || typeof record.end === 'number') movable.spans.push(record);
    if (typeof record.functionIndex === 'number' && record.functionIndex >= 0) movable.inFunctions.push(record as { functionIndex: number });
  });
  return movable;
}

/** The lists a statement adds to the module's facts (FRAGMENT_FIELDS). */
export function fragmentValues(facts: FragmentFacts): unknown[] {
  return FRAGMENT_FIELDS.map((field) => facts[field]);
}

/** Calls `visit` once for every object (not array) reachable from `roots`: how offsets in facts are found to move them. */
export function eachFactObject(roots: readonly unknown[], visit: (record: Record<string, unknown>) => void): void {
  const seen = new Set<object>();
  // A stack, not recursion, and only objects pushed: facts hold tens of thousands of expression nodes per module.
  const pending: object[] = [];
  for (const root of roots) if (typeof root === 'object' && root !== null) pending.push(root);
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    const record = value as Record<string, unknown>;
    visit(record);
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'object' && item !== null) pending.push(item);
    }
  }
}

/** Moves the `functionIndex` of a statement's calls (only top-level items carry one; expressions never do). */
function shiftFunctionIndices(fragment: FragmentFacts, functionDelta: number): void {
  for (const items of [fragment.cacheCalls, fragment.otherCacheWrites, fragment.calls, fragment.fragmentKeyCalls, fragment.templateRenders] as { functionIndex: number }[][]) {
    for (const item of items) if (item.functionIndex >= 0) item.functionIndex += functionDelta;
  }
}

/**
 * Local names bound at module level (imports, definitions, cache objects), read before any statement's facts.
 * What an import or a definition binds depends only on its own text: a statement the memo had already is
 * asked nothing (`previous`). Returns what each such statement binds, for the next memo.
 */
/**
 * What a statement binds by itself (an import, a definition): the memo's for a statement kept from it, else read
 * from its node; undefined for a statement whose bindings depend on those before it (an assignment, an `if`).
 */
function ownBindings(slot: Slot): [string, string][] | undefined {
  if (slot.previous) return slot.previous.bound;
  const statement = slot.node!;
  const type = typeOf(statement);
  if (!STANDALONE_BINDERS.has(type)) return undefined;
  const own: Record<string, string> = {};
  collectBindings(statement, own, -1, true);
  const bound = Object.entries(own);
  if (type !== 'function_definition' && type !== 'class_definition' && type !== 'decorated_definition') bound.push(IMPORT_MARK);
  return bound;
}

/** The module's bindings, from its statements in order (`bound`: ownBindings of each). */
function collectModuleBindings(slots: Slot[], bound: ([string, string][] | undefined)[], bindings: Record<string, string>): void {
  for (let index = 0; index < slots.length; index++) {
    const own = bound[index];
    if (own === undefined) collectBindings(slots[index].node!, bindings, -1, true);
    else for (const entry of own) if (entry !== IMPORT_MARK) bindings[entry[0]] = entry[1];
  }
}

/** Where the module's last top-level import ends (fixes add imports after it); -1 without one. */
function lastImportEndOf(slots: Slot[], bound: ([string, string][] | undefined)[]): number {
  for (let index = slots.length - 1; index >= 0; index--) if (bound[index]?.includes(IMPORT_MARK)) return slots[index].end;
  return -1;
}

const STANDALONE_BINDERS = new Set(['import_statement', 'import_from_statement', 'future_import_statement', 'function_definition', 'class_definition', 'decorated_definition']);
/** Stands in a statement's bindings for "this is a module-level import" (fixes add imports after the last one). */
const IMPORT_MARK: [string, string] = ['', ''];

/** The names one statement binds (`topLevel`: a statement of the module itself), into `bindings`. */
function collectBindings(statement: SyntaxNode, bindings: Record<string, string>, lastImportEnd: number, topLevel: boolean): number {
  switch (typeOf(statement)) {
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
      readImportBindings(statement, bindings);
      if (topLevel) lastImportEnd = statement.endIndex;
      break;
    case 'expression_statement': {
      const assignment = namedChildren(statement)[0];
      const left = assignment?.type === 'assignment' ? field(assignment, 'left') : null;
      const right = assignment?.type === 'assignment' ? field(assignment, 'right') : null;
      if (left?.type !== 'identifier') break;
      const qualified = right && right.endIndex - right.startIndex < 2000 ? qualifyBinding(right, bindings) : null;
      if (qualified) bindings[left.text] = qualified;
      else delete bindings[left.text];
      break;
    }
    case 'function_definition':
    case 'class_definition':
    case 'decorated_definition': {
      const name = field(unwrapDecorated(statement), 'name');
      if (name) bindings[name.text] = `<local>.${name.text}`;
      break;
    }
    case 'if_statement':
    case 'try_statement':
    case 'with_statement':
      for (const part of namedChildren(statement)) {
        if (typeOf(part) === 'block') collectBlockBindings(part, bindings);
        else if (['except_clause', 'else_clause', 'finally_clause', 'elif_clause'].includes(typeOf(part))) {
          for (const inner of namedChildren(part)) if (typeOf(inner) === 'block') collectBlockBindings(inner, bindings);
        }
      }
      break;
  }
  return lastImportEnd;
}

function collectBlockBindings(block: SyntaxNode, bindings: Record<string, string>): void {
  for (const statement of namedChildren(block)) collectBindings(statement, bindings, -1, false);
}

// ---- module level: imports, assignments, definitions ----

function readModuleLevel(block: SyntaxNode, facts: PyModuleFacts, functionIndexByStart: FunctionIndex, guard: Guard): void {
  for (const statement of namedChildren(block)) readStatement(statement, facts, functionIndexByStart, guard);
}

function readStatement(statement: SyntaxNode, facts: PyModuleFacts, functionIndexByStart: FunctionIndex, guard: Guard): void {
  switch (typeOf(statement)) {
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
      readImport(statement, facts);
      break;
    case 'expression_statement':
      readAssignment(statement, facts, guard);
      break;
    case 'function_definition':
    case 'class_definition':
    case 'decorated_definition':
      readDefinition(unwrapDecorated(statement), statement, facts, functionIndexByStart, null);
      break;
    case 'if_statement':
      readIf(statement, facts, functionIndexByStart, guard);
      break;
    case 'try_statement':
    case 'with_statement':
      for (const part of namedChildren(statement)) {
        if (typeOf(part) === 'block') readModuleLevel(part, facts, functionIndexByStart, guard);
        else if (['except_clause', 'else_clause', 'finally_clause'].includes(typeOf(part))) {
          for (const inner of namedChildren(part)) if (typeOf(inner) === 'block') readModuleLevel(inner, facts, functionIndexByStart, guard);
        }
      }
      break;
  }
}

function readIf(statement: SyntaxNode, facts: PyModuleFacts, functionIndexByStart: FunctionIndex, outer: Guard): void {
  const condition = field(statement, 'condition');
  const conditionText = condition?.text.replace(/\s+/g, ' ') ?? '';
  const debug = /^(settings\.)?DEBUG$/.test(conditionText);
  const notDebug = /^not (settings\.)?DEBUG$/.test(conditionText);
  const guardFor = (branch: 'then' | 'else'): Guard => {
    if (outer !== 'none') return outer === 'debug' ? 'debug' : 'conditional';
    if (debug) return branch === 'then' ? 'debug' : 'not-debug';
    if (notDebug) return branch === 'then' ? 'not-debug' : 'debug';
    return 'conditional';
  };
  const consequence = field(statement, 'consequence');
  const within = (at: SyntaxNode | null, branch: 'then' | 'else', read: () => void): void => {
    conditions.push({ condition: at?.text.replace(/\s+/g, ' ') ?? '', conditionSpan: spanOf(at ?? statement), branch });
    try {
      read();
    } finally {
      conditions.pop();
    }
  };
  if (consequence) within(condition, 'then', () => readModuleLevel(consequence, facts, functionIndexByStart, guardFor('then')));
  for (const alternative of namedChildren(statement)) {
    if (typeOf(alternative) === 'else_clause' || typeOf(alternative) === 'elif_clause') {
      const body = field(alternative, 'body') ?? namedChildren(alternative).find((child) => typeOf(child) === 'block');
      if (!body) continue;
      if (typeOf(alternative) === 'else_clause') within(condition, 'else', () => readModuleLevel(body, facts, functionIndexByStart, guardFor('else')));
      else within(field(alternative, 'condition'), 'then', () => readModuleLevel(body, facts, functionIndexByStart, 'conditional'));
    }
  }
}

/** The `if` conditions around the module-level statement being read, innermost last. */
const conditions: Omit<SettingCondition, 'name' | 'assigned' | 'span'>[] = [];

function noteCondition(facts: PyModuleFacts, name: string, assigned: boolean, statement: SyntaxNode): void {
  const innermost = conditions[conditions.length - 1];
  if (!innermost || !/^[A-Z][A-Z0-9_]*$/.test(name)) return;
  // The text of every enclosing condition: what the setting depends on (`if HAS_REDIS:` / `if not HAS_MEMCACHED:`).
  const condition = conditions.map((outer) => outer.condition).join(' and ');
  const conditionSpan = { start: innermost.conditionSpan.start, end: innermost.conditionSpan.end };
  facts.settingConditions.push({ name, condition, conditionSpan, branch: innermost.branch, assigned, span: spanOf(statement) });
}

/** Star imports; the names an import binds were read by collectBindings. */
function readImport(statement: SyntaxNode, facts: PyModuleFacts): void {
  if (typeOf(statement) !== 'import_from_statement') return;
  const moduleNode = field(statement, 'module_name');
  if (moduleNode && namedChildren(statement).some((child) => typeOf(child) === 'wildcard_import')) {
    facts.starImports.push({ module: moduleNode.text.replace(/\s+/g, ''), span: spanOf(statement) });
  }
}

function readImportBindings(statement: SyntaxNode, bindings: Record<string, string>): void {
  if (typeOf(statement) === 'import_statement') {
    for (const name of namedChildren(statement)) {
      if (typeOf(name) === 'dotted_name') bindings[name.text.split('.')[0]] = name.text.split('.')[0];
      else if (typeOf(name) === 'aliased_import') {
        const target = field(name, 'name');
        const alias = field(name, 'alias');
        if (target && alias) bindings[alias.text] = target.text;
      }
    }
    return;
  }
  const moduleNode = field(statement, 'module_name');
  if (!moduleNode) return;
  const moduleName = moduleNode.text.replace(/\s+/g, '');
  for (const child of namedChildren(statement)) {
    if (child.startIndex === moduleNode.startIndex) continue;
    if (typeOf(child) === 'dotted_name') bindings[child.text] = joinModule(moduleName, child.text);
    else if (typeOf(child) === 'aliased_import') {
      const target = field(child, 'name');
      const alias = field(child, 'alias');
      if (target && alias) bindings[alias.text] = joinModule(moduleName, target.text);
    }
  }
}

function joinModule(moduleName: string, name: string): string {
  return moduleName.endsWith('.') ? moduleName + name : `${moduleName}.${name}`;
}

function readAssignment(statement: SyntaxNode, facts: PyModuleFacts, guard: Guard): void {
  const assignment = namedChildren(statement)[0];
  if (!assignment || (typeOf(assignment) !== 'assignment' && typeOf(assignment) !== 'augmented_assignment')) return;
  const left = field(assignment, 'left');
  const right = field(assignment, 'right');
  if (!left) return;
  if (typeOf(left) === 'identifier') {
    if (right && typeOf(assignment) === 'assignment') {
      const value = right.endIndex - right.startIndex > 200_000 ? null : toExpr(right);
      if (value) facts.assignments.push({ name: left.text, value, guard, span: spanOf(assignment) });
      noteCondition(facts, left.text, true, assignment);
    } else {
      facts.mutatedNames.push(left.text);
      const operator = assignment.child(1)?.text;
      if (right && operator === '+=' && right.endIndex - right.startIndex < 200_000) facts.extensions.push({ name: left.text, value: toExpr(right), guard, span: spanOf(assignment) });
      noteCondition(facts, left.text, false, assignment);
    }
  } else if (typeOf(left) === 'subscript' || typeOf(left) === 'attribute') {
    let base: SyntaxNode | null = left;
    while (base && (typeOf(base) === 'subscript' || typeOf(base) === 'attribute')) base = field(base, typeOf(base) === 'subscript' ? 'value' : 'object');
    if (base?.type === 'identifier') {
      facts.mutatedNames.push(base.text);
      noteCondition(facts, base.text, false, assignment);
    }
  }
}

/**
 * What a module-level `name = value` binds `name` to: a cache object or a cache_page decorator, else null.
 * Only a dotted name, a subscript of `caches` or a call of `cache_page` can be one, so only those parts are
 * read (a settings module's big literals are read once, by readAssignment, not here as well).
 */
function qualifyBinding(value: SyntaxNode, bindings: Record<string, string>): string | null {
  const node = unparenthesized(value);
  if (node && typeOf(node) === 'call') {
    const callee = field(node, 'function');
    return callee && qualify(toExpr(callee), bindings) === Q.cachePage ? Q.cachePageDecorator : null;
  }
  // `c = caches["x"]` at module level makes `c` a cache object too.
  const alias = node ? cacheAliasOfNode(node, bindings) : undefined;
  return alias === undefined ? null : alias === null ? `${Q.caches}[?]` : `${Q.caches}[${JSON.stringify(alias)}]`;
}

function unparenthesized(value: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | undefined = value;
  while (node && typeOf(node) === 'parenthesized_expression') node = namedChildren(node).find((child) => typeOf(child) !== 'comment');
  return node;
}

/**
 * cacheAliasOf for a node, reading only what can make it a cache object: a dotted name, or a subscript of
 * `caches`. Any other value (a dict, a call) is none, and is not converted at all.
 */
function cacheAliasOfNode(value: SyntaxNode, bindings: Record<string, string>): string | null | undefined {
  const node = unparenthesized(value);
  switch (node ? typeOf(node) : '') {
    case 'identifier':
    case 'attribute':
      return cacheAliasOf(toExpr(node!), bindings);
    case 'subscript': {
      const object = field(node!, 'value');
      return object && qualify(toExpr(object), bindings) === Q.caches ? cacheAliasOf(toExpr(node!), bindings) : undefined;
    }
    default:
      return undefined;
  }
}

/** A function or class definition; `outer` is the statement: the decorated_definition around it, or itself. */
function readDefinition(definition: SyntaxNode, outer: SyntaxNode, facts: PyModuleFacts, functionIndexByStart: FunctionIndex, className: string | null): void {
  const nameNode = field(definition, 'name');
  if (!nameNode) return;
  // The decorators, from the statement the caller holds: asking the definition for its parent is a call into wasm and a node object.
  const decorators = outer === definition ? [] : namedChildren(outer).filter((child) => typeOf(child) === 'decorator').map((node) => readDecorator(node, facts.bindings));
  if (typeOf(definition) === 'class_definition') {
    const body = field(definition, 'body');
    const superclasses = field(definition, 'superclasses');
    const bases = superclasses ? namedChildren(superclasses).filter((base) => typeOf(base) !== 'keyword_argument' && typeOf(base) !== 'comment').map((base) => toExpr(base)) : [];
    const attributes = body ? classAttributes(body, body.text) : {};
    facts.classes.push({ name: nameNode.text, decorators, nameSpan: spanOf(nameNode), bases, attributes });
    for (const member of body ? namedChildren(body) : []) {
      const inner = unwrapDecorated(member);
      if (typeOf(inner) === 'function_definition') readDefinition(inner, member, facts, functionIndexByStart, nameNode.text);
    }
    return;
  }
  if (typeOf(definition) !== 'function_definition') return;
  const parameters = field(definition, 'parameters');
  functionIndexByStart.place(definition, facts.functions.length);
  facts.functions.push({
    name: nameNode.text,
    qualname: className ? `${className}.${nameNode.text}` : nameNode.text,
    className,
    params: parameters ? parameterNames(parameters) : [],
    isAsync: isAsyncFunction(definition),
    decorators,
    nameSpan: spanOf(nameNode),
    span: spanOf(outer),
    returnExpr: singleReturn(definition),
    userStateReads: [],
    patchesVaryCookie: false,
    assignments: [],
  });
}

function classAttributes(body: SyntaxNode, text: string): Partial<Record<ViewAttribute, Expr>> {
  const attributes: Partial<Record<ViewAttribute, Expr>> = {};
  // Most class bodies assign none of them: a look at the text saves asking the tree about every statement.
  if (!VIEW_ATTRIBUTES.some((name) => text.includes(name))) return attributes;
  for (const statement of namedChildren(body)) {
    const assignment = typeOf(statement) === 'expression_statement' ? namedChildren(statement)[0] : null;
    if (assignment?.type !== 'assignment') continue;
    const left = field(assignment, 'left');
    const value = field(assignment, 'right');
    if (left?.type !== 'identifier' || !value || value.endIndex - value.startIndex > 10_000 || !VIEW_ATTRIBUTE_NAMES.has(left.text)) continue;
    attributes[left.text as ViewAttribute] = toExpr(value);
  }
  return attributes;
}

function readDecorator(node: SyntaxNode, bindings: Record<string, string>): Decorator {
  const expression = namedChildren(node).find((child) => typeOf(child) !== 'comment') ?? node;
  const expr = toExpr(expression);
  const callee = expr.kind === 'call' ? expr.callee : expr;
  return { expr, qualified: qualify(callee, bindings), span: spanOf(expression), atSpan: spanOf(node) };
}

function singleReturn(definition: SyntaxNode): Expr | null {
  const body = field(definition, 'body');
  // Most bodies end with something else: one look at the last statement spares listing them all.
  const lastChild = body?.lastNamedChild;
  if (!body || !lastChild || (lastChild.type !== 'return_statement' && lastChild.type !== 'comment')) return null;
  const statements = namedChildren(body).filter((child) => typeOf(child) !== 'comment');
  const last = statements[statements.length - 1];
  const isDocstring = (node: SyntaxNode): boolean => typeOf(node) === 'expression_statement' && namedChildren(node)[0]?.type === 'string';
  if (!last || typeOf(last) !== 'return_statement' || statements.slice(0, -1).some((node) => !isDocstring(node))) return null;
  const value = namedChildren(last)[0];
  return value ? toExpr(value) : null;
}

// ---- qualified names ----

/** The qualified name of a dotted expression through the module's imports, or null. */
export function qualify(expr: Expr, bindings: Record<string, string>): string | null {
  const dotted = dottedName(expr);
  if (dotted === null) return null;
  const [head, ...rest] = dotted.split('.');
  const bound = bindings[head];
  if (bound === undefined) return null;
  return [bound, ...rest].join('.');
}

/**
 * If `receiver` is a Django cache object, its alias (null when not a literal); undefined when it is not
 * a Django cache at all.
 */
export function cacheAliasOf(receiver: Expr, bindings: Record<string, string>): string | null | undefined {
  const qualified = qualify(receiver, bindings);
  if (qualified === Q.cache) return 'default';
  if (qualified?.startsWith(`${Q.caches}[`)) {
    const literal = qualified.slice(Q.caches.length + 1, -1);
    return literal === '?' ? null : (JSON.parse(literal) as string);
  }
  if (receiver.kind === 'subscript' && qualify(receiver.object, bindings) === Q.caches) {
    return receiver.index.kind === 'string' ? receiver.index.value : null;
  }
  return undefined;
}

// ---- calls found by a text pre-filter, then looked up in the tree ----

function findCacheCalls(root: SyntaxNode, text: string, facts: PyModuleFacts, cacheMention: RegExp, functionIndexByStart: FunctionIndex): void {
  // Every receiver below names the cache somewhere in the statement: a name bound to a cache object or to
  // `caches`, or (a project's own cache object) a text holding "cache". A statement without one holds none,
  // and its `.get(` calls are not looked up in the tree one by one.
  if (!cacheMention.test(text.slice(root.startIndex, root.endIndex))) return;
  const assignmentsByFunction = new Map<number, NameAssignment[]>();
  for (const match of matchesIn(root, text, METHOD_CALL_PATTERN)) {
    const method = match[1];
    if (!CACHE_METHODS.has(method)) continue;
    const nameStart = match.index + match[0].indexOf(method, 1);
    const identifier = root.descendantForIndex(nameStart, nameStart + method.length);
    const attribute = identifier?.parent;
    const call = attribute?.parent;
    if (!identifier || typeOf(identifier) !== 'identifier' || attribute?.type !== 'attribute' || call?.type !== 'call') continue;
    if (field(call, 'function')?.startIndex !== attribute.startIndex || field(attribute, 'attribute')?.startIndex !== identifier.startIndex) continue;
    const object = field(attribute, 'object');
    if (!object) continue;
    const functionIndex = enclosingFunctionIndex(call, functionIndexByStart);
    const receiver = toExpr(object);
    let alias = cacheAliasOf(receiver, facts.bindings);
    if (alias === undefined && receiver.kind === 'name' && functionIndex >= 0) {
      alias = localCacheAlias(call, receiver.id, facts.bindings, assignmentsByFunction);
    }
    if (alias === undefined) {
      if (OTHER_CACHE_WRITE_METHODS.has(method) && /cache/i.test(object.text) && object.endIndex - object.startIndex < 200) {
        const other = toExpr(call);
        if (other.kind === 'call') facts.otherCacheWrites.push({ method, args: other.args, keywords: other.keywords, functionIndex });
      }
      continue;
    }
    const expr = toExpr(call);
    if (expr.kind !== 'call') continue;
    facts.cacheCalls.push({
      method,
      alias,
      args: expr.args,
      keywords: expr.keywords,
      hasStarArgs: expr.hasStarArgs,
      span: spanOf(call),
      methodSpan: spanOf(identifier),
      functionIndex,
    });
  }
}

/** `c = caches["x"]` inside the function that uses `c`. */
function localCacheAlias(call: SyntaxNode, name: string, bindings: Record<string, string>, assignmentsByFunction: Map<number, NameAssignment[]>): string | null | undefined {
  const definition = enclosing(call, ['function_definition']);
  if (!definition) return undefined;
  let assignments = assignmentsByFunction.get(definition.startIndex);
  if (!assignments) {
    assignments = [];
    for (const assignment of definition.descendantsOfType('assignment')) {
      const left = assignment ? field(assignment, 'left') : null;
      const right = assignment ? field(assignment, 'right') : null;
      if (assignment && left?.type === 'identifier' && right) assignments.push({ start: assignment.startIndex, name: left.text, right });
    }
    assignmentsByFunction.set(definition.startIndex, assignments);
  }
  // The last assignment of the name before the call decides (a function with many `x.get(...)` reads its assignments once).
  let last: NameAssignment | undefined;
  for (const assignment of assignments) if (assignment.name === name && assignment.start <= call.startIndex) last = assignment;
  return last ? cacheAliasOfNode(last.right, bindings) : undefined;
}

/** `name = right` inside a function, for localCacheAlias (nodes of the tree being read). */
interface NameAssignment {
  start: number;
  name: string;
  right: SyntaxNode;
}

/** The longest name put into a call-finding regex (see patternsFor). */
export const MAX_PATTERN_NAME = 1000;

/** The regexes a module's bindings make, built once per module (and kept across keystrokes that leave the bindings alone). */
interface BindingPatterns {
  /** Calls of the module's interesting local names: Django helpers (cache_page, make_template_fragment_key), project functions. */
  calls: RegExp | null;
  /** "cache" in any case, or a local name bound to a cache object or to `caches` that does not contain it. */
  cacheMention: RegExp;
}

/** By the bindings' JSON: a keystroke that leaves the imports alone reuses the compiled regexes. */
const patternsByFingerprint = new Map<string, BindingPatterns>();
const MAX_REMEMBERED_PATTERNS = 64;

function patternsFor(bindings: Record<string, string>, fingerprint: string): BindingPatterns {
  let patterns = patternsByFingerprint.get(fingerprint);
  if (!patterns) {
    // V8 refuses a regex with a literal over 32,767 characters ("Regular expression too large"): no real name is that long.
    const alternatives = (names: string[]): string => names.filter((name) => name.length <= MAX_PATTERN_NAME).map(escapeRegExp).join('|');
    const entries = Object.entries(bindings);
    const callees = entries.filter(([, qualified]) => INTERESTING_CALLEES.has(qualified) || !/^(django|typing|collections|functools|os|sys|re|json|datetime|logging)\b/.test(qualified)).map(([local]) => local);
    const cacheNames = entries.filter(([local, qualified]) => (qualified === Q.cache || qualified === Q.caches || qualified.startsWith(`${Q.caches}[`)) && !/cache/i.test(local)).map(([local]) => local);
    const calls = alternatives(callees);
    const mentions = alternatives(cacheNames);
    patterns = {
      calls: calls === '' ? null : new RegExp(`\\b(${calls})[ \\t]*\\(`, 'g'),
      cacheMention: mentions === '' ? /cache/i : new RegExp(`cache|\\b(?:${mentions})\\b`, 'i'),
    };
    if (patternsByFingerprint.size >= MAX_REMEMBERED_PATTERNS) patternsByFingerprint.clear();
    patternsByFingerprint.set(fingerprint, patterns);
  }
  return patterns;
}

function findQualifiedCalls(root: SyntaxNode, text: string, facts: PyModuleFacts, pattern: RegExp | null, functionIndexByStart: FunctionIndex): void {
  if (!pattern) return;
  for (const match of matchesIn(root, text, pattern)) {
    const identifier = root.descendantForIndex(match.index, match.index + match[1].length);
    const call = identifier?.parent;
    if (!identifier || typeOf(identifier) !== 'identifier' || call?.type !== 'call' || field(call, 'function')?.startIndex !== identifier.startIndex) continue;
    const qualified = facts.bindings[match[1]];
    const expr = toExpr(call);
    if (expr.kind !== 'call') continue;
    const functionIndex = enclosingFunctionIndex(call, functionIndexByStart);
    if (qualified === Q.cachePage) {
      const outer = call.parent;
      if (outer?.type === 'call' && field(outer, 'function')?.startIndex === call.startIndex) {
        const outerExpr = toExpr(outer);
        if (outerExpr.kind === 'call' && outerExpr.args[0]) {
          facts.wrappedViews.push({ cachePage: expr, cachePageSpan: spanOf(call), view: outerExpr.args[0], span: spanOf(outer) });
        }
      }
    } else if (qualified === Q.cachePageDecorator) {
      if (expr.args[0]) facts.wrappedViews.push({ cachePage: expr.callee, cachePageSpan: expr.callee, view: expr.args[0], span: spanOf(call) });
    } else if (qualified === Q.makeTemplateFragmentKey) {
      facts.fragmentKeyCalls.push({ name: expr.args[0] ?? expr.keywords.fragment_name ?? null, span: spanOf(call), functionIndex });
    } else if (TEMPLATE_ARGUMENT[qualified]) {
      const [position, keyword] = TEMPLATE_ARGUMENT[qualified];
      const name = expr.args[position] ?? expr.keywords[keyword];
      if (name) facts.templateRenders.push({ name, functionIndex, span: spanOf(call) });
    } else if (qualified === Q.patchVaryHeaders) {
      if (functionIndex >= 0 && /["']cookie["']/i.test(call.text)) facts.functions[functionIndex].patchesVaryCookie = true;
    } else {
      facts.calls.push({ callee: qualified, args: expr.args, span: spanOf(call), functionIndex });
    }
  }
}

/** Where each render helper takes its template name: positional index, keyword. */
const TEMPLATE_ARGUMENT: Record<string, [number, string]> = {
  [Q.render]: [1, 'template_name'],
  [Q.templateResponse]: [1, 'template'],
  [Q.renderToResponse]: [0, 'template_name'],
  [Q.renderToString]: [0, 'template_name'],
  [Q.getTemplate]: [0, 'template_name'],
};

const INTERESTING_CALLEES: ReadonlySet<string> = new Set([Q.cachePage, Q.cachePageDecorator, Q.makeTemplateFragmentKey, Q.patchVaryHeaders, ...Object.keys(TEMPLATE_ARGUMENT)]);

function findUserStateReads(root: SyntaxNode, text: string, facts: PyModuleFacts, functionIndexByStart: FunctionIndex): void {
  for (const match of matchesIn(root, text, USER_STATE_PATTERN)) {
    const requestNode = root.descendantForIndex(match.index, match.index + 'request'.length);
    if (!requestNode || typeOf(requestNode) !== 'identifier') continue;
    // `request.user`, or `self.request.user` where `request` is the attribute of `self.request`.
    let receiver: SyntaxNode = requestNode;
    const parent = requestNode.parent;
    if (parent?.type === 'attribute' && field(parent, 'attribute')?.startIndex === requestNode.startIndex) {
      if (field(parent, 'object')?.text !== 'self') continue;
      receiver = parent;
    }
    const read = receiver.parent;
    if (read?.type !== 'attribute' || field(read, 'object')?.startIndex !== receiver.startIndex) continue;
    const functionIndex = enclosingFunctionIndex(read, functionIndexByStart);
    if (functionIndex < 0) continue;
    facts.functions[functionIndex].userStateReads.push({ kind: match[1] as UserStateKind, role: userStateRole(read), span: spanOf(read) });
  }
}

/** A response that refuses the request: it does not show the page. */
const REFUSAL = /redirect|Redirect|Forbidden|NotFound|NotAllowed|BadRequest|Unauthori[sz]ed|login|denied|Http404|PermissionDenied|status(_code)?\s*=\s*(40[0-9]|30[12378])|status\.HTTP_40|HTTP_30/;
/** Calls that check access (their result is a yes/no or a refusal), or only log. */
const CHECK_CALL = /(^|\.)(check_\w*|require_\w*|ensure_\w*|verify_\w*|assert_\w*|authori[sz]e\w*|has_perms?|has_\w*permission|can_\w+|is_allowed\w*|\w*_or_40[34]|\w*_required|debug|info|warning|warn|error|exception|critical|log)$/;
const UNSAFE_METHOD_TEST = /\brequest\s*\.\s*method\s*(==\s*["'](POST|PUT|PATCH|DELETE)["']|in\s*[[(][^\])]*["'](POST|PUT|PATCH|DELETE)["']|!=\s*["']GET["'])/;

/** Whether a read of the request's user state can change a 200 response body (see UserStateRole). */
function userStateRole(read: SyntaxNode): UserStateRole {
  let node: SyntaxNode = read;
  for (let parent = read.parent; parent && typeOf(parent) !== 'function_definition' && typeOf(parent) !== 'lambda'; node = parent, parent = parent.parent) {
    if (typeOf(parent) === 'if_statement' || typeOf(parent) === 'elif_clause') {
      const condition = field(parent, 'condition');
      const consequence = field(parent, 'consequence');
      if (condition && condition.startIndex === node.startIndex && condition.endIndex === node.endIndex) {
        return consequence && onlyRefuses(consequence) ? 'check' : 'body';
      }
      if (condition && consequence?.startIndex === node.startIndex && UNSAFE_METHOD_TEST.test(condition.text)) return 'unsafe-method';
    } else if (typeOf(parent) === 'assert_statement') {
      return 'check';
    } else if (typeOf(parent) === 'argument_list' || (typeOf(parent) === 'keyword_argument' && parent.parent?.type === 'argument_list')) {
      const call = typeOf(parent) === 'argument_list' ? parent.parent : parent.parent!.parent;
      const callee = call?.type === 'call' ? field(call, 'function') : null;
      if (callee && isCheckCall(callee.text.replace(/\s+/g, ''), call!)) return 'check';
    }
  }
  return 'body';
}

function isCheckCall(callee: string, call: SyntaxNode): boolean {
  if (!CHECK_CALL.test(callee)) return false;
  // get_object_or_404(Profile, user=request.user) selects the user's own object; with another filter
  // (pk=..., slug=...) from the URL it only checks that the user may see that object.
  if (/(^|\.)get_(object|list)_or_404$/.test(callee)) {
    const argumentList = field(call, 'arguments');
    return argumentList !== null && namedChildren(argumentList).filter((argument) => typeOf(argument) !== 'comment').length > 2;
  }
  return true;
}

/** A block that only refuses: raises, or returns a redirect, a 4xx response or nothing. */
function onlyRefuses(block: SyntaxNode): boolean {
  const statements = namedChildren(block).filter((statement) => typeOf(statement) !== 'comment');
  return statements.length > 0 && statements.every((statement) => {
    if (typeOf(statement) === 'raise_statement') return true;
    if (typeOf(statement) !== 'return_statement') return false;
    const value = namedChildren(statement)[0];
    return !value || REFUSAL.test(value.text);
  });
}

/** `cache_memoize(key, lookup_callable, ...)` (djblets and look-alikes): a read-through store like `get_or_set`. */
export function isMemoizeCallee(callee: string): boolean {
  return /(^|\.)cache_memoize$/.test(callee);
}

/** Local assignments of every function that writes to the cache (data flow for CACHE002). */
function collectDataFlow(root: SyntaxNode, text: string, facts: PyModuleFacts, functionIndexByStart: FunctionIndex): void {
  const wanted = new Set([...facts.cacheCalls, ...facts.calls.filter((call) => isMemoizeCallee(call.callee))].map((call) => call.functionIndex).filter((index) => index >= 0));
  if (wanted.size === 0) return;
  const definitions = typeOf(root) === 'function_definition' ? [root, ...root.descendantsOfType('function_definition')] : root.descendantsOfType('function_definition');
  const done = new Set<number>();
  for (const definition of definitions) {
    if (!definition) continue;
    const index = functionIndexByStart.get(definition.startIndex);
    // descendantsOfType may include the root itself: read each function once.
    if (index === undefined || !wanted.has(index) || done.has(index)) continue;
    done.add(index);
    const assignments = facts.functions[index].assignments;
    for (const node of definition.descendantsOfType(DATA_FLOW_NODES)) {
      if (!node || node.startIndex === definition.startIndex) continue;
      const statement = typeOf(node) === 'assignment' || typeOf(node) === 'augmented_assignment' ? (node.parent?.type === 'expression_statement' ? node.parent : node) : node;
      const place = placeOf(statement, definition);
      if (typeOf(node) === 'function_definition') {
        // A nested function (a `get_or_set` callable) reads the enclosing function's names: bind its name to its body.
        const name = field(node, 'name');
        const body = field(node, 'body');
        if (name && body) assignments.push({ targets: [name.text], value: toExpr(body), start: statement.startIndex, block: place.block, loop: place.loop, replaces: false });
        continue;
      }
      const left = field(node, typeOf(node) === 'named_expression' ? 'name' : 'left');
      const right = field(node, typeOf(node) === 'named_expression' ? 'value' : 'right');
      if (!left || !right) continue;
      const targets = typeOf(left) === 'identifier' ? [left.text] : left.descendantsOfType('identifier').flatMap((id) => (id ? [id.text] : []));
      if (typeOf(left) === 'attribute') continue;
      if (typeOf(left) === 'subscript') {
        // `data[k] = v`: v flows into the container.
        const container = field(left, 'value');
        if (container?.type === 'identifier') assignments.push({ targets: [container.text], value: toExpr(right), start: statement.startIndex, block: place.block, loop: place.loop, replaces: false });
        continue;
      }
      const replaces = typeOf(node) === 'assignment' && typeOf(left) === 'identifier' && statement.parent?.type === 'block';
      assignments.push({ targets, value: toExpr(right), start: statement.startIndex, block: place.block, loop: place.loop, replaces });
    }
    if (addMutatorCalls(definition, text, assignments)) assignments.sort((a, b) => a.start - b.start);
  }
}

/** What a function's data flow is read from, mutator calls aside (addMutatorCalls). */
const DATA_FLOW_NODES = ['assignment', 'augmented_assignment', 'for_statement', 'named_expression', 'function_definition'];
/** `items.append(x)`, `data.update(x)`: found in the text, as most of a function's calls are something else. */
const MUTATOR_CALL_PATTERN = /\.[ \t]*(append|extend|update|add|insert|setdefault|appendleft)[ \t]*\(/g;

/** Adds the statements `name.append(x)` (and the other mutators) of `definition`: x flows into the container. Whether it added any. */
function addMutatorCalls(definition: SyntaxNode, text: string, assignments: FunctionFacts['assignments']): boolean {
  let added = false;
  for (const match of matchesIn(definition, text, MUTATOR_CALL_PATTERN)) {
    const methodStart = match.index + match[0].indexOf(match[1], 1);
    const method = definition.descendantForIndex(methodStart, methodStart + match[1].length);
    const callee = method?.parent;
    const call = callee?.parent;
    if (!method || typeOf(method) !== 'identifier' || callee?.type !== 'attribute' || call?.type !== 'call') continue;
    if (field(callee, 'attribute')?.startIndex !== method.startIndex || field(call, 'function')?.startIndex !== callee.startIndex) continue;
    const receiver = field(callee, 'object');
    const statement = call.parent;
    if (receiver?.type !== 'identifier' || statement?.type !== 'expression_statement') continue;
    const place = placeOf(statement, definition);
    assignments.push({ targets: [receiver.text], value: toExpr(call), start: statement.startIndex, block: place.block, loop: place.loop, replaces: false });
    added = true;
  }
  return added;
}

/** The block holding `statement` and the innermost loop around it, up to the function `definition`. */
function placeOf(statement: SyntaxNode, definition: SyntaxNode): { block: Span; loop: Span | null } {
  const parent = statement.parent;
  const block = parent && typeOf(parent) === 'block' ? spanOf(parent) : spanOf(field(definition, 'body') ?? definition);
  let loop: Span | null = null;
  for (let current = statement.parent; current && current.startIndex !== definition.startIndex; current = current.parent) {
    if (typeOf(current) === 'for_statement' || typeOf(current) === 'while_statement') {
      loop = spanOf(current);
      break;
    }
  }
  return { block, loop };
}

function findSuppressions(root: SyntaxNode, text: string, facts: PyModuleFacts): void {
  const seen = new Set(facts.suppressions.map((existing) => existing.commentSpan.start));
  for (const match of text.matchAll(/#[^\n]*?noqa\b/gi)) {
    const comment = root.descendantForIndex(match.index, match.index + 1);
    if (comment?.type !== 'comment') continue;
    // tree-sitter's comment token runs to the `\n`, so on a CRLF line it ends with the `\r`: leave that out.
    const commentText = comment.text.replace(/\r+$/, '');
    const suppression = parseSuppression(commentText, comment.startIndex, comment.startPosition.row);
    if (suppression && !seen.has(comment.startIndex)) {
      seen.add(comment.startIndex);
      facts.suppressions.push(suppression);
    }
  }
}

// ---- helpers ----

/**
 * The functions of a statement by where they start, with their spans: which function holds a node is
 * found from offsets in JS, not by walking the node's parents (a wasm call and a node object each).
 * Spans nest, and functions are placed in the order they start.
 */
class FunctionIndex extends Map<number, number> {
  private readonly spans: { start: number; end: number; index: number }[] = [];

  place(definition: SyntaxNode, index: number): void {
    this.set(definition.startIndex, index);
    this.spans.push({ start: definition.startIndex, end: definition.endIndex, index });
  }

  /** The innermost placed function whose span holds `offset`: the last one so placed, as inner ones start later. */
  enclosing(offset: number): number {
    let found = -1;
    for (const span of this.spans) {
      if (span.start > offset) break;
      if (offset < span.end) found = span.index;
    }
    return found;
  }
}

/** Regex matches inside `scope` only, with offsets into the whole text. A list, not a generator: this runs for every statement. */
function matchesIn(scope: SyntaxNode, text: string, pattern: RegExp): (RegExpMatchArray & { index: number })[] {
  const start = scope.startIndex;
  const slice = text.slice(start, scope.endIndex);
  const matches: (RegExpMatchArray & { index: number })[] = [];
  // exec on the pattern itself, not matchAll (which clones the regex, compiling it again for every statement).
  pattern.lastIndex = 0;
  for (let match = pattern.exec(slice); match; match = pattern.exec(slice)) {
    if (match[0] === '') pattern.lastIndex++;
    (match as { index: number }).index = match.index + start;
    matches.push(match as RegExpMatchArray & { index: number });
  }
  return matches;
}

/** The innermost function read so far (by readDefinition) that holds `node`, or -1. */
function enclosingFunctionIndex(node: SyntaxNode, functionIndexByStart: FunctionIndex): number {
  return functionIndexByStart.enclosing(node.startIndex);
}

export function spanOf(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
