/**
 * The Python side of the workspace index: which modules exist, their facts (parsed on demand), names
 * resolved across modules, and the project-wide facts cross-file rules need (every invalidation, every
 * store, settings modules).
 */
import { Edit, type Tree } from 'web-tree-sitter';
import { ReadTexts } from '../read-texts.js';
import { LineIndex } from '../text.js';
import type { Position } from '../types.js';
import type { Expr } from './expr.js';
import { escapeRegExp, extractModuleFacts, isSkippedFile, MAX_PATTERN_NAME, noteChange, type FactsMemo, type FunctionFacts, type PlainCall, type PyModuleFacts } from './facts.js';
import { constantValue, keyTemplate, type KeyScope } from './key-template.js';
import { isPythonPath, isPythonTestPath, ModuleResolver } from './modules.js';
import { cachePageCalls } from './page-cache.js';
import { ParseLimitError, type PythonParser } from './parser.js';
import { functionIndexOf } from './function-lookup.js';
import { fillOnDemand, keptCallsNaming, restoreOffsets, skimFunctionBodies } from './skim.js';

export interface PyModule {
  path: string;
  text: string;
  lines: LineIndex;
  facts: PyModuleFacts;
}

/** Where the project reads a module's text from (open editor buffers first, then the disk). */
export interface TextSource {
  read(path: string): string | undefined;
}

/**
 * Text that can hold a use of Django's cache API: only such files are analysed for findings. `cache.` must be
 * followed by a name (`cache.get`), so the prose of a comment or docstring ("...the related instance cache.")
 * does not make Django's own models module a candidate.
 */
export const PYTHON_CANDIDATE =
  /\bcaches?[ \t]*(?:\.[A-Za-z_]|\[)|cache_page|\bCACHES\b|vary_on_|make_template_fragment_key|(?:Update|FetchFrom)CacheMiddleware|django\.core\.cache|patch_vary_headers/;
export const COMMAND_PATH = /(^|\/)management\/commands\/[^/]+\.py$/;
/** `@shared_task`, `@app.task`, `@acks_late_task`, `@receiver(...)`: a decorator that makes a job. */
const JOB_MARKER = /@[ \t]*[\w.]*(task|receiver)\b/;

/** A task or receiver decorator (JOB_MARKER); the words first, as the pattern tries every decorator of a views module. */
function mayDefineJob(text: string): boolean {
  return (text.includes('task') || text.includes('receiver')) && JOB_MARKER.test(text);
}

/** Text every PYTHON_CANDIDATE match contains: a search for plain words, about twice as fast, rules most files out first. */
const CANDIDATE_HINT = /cache|CACHE|Cache|vary_|fragment_key/;
/** Qualified names of Django's cache API: a local name bound to one is a cache use wherever it appears. */
const CACHE_API = /^django\.(core\.cache|views\.decorators\.(cache|vary)|utils\.cache)\b/;

export const STORE_METHODS = new Set(['set', 'add', 'set_many', 'get_or_set', 'touch', 'aset', 'aadd', 'aset_many', 'aget_or_set', 'atouch']);
export const REFRESH_METHODS = new Set(['set', 'set_many', 'aset', 'aset_many']);
export const DELETE_METHODS = new Set(['delete', 'delete_many', 'adelete', 'adelete_many']);

export interface ResolvedFunction {
  module: PyModule;
  index: number;
  fn: FunctionFacts;
}

/** One edit of an open document, in UTF-16 offsets and positions of the old and new text. */
export interface TextChange {
  start: number;
  oldEnd: number;
  newEnd: number;
  startPosition: Position;
  oldEndPosition: Position;
  newEndPosition: Position;
}

/** What one module adds to the project facts; cached per module so an edit recomputes only its own. */
interface ModuleContribution {
  deleted: string[];
  deleteHelpers: { index: number; paramIndex: number }[];
  refreshed: string[];
  invalidatedFragments: string[];
  /** Functions that build `make_template_fragment_key(<param>, ...)` from a parameter (and delete or overwrite it when `invalidates`). */
  fragmentHelpers: { index: number; paramIndex: number; invalidates: boolean }[];
  /** Functions whose whole body is `return make_template_fragment_key("name", ...)`: the key of one fragment, for callers to delete. */
  fragmentKeyBuilders: { index: number; name: string }[];
}

/** The project facts that follow delete helpers to their callers: computed together, when one is first read. */
type Invalidation = Omit<ProjectFacts, 'pageCacheAliases'>;

export interface ProjectFacts {
  /** Key templates some code deletes. */
  invalidated: string[];
  /** Key template -> number of call sites that (re-)set it. */
  refreshSites: Map<string, number>;
  /** Cache aliases named by `cache_page(cache=...)`. */
  pageCacheAliases: Set<string>;
  /** Template fragment names whose `make_template_fragment_key(...)` is deleted somewhere. */
  invalidatedFragments: Set<string>;
}

export class PythonProject {
  private readonly texts = new Map<string, string>();
  private readonly modules = new Map<string, PyModule | null>();
  private readonly resolver: ModuleResolver;
  private readonly paths = new Set<string>();
  private readonly liveTrees = new Map<string, Tree>();
  private readonly readTexts: ReadTexts;
  /** Per open document: facts of its top-level statements and the edits since, reused between keystrokes. */
  private readonly factsMemos = new Map<string, FactsMemo>();
  private readonly contributions = new Map<string, ModuleContribution>();
  private readonly candidates = new Map<string, boolean>();
  /** Whether a file can define a job (see jobFiles), by path, until the file changes. */
  private readonly jobFileFlags = new Map<string, boolean>();
  /** Counts changes to files that define or may define jobs: answers about jobs hold while it stays the same. */
  jobsGeneration = 0;
  private templates = new WeakMap<Expr, string>();
  private projectFacts: ProjectFacts | undefined;
  /** Files the parser gave up on (path -> why), so that callers can say so: they are not analysed. */
  readonly unparsed = new Map<string, string>();

  constructor(
    private readonly parser: PythonParser,
    source: TextSource,
    paths: Iterable<string>,
    /** Whether modules read from the source are skimmed (skim.ts); open documents never are. */
    private readonly skimBodies = true,
  ) {
    for (const path of paths) if (isPythonPath(path)) this.paths.add(path);
    this.resolver = new ModuleResolver(this.paths);
    this.readTexts = new ReadTexts(source);
  }

  /** A new or changed file; `text` undefined means: read it from the source again. */
  update(path: string, text?: string): void {
    if (!isPythonPath(path)) return;
    this.track(path);
    // An open document's tree no longer matches the text: drop it (a later change reopens the document).
    this.closeDocument(path);
    if (text === undefined) this.texts.delete(path);
    else this.texts.set(path, text);
    this.forget(path);
  }

  remove(path: string): void {
    this.closeDocument(path);
    this.paths.delete(path);
    this.texts.delete(path);
    this.forget(path);
    this.resolver.remove(path);
  }

  /** An editor opened the file: keep its tree so that each change reparses incrementally. */
  openDocument(path: string, text: string): void {
    if (!isPythonPath(path)) return;
    this.track(path);
    this.closeDocument(path);
    this.texts.set(path, text);
    this.forget(path);
    try {
      this.liveTrees.set(path, this.parser.parse(text));
    } catch (error) {
      if (!(error instanceof ParseLimitError)) throw error;
    }
  }

  /** The open document changed: edit its tree and reparse incrementally. */
  changeDocument(path: string, text: string, changes: readonly TextChange[]): void {
    const tree = this.liveTrees.get(path);
    if (!tree) return this.openDocument(path, text);
    for (const change of changes) {
      tree.edit(
        new Edit({
          startIndex: change.start,
          oldEndIndex: change.oldEnd,
          newEndIndex: change.newEnd,
          startPosition: { row: change.startPosition.line, column: change.startPosition.character },
          oldEndPosition: { row: change.oldEndPosition.line, column: change.oldEndPosition.character },
          newEndPosition: { row: change.newEndPosition.line, column: change.newEndPosition.character },
        }),
      );
    }
    let next: Tree | undefined;
    try {
      next = this.parser.parse(text, tree);
    } catch (error) {
      if (!(error instanceof ParseLimitError)) throw error;
    }
    const memo = this.factsMemos.get(path);
    if (memo) {
      const changedRanges = next ? next.getChangedRanges(tree).map((range) => ({ start: range.startIndex, end: range.endIndex })) : [];
      noteChange(
        memo,
        changes.map(({ start, oldEnd, newEnd }) => ({ start, oldEnd, newEnd })),
        changedRanges,
      );
    }
    tree.delete();
    if (next) this.liveTrees.set(path, next);
    else this.liveTrees.delete(path);
    this.texts.set(path, text);
    this.forget(path);
  }

  /** The editor closed the file: free its tree; its text comes from the source again. */
  closeDocument(path: string): void {
    this.readTexts.forget(path);
    this.liveTrees.get(path)?.delete();
    this.liveTrees.delete(path);
    this.factsMemos.delete(path);
  }

  private track(path: string): void {
    if (this.paths.has(path)) return;
    this.paths.add(path);
    this.resolver.add(path);
  }

  /** Drops what was derived from a file. Module constants feed other modules' key templates, so a change to them drops every contribution. */
  private forget(path: string): void {
    const before = this.modules.get(path);
    this.modules.delete(path);
    this.candidates.delete(path);
    // A file that defined a job, or defines one now, changes which functions jobs call.
    const wasJobFile = this.jobFileFlags.get(path) !== false;
    this.jobFileFlags.delete(path);
    if (wasJobFile || this.jobFiles([path]).length > 0) this.jobsGeneration++;
    this.unparsed.delete(path);
    this.projectFacts = undefined;
    this.contributions.delete(path);
    if (before === undefined) {
      // A module not seen before may define constants other modules' keys use.
      this.contributions.clear();
      this.templates = new WeakMap();
      return;
    }
    const after = this.module(path);
    if (!sameConstants(before, after)) {
      this.contributions.clear();
      this.templates = new WeakMap();
    }
  }

  allPaths(): string[] {
    return [...this.paths];
  }

  hasPath(path: string): boolean {
    return this.paths.has(path);
  }

  textOf(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    return this.readTexts.read(path);
  }

  /**
   * Whether the rules analyse the module: its text can hold a cache API use, and it is not a test module.
   * Tests are never reported, and what they do (delete a key, read one) says nothing about production.
   * They are parsed only when a rule resolves into them.
   */
  isCandidate(path: string): boolean {
    let candidate = this.candidates.get(path);
    if (candidate === undefined) {
      const text = isPythonTestPath(path) ? undefined : this.textOf(path);
      candidate = text !== undefined && CANDIDATE_HINT.test(text) && PYTHON_CANDIDATE.test(text);
      this.candidates.set(path, candidate);
    }
    return candidate;
  }

  /** The module's facts, parsing it on first use whatever its text (dependencies of candidates). */
  module(path: string): PyModule | undefined {
    if (this.modules.has(path)) return this.modules.get(path) ?? undefined;
    const text = this.textOf(path);
    let module: PyModule | null = null;
    const live = this.liveTrees.get(path);
    if (text !== undefined && live) {
      const extracted = extractModuleFacts(live, text, this.factsMemos.get(path));
      module = { path, text, lines: new LineIndex(text), facts: extracted.facts };
      this.factsMemos.set(path, extracted.memo);
    } else if (text !== undefined) {
      const lines = new LineIndex(text);
      const facts = (this.skimBodies ? this.skimmedFacts(path, text, lines) : undefined) ?? this.wholeFacts(path, text);
      if (facts) module = { path, text, lines, facts };
    }
    this.modules.set(path, module);
    return module ?? undefined;
  }

  /** The facts of the module's whole text; undefined when it is too large to parse (and noted in `unparsed`). */
  private wholeFacts(path: string, text: string): PyModuleFacts | undefined {
    let tree: Tree | undefined;
    try {
      tree = this.parser.parse(text);
    } catch (error) {
      if (!(error instanceof ParseLimitError)) throw error;
      this.unparsed.set(path, error.message);
      return undefined;
    }
    try {
      return extractModuleFacts(tree, text).facts;
    } finally {
      tree.delete();
    }
  }

  /**
   * A module's facts from its skimmed text (skim.ts): the bodies of functions that never name the cache are
   * parsed only if a rule asks what they hold. Undefined when skimming saves nothing or cannot be trusted: the
   * skimmed text does not parse cleanly, or a skipped body may use the cache through a name without "cache"
   * in it (`from django.core.cache import caches as stores`).
   */
  private skimmedFacts(path: string, text: string, lines: LineIndex): PyModuleFacts | undefined {
    const skimmed = skimFunctionBodies(text, CANDIDATE_HINT);
    if (!skimmed) return undefined;
    let tree: Tree;
    try {
      tree = this.parser.parse(skimmed.text);
    } catch (error) {
      if (error instanceof ParseLimitError) return undefined;
      throw error;
    }
    let facts: PyModuleFacts;
    try {
      if (tree.rootNode.hasError) return undefined;
      facts = extractModuleFacts(tree, skimmed.text).facts;
    } finally {
      tree.delete();
    }
    // In a default, only a name used there (`stores["x"].get(...)`, `make_store()`) can be a use: `timeout=DEFAULT_TIMEOUT` is none.
    const hidden = Object.entries(facts.bindings).some(
      ([local, qualified]) =>
        CACHE_API.test(qualified) &&
        !CANDIDATE_HINT.test(local) &&
        (new RegExp(`\\b${escapeRegExp(local)}\\b`).test(skimmed.skippedText) || new RegExp(`\\b${escapeRegExp(local)}[ \\t]*[.([]`).test(skimmed.skippedParameters)),
    );
    if (hidden) return undefined;
    facts.skipFile = isSkippedFile(text);
    restoreOffsets(facts, skimmed, lines);
    fillOnDemand(facts, skimmed, () => this.wholeFacts(path, text));
    return facts;
  }

  /** The modules parsed so far (candidates and the modules rules resolved into), without parsing any other. */
  parsedModules(): PyModule[] {
    const parsed: PyModule[] = [];
    for (const module of this.modules.values()) if (module) parsed.push(module);
    return parsed;
  }

  /**
   * The project's files that can define a job run on a schedule or by hand: management commands, and modules
   * with a task or signal-receiver decorator (tests aside). Read once per file, until it changes.
   */
  jobFiles(paths: Iterable<string> = this.paths): string[] {
    return [...paths].filter((path) => {
      let flag = this.jobFileFlags.get(path);
      if (flag === undefined) {
        flag = !isPythonTestPath(path) && (COMMAND_PATH.test(path) || mayDefineJob(this.textOf(path) ?? ''));
        this.jobFileFlags.set(path, flag);
      }
      return flag;
    });
  }

  /** Every module whose text can hold a cache API use, parsed. */
  candidateModules(): PyModule[] {
    const result: PyModule[] = [];
    for (const path of this.paths) {
      if (!this.isCandidate(path)) continue;
      const module = this.module(path);
      if (module) result.push(module);
    }
    return result;
  }

  /** Whether `fixed` has syntax errors that `original` did not (fixes must never break a file). */
  introducesSyntaxError(original: string, fixed: string): boolean {
    const hasError = (text: string): boolean | undefined => {
      let tree: Tree;
      try {
        tree = this.parser.parse(text);
      } catch (error) {
        if (error instanceof ParseLimitError) return undefined;
        throw error;
      }
      try {
        return tree.rootNode.hasError;
      } finally {
        tree.delete();
      }
    };
    const fixedHasError = hasError(fixed);
    // A fixed text too large to parse cannot be checked: never write it.
    return fixedHasError === undefined || (fixedHasError && !(hasError(original) ?? false));
  }

  resolveModule(name: string, fromPath: string): PyModule | undefined {
    const path = this.resolver.resolve(name, fromPath);
    return path === undefined ? undefined : this.module(path);
  }

  /** Resolves a qualified name (`catalog.views.detail`, `.views.Detail.get`) to a module and the rest of the name. */
  resolveQualified(qualified: string, fromPath: string): { module: PyModule; rest: string[] } | undefined {
    if (qualified.startsWith('<local>.')) {
      const module = this.module(fromPath);
      return module ? { module, rest: qualified.slice('<local>.'.length).split('.') } : undefined;
    }
    const leadingDots = /^\.*/.exec(qualified)![0];
    const parts = qualified.slice(leadingDots.length).split('.');
    for (let cut = parts.length - 1; cut >= (leadingDots ? 0 : 1); cut--) {
      const moduleName = leadingDots + parts.slice(0, cut).join('.');
      const module = this.resolveModule(moduleName, fromPath);
      if (module) return { module, rest: parts.slice(cut) };
    }
    return undefined;
  }

  /** A function (or `Class.method`) by qualified name, following re-exports one step at a time. */
  resolveFunction(qualified: string, fromPath: string, depth = 0): ResolvedFunction | undefined {
    const target = this.resolveQualified(qualified, fromPath);
    if (!target || depth > 5) return undefined;
    const qualname = target.rest.join('.');
    const index = functionIndexOf(target.module.facts, qualname);
    if (index >= 0) return { module: target.module, index, fn: target.module.facts.functions[index] };
    const reexport = target.module.facts.bindings[target.rest[0]];
    if (reexport && !reexport.startsWith('<local>.')) {
      return this.resolveFunction([reexport, ...target.rest.slice(1)].join('.'), target.module.path, depth + 1);
    }
    return undefined;
  }

  /** A module-level constant by name as seen from `module` (its own, or imported). */
  resolveConstant(module: PyModule, name: string, depth = 0): { expr: Expr; module: PyModule } | undefined {
    if (depth > 6) return undefined;
    const own = lastAssignment(module, name);
    if (own) return { expr: own, module };
    const bound = module.facts.bindings[name];
    if (bound && !bound.startsWith('<local>.') && !bound.startsWith('django.')) {
      const target = this.resolveQualified(bound, module.path);
      if (target && target.rest.length === 1) return this.resolveConstant(target.module, target.rest[0], depth + 1);
    }
    for (const star of module.facts.starImports) {
      const imported = this.resolveModule(star.module, module.path);
      if (imported && imported !== module) {
        const found = this.resolveConstant(imported, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The scope in which a key expression at `functionIndex` of `module` is read. */
  keyScope(module: PyModule, functionIndex: number, before = Number.POSITIVE_INFINITY): KeyScope {
    const fn = functionIndex >= 0 ? module.facts.functions[functionIndex] : undefined;
    const moduleScope = (target: PyModule): KeyScope => this.keyScope(target, -1);
    return {
      valueOf: (expr) => {
        if (expr.kind === 'name') {
          if (fn) {
            if (fn.params.includes(expr.id)) return undefined;
            const local = fn.assignments.filter((assignment) => assignment.targets.length === 1 && assignment.targets[0] === expr.id && assignment.value.start < before);
            if (local.length > 0) return { expr: local[local.length - 1].value, scope: this.keyScope(module, functionIndex, local[local.length - 1].value.start) };
            if (fn.assignments.some((assignment) => assignment.targets.includes(expr.id))) return undefined;
          }
          const constant = this.resolveConstant(module, expr.id);
          return constant ? { expr: constant.expr, scope: moduleScope(constant.module) } : undefined;
        }
        if (expr.kind === 'attribute' && expr.object.kind === 'name') {
          const bound = module.facts.bindings[expr.object.id];
          if (!bound || bound.startsWith('django.')) return undefined;
          const target = this.resolveModule(bound, module.path);
          const constant = target ? this.resolveConstant(target, expr.attribute) : undefined;
          return constant ? { expr: constant.expr, scope: moduleScope(constant.module) } : undefined;
        }
        return undefined;
      },
      helperOf: (callee) => {
        let resolved: ResolvedFunction | undefined;
        if (callee.kind === 'name') {
          const bound = module.facts.bindings[callee.id];
          if (bound) resolved = this.resolveFunction(bound, module.path);
        } else if (callee.kind === 'attribute' && callee.object.kind === 'name' && callee.object.id === 'self' && fn?.className) {
          const index = functionIndexOf(module.facts, `${fn.className}.${callee.attribute}`);
          if (index >= 0) resolved = { module, index, fn: module.facts.functions[index] };
        } else if (callee.kind === 'attribute' && callee.object.kind === 'name') {
          const bound = module.facts.bindings[callee.object.id];
          if (bound && !bound.startsWith('django.')) resolved = this.resolveFunction(`${bound}.${callee.attribute}`, module.path);
        }
        if (!resolved?.fn.returnExpr) return undefined;
        const params = resolved.fn.className ? resolved.fn.params.slice(1) : resolved.fn.params;
        return { params, body: resolved.fn.returnExpr, scope: this.keyScope(resolved.module, resolved.index) };
      },
    };
  }

  /** The key template of a key expression; remembered per expression until the project's constants change. */
  keyTemplateAt(module: PyModule, functionIndex: number, key: Expr): string {
    let template = this.templates.get(key);
    if (template === undefined) {
      template = keyTemplate(key, this.keyScope(module, functionIndex, key.start));
      this.templates.set(key, template);
    }
    return template;
  }

  /**
   * What the whole project says, each part computed when first read: the invalidations follow every call of a
   * delete helper (parsing each module that calls one, though it never names the cache), so a rule that needs only
   * the page-cache aliases, or the object as the key of its own memo, does not pay for them. Replaced whenever a
   * file changes.
   */
  facts(): ProjectFacts {
    if (!this.projectFacts) {
      let invalidation: Invalidation | undefined;
      let aliases: Set<string> | undefined;
      const invalidationOf = (): Invalidation => (invalidation ??= this.computeInvalidation());
      const aliasesOf = (): Set<string> => (aliases ??= new Set(this.candidateModules().flatMap(pageCacheAliasesOf)));
      this.projectFacts = {
        get invalidated() {
          return invalidationOf().invalidated;
        },
        get refreshSites() {
          return invalidationOf().refreshSites;
        },
        get invalidatedFragments() {
          return invalidationOf().invalidatedFragments;
        },
        get pageCacheAliases() {
          return aliasesOf();
        },
      };
    }
    return this.projectFacts;
  }

  private computeInvalidation(): Invalidation {
    const invalidated: string[] = [];
    const refreshSites = new Map<string, number>();
    const invalidatedFragments = new Set<string>();
    const deleteHelpers: { fn: ResolvedFunction; paramIndex: number }[] = [];
    const fragmentHelpers: { fn: ResolvedFunction; paramIndex: number; invalidates: boolean }[] = [];
    const fragmentKeyBuilders: { fn: ResolvedFunction; name: string }[] = [];
    const modules = this.candidateModules();
    for (const module of modules) {
      const contribution = this.contributionOf(module);
      for (const helper of contribution.fragmentHelpers) {
        fragmentHelpers.push({ fn: { module, index: helper.index, fn: module.facts.functions[helper.index] }, paramIndex: helper.paramIndex, invalidates: helper.invalidates });
      }
      for (const builder of contribution.fragmentKeyBuilders) {
        fragmentKeyBuilders.push({ fn: { module, index: builder.index, fn: module.facts.functions[builder.index] }, name: builder.name });
      }
      for (const name of contribution.invalidatedFragments) invalidatedFragments.add(name);
      for (const template of contribution.deleted) invalidated.push(template);
      for (const template of contribution.refreshed) refreshSites.set(template, (refreshSites.get(template) ?? 0) + 1);
      for (const helper of contribution.deleteHelpers) {
        deleteHelpers.push({ fn: { module, index: helper.index, fn: module.facts.functions[helper.index] }, paramIndex: helper.paramIndex });
      }
    }
    // Calls of helpers that delete their argument (`def invalidate(key): cache.delete(key)`) invalidate that argument.
    for (const { module, call, helper } of this.helperCalls(modules, deleteHelpers)) {
      const argument = call.args[helper.fn.fn.className ? helper.paramIndex - 1 : helper.paramIndex];
      if (argument) invalidated.push(this.keyTemplateAt(module, call.functionIndex, argument));
    }
    // Fragment helpers (`def forget_fragment(name, *args): cache.delete(make_template_fragment_key(name, args))`):
    // a call with a constant name invalidates that fragment; a key-building helper counts where the caller deletes or overwrites.
    for (const { module, call, helper } of this.helperCalls(modules, fragmentHelpers)) {
      if (!(helper.invalidates || writingFunctions(module).has(call.functionIndex))) continue;
      const argument = call.args[helper.fn.fn.className ? helper.paramIndex - 1 : helper.paramIndex];
      const name = argument ? constantValue(argument, this.keyScope(module, call.functionIndex)) : undefined;
      if (typeof name === 'string') invalidatedFragments.add(name);
    }
    // Key builders (`def course_key(course_id, lang): return make_template_fragment_key("course", [course_id, lang])`):
    // a caller that deletes or overwrites cache entries (`caches["results"].delete(course_key(c.id, "en"))`) invalidates the fragment.
    for (const { module, call, helper } of this.helperCalls(modules, fragmentKeyBuilders)) {
      if (writingFunctions(module).has(call.functionIndex)) invalidatedFragments.add(helper.name);
    }
    return { invalidated, refreshSites, invalidatedFragments };
  }

  /**
   * Each call of one of `helpers`, in `modules` or in any other module naming one (callers need not mention the
   * cache themselves: `from .cache_utils import invalidate`): found by name, then resolved to the helper.
   */
  private helperCalls<T extends { fn: ResolvedFunction }>(modules: PyModule[], helpers: T[]): { module: PyModule; call: PlainCall; helper: T }[] {
    if (helpers.length === 0) return [];
    const names = helpers.map((helper) => helper.fn.fn.name);
    const found: { module: PyModule; call: PlainCall; helper: T }[] = [];
    for (const module of this.callersOf(modules, helpers.map((helper) => helper.fn.fn))) {
      for (const call of callsByName(module, names)) {
        const target = this.resolveFunction(call.callee, module.path);
        const helper = target && helpers.find((candidate) => candidate.fn.module === target.module && candidate.fn.index === target.index);
        if (helper) found.push({ module, call, helper });
      }
    }
    return found;
  }

  /**
   * The given modules, and every other module (tests aside) whose text calls one of the functions. Methods are
   * left out: a call is only known by a name the module binds (`invalidate(key)`), never through an object
   * (`store.delete(key)`), so a module calling a method by its name (often `delete`) could not reach it anyway.
   */
  callersOf(modules: PyModule[], functions: FunctionFacts[]): PyModule[] {
    // Names past MAX_PATTERN_NAME would make the regex too large for V8 (and are not real code).
    const usable = [...new Set(functions.filter((fn) => fn.className === null).map((fn) => fn.name))].filter((name) => name.length <= MAX_PATTERN_NAME);
    if (usable.length === 0) return modules;
    const callsHelper = new RegExp(`\\b(?:${usable.join('|')})[ \\t]*\\(`);
    const callers = [...modules];
    for (const path of this.paths) {
      if (this.isCandidate(path) || isPythonTestPath(path) || !callsHelper.test(this.textOf(path) ?? '')) continue;
      const module = this.module(path);
      if (module) callers.push(module);
    }
    return callers;
  }

  private contributionOf(module: PyModule): ModuleContribution {
    const cached = this.contributions.get(module.path);
    if (cached) return cached;
    const contribution: ModuleContribution = { deleted: [], deleteHelpers: [], refreshed: [], invalidatedFragments: [], fragmentHelpers: [], fragmentKeyBuilders: [] };
    // make_template_fragment_key("name", ...) in a function that deletes (or overwrites) cache entries invalidates that fragment.
    const deletingFunctions = module.facts.fragmentKeyCalls.length > 0 ? writingFunctions(module) : new Set<number>();
    for (const fragmentCall of module.facts.fragmentKeyCalls) {
      const fn = fragmentCall.functionIndex >= 0 ? module.facts.functions[fragmentCall.functionIndex] : undefined;
      const paramIndex = fn && fragmentCall.name?.kind === 'name' ? fn.params.indexOf(fragmentCall.name.id) : -1;
      if (paramIndex >= 0) {
        contribution.fragmentHelpers.push({ index: fragmentCall.functionIndex, paramIndex, invalidates: deletingFunctions.has(fragmentCall.functionIndex) });
        continue;
      }
      if (!fragmentCall.name) continue;
      const name = constantValue(fragmentCall.name, this.keyScope(module, fragmentCall.functionIndex));
      if (typeof name !== 'string') continue;
      if (deletingFunctions.has(fragmentCall.functionIndex)) contribution.invalidatedFragments.push(name);
      else if (fn?.returnExpr && fn.returnExpr.start === fragmentCall.span.start && fn.returnExpr.end === fragmentCall.span.end) {
        contribution.fragmentKeyBuilders.push({ index: fragmentCall.functionIndex, name });
      }
    }
    for (const call of module.facts.cacheCalls) {
      const keys = keyExpressions(call.method, call.args, call.keywords);
      if (DELETE_METHODS.has(call.method)) {
        for (const key of keys) {
          const paramIndex = deletedParameter(module, call, key);
          if (paramIndex >= 0) contribution.deleteHelpers.push({ index: call.functionIndex, paramIndex });
          else contribution.deleted.push(this.keyTemplateAt(module, call.functionIndex, key));
        }
      } else if (REFRESH_METHODS.has(call.method)) {
        for (const key of keys) contribution.refreshed.push(this.keyTemplateAt(module, call.functionIndex, key));
      }
    }
    for (const call of module.facts.otherCacheWrites) {
      const keys = keyExpressions(call.method, call.args, call.keywords);
      const into = DELETE_METHODS.has(call.method) ? contribution.deleted : contribution.refreshed;
      for (const key of keys) into.push(this.keyTemplateAt(module, call.functionIndex, key));
    }
    this.contributions.set(module.path, contribution);
    return contribution;
  }
}

/** The cache aliases the module's `cache_page(cache=...)` calls name. */
function pageCacheAliasesOf(module: PyModule): string[] {
  const aliases = new Set<string>();
  for (const call of cachePageCalls(module)) if (call.kind === 'call' && call.keywords.cache?.kind === 'string') aliases.add(call.keywords.cache.value);
  return [...aliases];
}

/** The parameter a delete passes through as its key (`def invalidate(key): cache.delete(key)`: a delete helper), or -1. */
export function deletedParameter(module: PyModule, call: { method: string; functionIndex: number }, key: Expr): number {
  if (!DELETE_METHODS.has(call.method) || key.kind !== 'name') return -1;
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  return fn ? fn.params.indexOf(key.id) : -1;
}

/** Functions (by index; -1 for module level) that delete cache entries or overwrite them with set/set_many. */
function writingFunctions(module: PyModule): Set<number> {
  return new Set(module.facts.cacheCalls.filter((call) => DELETE_METHODS.has(call.method) || REFRESH_METHODS.has(call.method)).map((call) => call.functionIndex));
}

function lastAssignment(module: PyModule, name: string): Expr | undefined {
  const assignments = module.facts.assignments;
  for (let i = assignments.length - 1; i >= 0; i--) if (assignments[i].name === name) return assignments[i].value;
  return undefined;
}

/** The key expressions a cache call names: one key, or the keys of a `*_many` call's dict or list literal. */
export function keyExpressions(method: string, args: Expr[], keywords: Record<string, Expr>): Expr[] {
  const bare = syncMethodName(method);
  if (bare === 'set_many') {
    const mapping = args[0] ?? keywords.data;
    return mapping?.kind === 'dict' ? mapping.entries.flatMap((entry) => (entry.key ? [entry.key] : [])) : [];
  }
  if (bare === 'delete_many' || bare === 'get_many') {
    const list = args[0] ?? keywords.keys;
    return list?.kind === 'sequence' ? list.items : [];
  }
  const key = args[0] ?? keywords.key;
  return key ? [key] : [];
}

/** Strips the `a` of Django's async cache methods (`aset` -> `set`); `add` is not async. */
export function syncMethodName(method: string): string {
  return method.startsWith('a') && method !== 'add' ? method.slice(1) : method;
}

/**
 * The module's calls whose callee ends in one of `names` (`invalidate(...)`, `utils.invalidate(...)`): the only
 * calls that can reach a function of that name. Resolving every call would parse every callee's module.
 */
export function callsByName(module: PyModule, names: readonly string[]): PlainCall[] {
  const wanted = new Set(names);
  return (keptCallsNaming(module.facts, names) ?? module.facts.calls).filter((call) => wanted.has(call.callee.slice(call.callee.lastIndexOf('.') + 1)));
}

/**
 * Whether two versions of a module define the same constants and bindings, which other modules' key templates
 * read. A keystroke keeps the unchanged statements' values as the same objects, so most compare by identity.
 */
function sameConstants(before: PyModule | null | undefined, after: PyModule | null | undefined): boolean {
  const earlier = before?.facts.assignments ?? [];
  const later = after?.facts.assignments ?? [];
  if (earlier.length !== later.length) return false;
  for (let index = 0; index < earlier.length; index++) {
    const [a, b] = [earlier[index], later[index]];
    if (a.name !== b.name || (a.value !== b.value && JSON.stringify(a.value) !== JSON.stringify(b.value))) return false;
  }
  const [a, b] = [before?.facts.bindings ?? {}, after?.facts.bindings ?? {}];
  // An open document keeps its bindings object while they stay the same (extractModuleFacts).
  if (a === b) return true;
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => a[name] === b[name]);
}
