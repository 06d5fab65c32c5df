/**
 * The project's cache at a glance: every key template the workspace index knows, with its writes (and
 * their timeouts), reads and invalidations, the backend alias, and the findings that concern it.
 *
 * Built from what the workspace already holds (Python facts, template outlines, TS/JS syntax trees and
 * the project-wide facts the cross-file rules computed): no file is parsed a second time, and the only
 * first parses are of a module a helper call resolves into that no rule needed (the bench counts them).
 */
import type { Workspace } from './workspace.js';
import { invalidates, isContentAddressed, isOpaque, joinTemplate, HOLE } from '../analysis/keys.js';
import type { Expr } from '../analysis/python/expr.js';
import type { CacheCall, PlainCall } from '../analysis/python/facts.js';
import { constantValue, type KeyScope } from '../analysis/python/key-template.js';
import { isPythonTestPath, moduleNameOf } from '../analysis/python/modules.js';
import { callsByName, deletedParameter, DELETE_METHODS, keyExpressions, REFRESH_METHODS, STORE_METHODS, syncMethodName, type PyModule, type PythonProject, type ResolvedFunction } from '../analysis/python/project.js';
import { Q } from '../analysis/python/qualified-names.js';
import { SettingsIndex } from '../analysis/python/settings.js';
import { DEFAULT_CONFIG } from '../analysis/config.js';
import type { LineIndex } from '../analysis/text.js';
import { creationTtls, defaultExpiry, describeCall, invalidatedKeys, listedPattern, methodName, type StoreOperation } from '../analysis/typescript/calls.js';
import { isTestPath } from '../analysis/typescript/load.js';
import { deleteHelper, helperCallArguments, ownerOf, type Client, type TsModule, type TypeScriptProject } from '../analysis/typescript/project.js';
import { spanOf as tsSpanOf, type FunctionLike } from '../analysis/typescript/syntax.js';
import type { Finding, Position, Span } from '../analysis/types.js';
import { sourceText, timeoutArgument } from '../rules/python-helpers.js';
import { assignmentsInForce, cacheAliases, constantSetting } from '../rules/settings-helpers.js';
import { isSignalReceiver, writtenByJob } from '../rules/stale-keys.js';
import { completeCacheBlocks, unquoted } from '../rules/template-helpers.js';
import { pageCacheUses, type PageCacheUse } from '../rules/view-resolution.js';

export interface KeyMap {
  keys: KeyEntry[];
}

export type KeyProblem = 'never-invalidated' | 'per-user-leak' | 'collision';

export interface KeyFinding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  path: string;
  /** 1-based line and column (UTF-16 code units, as in KeySite). */
  line: number;
  column: number;
}

export interface KeyEntry {
  /** Key template with holes as `{}` (`catalog:book:{}`), a fragment name, or a cached view (`catalog.views.book_list`). */
  key: string;
  kind: 'key' | 'fragment' | 'page';
  language: 'python' | 'template' | 'typescript';
  /** Django CACHES alias, TS client name, null when unknown. */
  alias: string | null;
  /** Over all writes: every write never expires, every one does, some never do, or it cannot be told. */
  expires: 'never' | 'always' | 'sometimes' | 'unknown';
  invalidated: boolean;
  problems: KeyProblem[];
  writes: KeySite[];
  reads: KeySite[];
  invalidations: KeySite[];
  findings: KeyFinding[];
}

export interface KeySite {
  path: string;
  /** 1-based; columns count UTF-16 code units (the CLI's JSON turns them into code points, like check's). */
  line: number;
  column: number;
  /** Exclusive end, 1-based. */
  endLine: number;
  endColumn: number;
  method: string;
  /** Writes only. */
  timeout?: Timeout;
  /** Invalidations only: delete, delete_many, overwrite, signal, fragment-key, version, content, clear, expire, pattern. */
  how?: string;
  /** Page writes only: the request headers the cached page varies on (below cache_page, or patch_vary_headers). */
  vary?: string[];
}

export type Timeout =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'never' }
  /** The backend's default. `seconds` null with a `from`: the default is no expiry (`"TIMEOUT": None`); `from` is "path:line" or "Django default (300 s)". */
  | { kind: 'default'; seconds: number | null; from: string | null }
  | { kind: 'unknown'; text: string };

export interface KeyMapOptions {
  /** Keep only keys with a site in one of these files. */
  paths?: string[];
  /** Findings of `workspace.check()` already at hand (the server's, the CLI's): the rules are not run again. */
  findings?: Finding[];
}

const NEVER_INVALIDATED_CODES = new Set(['CACHE001', 'CACHE007', 'CACHE104', 'CACHE201']);
const LEAK_CODES = new Set(['CACHE002', 'CACHE004', 'CACHE101', 'CACHE202']);
const COLLISION_CODES = new Set(['CACHE102']);

/** Django's own default TIMEOUT, and CACHE_MIDDLEWARE_SECONDS (what `cache_page(None)` falls back to). */
const DJANGO_DEFAULT_TIMEOUT = 300;
const DJANGO_MIDDLEWARE_SECONDS = 600;

/** A site while the map is built: where findings attach, and what makes a write a refresh. */
interface SiteDraft {
  site: KeySite;
  path: string;
  /** Regions whose findings concern this site (0-based positions). */
  regions: { start: Position; end: Position }[];
  /** Regions inside `regions` that belong to another key of the same call (`delete_many([a, b])`). */
  excluded: { start: Position; end: Position }[];
  /** Writes: re-sets the key where the data changes (`signal`, `job`), or a plain set that is not a cache-aside fill. */
  refresh?: 'signal' | 'job' | 'plain';
  /** A write in a TS/JS function nothing calls: nothing it stores needs refreshing. */
  dead?: boolean;
}

interface EntryDraft {
  key: string;
  kind: KeyEntry['kind'];
  language: KeyEntry['language'];
  alias: string | null;
  writes: SiteDraft[];
  reads: SiteDraft[];
  invalidations: SiteDraft[];
}

/** A function that stores or reads the key it is given (`def safe_cache_set(key, value, timeout): cache.set(key, value, timeout)`). */
interface AccessHelper {
  module: PyModule;
  index: number;
  paramIndex: number;
  call: CacheCall;
}

/** A TS/JS function that deletes, stores or reads the key it is given as its `index`-th parameter. */
interface TsHelper {
  module: TsModule;
  fn: FunctionLike;
  index: number;
  name: string;
  kind: 'delete' | 'store' | 'get';
  alias: string | null;
  how?: string;
  client?: Client;
  operation?: StoreOperation;
}

/** An invalidation before it is matched to the keys it removes (a template with holes may remove several). */
interface PendingInvalidation {
  language: KeyEntry['language'] | 'python-fragment';
  template: string;
  alias: string | null;
  draft: SiteDraft;
}

export function buildKeyMap(workspace: Workspace, options: KeyMapOptions = {}): KeyMap {
  const builder = new KeyMapBuilder(workspace);
  builder.python();
  builder.templates();
  builder.typescript();
  return builder.finish(options.findings ?? workspace.check(), options.paths);
}

/** A key entry whose sites and findings are of other types (URIs for the LSP). */
export type KeyEntryOf<S, F> = Omit<KeyEntry, 'writes' | 'reads' | 'invalidations' | 'findings'> & { writes: S[]; reads: S[]; invalidations: S[]; findings: F[] };

/** Every entry with its sites and findings rewritten (columns for the CLI, URIs for the LSP). */
export function mapKeySites<S, F>(keys: readonly KeyEntry[], site: (item: KeySite) => S, finding: (item: KeyFinding) => F): KeyEntryOf<S, F>[] {
  return keys.map((entry) => ({
    ...entry,
    writes: entry.writes.map(site),
    reads: entry.reads.map(site),
    invalidations: entry.invalidations.map(site),
    findings: entry.findings.map(finding),
  }));
}

/** A default timeout's "path:line" (where the default is set) with its path rewritten; other timeouts as they are. */
export function timeoutWithPath(timeout: Timeout | undefined, convert: (path: string) => string): Timeout | undefined {
  if (timeout?.kind !== 'default' || !timeout.from) return timeout;
  const place = /^(.*):(\d+)$/.exec(timeout.from);
  return place ? { ...timeout, from: `${convert(place[1])}:${place[2]}` } : timeout;
}

class KeyMapBuilder {
  private readonly entries = new Map<string, EntryDraft>();
  private readonly pending: PendingInvalidation[] = [];
  private readonly clears: { alias: string | null; draft: SiteDraft }[] = [];
  private cacheSettings: CacheSettings | undefined;

  constructor(private readonly workspace: Workspace) {}

  private entry(language: KeyEntry['language'], kind: KeyEntry['kind'], key: string, alias: string | null): EntryDraft {
    const id = JSON.stringify([language, kind, alias, key]);
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { key, kind, language, alias, writes: [], reads: [], invalidations: [] };
      this.entries.set(id, entry);
    }
    return entry;
  }

  private settings(): CacheSettings {
    this.cacheSettings ??= readCacheSettings(this.workspace);
    return this.cacheSettings;
  }

  // ---- Python: cache calls, delete helpers, fragment key deletes, cache_page ----

  python(): void {
    const project = this.workspace.python;
    const modules = project.candidateModules();
    const deleteHelpers: { module: PyModule; index: number; paramIndex: number; method: string }[] = [];
    const fragmentHelpers: { module: PyModule; index: number; paramIndex: number; invalidates: boolean }[] = [];
    const accessHelpers: AccessHelper[] = [];
    for (const module of modules) {
      const filled = fillsOf(project, module);
      for (const call of module.facts.cacheCalls) {
        const method = syncMethodName(call.method);
        const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
        if (method === 'clear') {
          this.clears.push({ alias: call.alias, draft: draftAt(module.path, module.lines, call.span, call.method, { how: 'clear' }) });
          continue;
        }
        const keys = keyExpressions(call.method, call.args, call.keywords);
        for (const key of keys) {
          const excluded = keys.filter((other) => other !== key);
          const deleted = deletedParameter(module, call, key);
          if (deleted >= 0) {
            deleteHelpers.push({ module, index: call.functionIndex, paramIndex: deleted, method: call.method });
            continue;
          }
          const template = project.keyTemplateAt(module, call.functionIndex, key);
          if (isOpaque(template)) {
            // `def safe_cache_set(key, value, timeout=...): cache.set(key, value, timeout)`: shown where it is called.
            const paramIndex = key.kind === 'name' && fn ? fn.params.indexOf(key.id) : -1;
            if (paramIndex >= 0 && keys.length === 1 && (STORE_METHODS.has(call.method) || method === 'get')) accessHelpers.push({ module, index: call.functionIndex, paramIndex, call });
            continue;
          }
          const draft = draftAt(module.path, module.lines, call.span, call.method, {}, excluded);
          if (STORE_METHODS.has(call.method) || method === 'incr' || method === 'decr') {
            if (STORE_METHODS.has(call.method)) draft.site.timeout = this.pythonTimeout(project, module, call);
            draft.refresh = refreshKind(project, module, call, filled.has(`${call.functionIndex}\0${template}`));
            const entry = this.entry('python', 'key', template, call.alias);
            entry.writes.push(draft);
            if (isContentAddressed(template) || isContentAddressed(sourceText(module, key))) {
              const how = /version/i.test(sourceText(module, key)) ? 'version' : 'content';
              entry.invalidations.push(draftAt(module.path, module.lines, key, 'key', { how }));
            }
          } else if (method === 'get' || method === 'get_many' || method === 'has_key') {
            this.entry('python', 'key', template, call.alias).reads.push(draft);
          } else if (DELETE_METHODS.has(call.method)) {
            draft.site.how = method;
            this.pending.push({ language: 'python', template, alias: call.alias, draft });
          } else if (method === 'incr_version' || method === 'decr_version') {
            draft.site.how = 'version';
            this.pending.push({ language: 'python', template, alias: call.alias, draft });
          }
        }
      }
      // The project's own cache objects (`self.cache.delete(key)`): no alias, located by their key.
      for (const call of module.facts.otherCacheWrites) {
        for (const key of keyExpressions(call.method, call.args, call.keywords)) {
          const template = project.keyTemplateAt(module, call.functionIndex, key);
          if (isOpaque(template)) continue;
          const draft = draftAt(module.path, module.lines, key, call.method);
          if (DELETE_METHODS.has(call.method)) {
            draft.site.how = call.method;
            this.pending.push({ language: 'python', template, alias: null, draft });
          } else {
            draft.site.timeout = this.ownCacheTimeout(project, module, call);
            draft.refresh = 'plain';
            this.entry('python', 'key', template, null).writes.push(draft);
          }
        }
      }
      this.fragmentKeyDeletes(project, module, fragmentHelpers);
      this.pages(project, module);
    }
    this.helperCalls(project, modules, deleteHelpers, fragmentHelpers, accessHelpers);
  }

  /** A call of a store or read helper: a write with the timeout the caller passes (or the helper's own), or a read. */
  private accessHelperCall(project: PythonProject, module: PyModule, call: PlainCall, target: ResolvedFunction, helper: AccessHelper): void {
    const offset = target.fn.className ? 1 : 0;
    const argument = call.args[helper.paramIndex - offset];
    const template = argument ? project.keyTemplateAt(module, call.functionIndex, argument) : undefined;
    if (!template || isOpaque(template)) return;
    const draft = draftAt(module.path, module.lines, call.span, `${target.fn.name}()`);
    const entry = this.entry('python', 'key', template, helper.call.alias);
    if (!STORE_METHODS.has(helper.call.method)) {
      entry.reads.push(draft);
      return;
    }
    const inner = timeoutArgument(helper.call);
    const passed = inner?.kind === 'name' ? target.fn.params.indexOf(inner.id) : -1;
    if (!inner) draft.site.timeout = this.settings().defaultTimeout(helper.call.alias);
    else if (passed < 0) draft.site.timeout = this.timeoutOf(project, helper.module, helper.index, inner, helper.call.span.start);
    else {
      const outer = call.args[passed - offset];
      draft.site.timeout = outer ? this.timeoutOf(project, module, call.functionIndex, outer, call.span.start) : { kind: 'unknown', text: `the default of ${target.fn.name}()` };
    }
    entry.writes.push(draft);
  }

  private pythonTimeout(project: PythonProject, module: PyModule, call: CacheCall): Timeout {
    const argument = timeoutArgument(call);
    return argument ? this.timeoutOf(project, module, call.functionIndex, argument, call.span.start) : this.settings().defaultTimeout(call.alias);
  }

  /** A store through the project's own cache object: its timeout argument if Django's position holds one, else its default (unknown). */
  private ownCacheTimeout(project: PythonProject, module: PyModule, call: PyModule['facts']['otherCacheWrites'][number]): Timeout {
    const argument = timeoutArgument({ method: call.method, args: call.args, keywords: call.keywords } as CacheCall);
    return argument ? this.timeoutOf(project, module, call.functionIndex, argument) : { kind: 'unknown', text: 'the default of a project cache object' };
  }

  /** A timeout expression: None, a number (constants and settings followed), or its source text. */
  private timeoutOf(project: PythonProject, module: PyModule, functionIndex: number, argument: Expr, before?: number): Timeout {
    const scope = this.withSettings(project, module, project.keyScope(module, functionIndex, before));
    if (argument.kind === 'none' || scope.valueOf(argument)?.expr.kind === 'none') return { kind: 'never' };
    const value = constantValue(argument, scope);
    return typeof value === 'number' ? { kind: 'seconds', seconds: value } : { kind: 'unknown', text: sourceText(module, argument) };
  }

  /** A scope in which `settings.NAME` (django.conf.settings) is the value the settings modules give NAME. */
  private withSettings(project: PythonProject, module: PyModule, scope: KeyScope): KeyScope {
    return {
      valueOf: (expr) => {
        if (expr.kind === 'attribute' && expr.object.kind === 'name' && module.facts.bindings[expr.object.id] === 'django.conf.settings') {
          const found = this.settings().setting(expr.attribute);
          return found ? { expr: found.value, scope: project.keyScope(found.module, -1) } : undefined;
        }
        return scope.valueOf(expr);
      },
      helperOf: (callee) => scope.helperOf(callee),
    };
  }

  /** `cache.delete(make_template_fragment_key("name", ...))` and the helpers that build or delete such keys from a parameter. */
  private fragmentKeyDeletes(project: PythonProject, module: PyModule, helpers: { module: PyModule; index: number; paramIndex: number; invalidates: boolean }[]): void {
    const writing = writingFunctions(module);
    for (const fragmentCall of module.facts.fragmentKeyCalls) {
      const fn = fragmentCall.functionIndex >= 0 ? module.facts.functions[fragmentCall.functionIndex] : undefined;
      const paramIndex = fn && fragmentCall.name?.kind === 'name' ? fn.params.indexOf(fragmentCall.name.id) : -1;
      if (paramIndex >= 0) {
        helpers.push({ module, index: fragmentCall.functionIndex, paramIndex, invalidates: writing.has(fragmentCall.functionIndex) });
        continue;
      }
      if (!fragmentCall.name || !writing.has(fragmentCall.functionIndex)) continue;
      const name = constantValue(fragmentCall.name, project.keyScope(module, fragmentCall.functionIndex));
      if (typeof name !== 'string') continue;
      this.pending.push({ language: 'python-fragment', template: name, alias: null, draft: draftAt(module.path, module.lines, fragmentCall.span, 'make_template_fragment_key', { how: 'fragment-key' }) });
    }
  }

  /** Calls of the project's delete, fragment-key, store and read helpers. */
  private helperCalls(
    project: PythonProject,
    modules: PyModule[],
    deleteHelpers: { module: PyModule; index: number; paramIndex: number; method: string }[],
    fragmentHelpers: { module: PyModule; index: number; paramIndex: number; invalidates: boolean }[],
    accessHelpers: AccessHelper[],
  ): void {
    if (deleteHelpers.length === 0 && fragmentHelpers.length === 0 && accessHelpers.length === 0) return;
    const nameOf = (helper: { module: PyModule; index: number }): string => helper.module.facts.functions[helper.index].name;
    const names = [...new Set([...deleteHelpers, ...fragmentHelpers, ...accessHelpers].map(nameOf))];
    // The rules already read every caller of a delete or fragment-key helper; store and read helpers are looked
    // for in the modules parsed so far only (a common name like `get` would otherwise parse half the project).
    const callers = new Set(deleteHelpers.length + fragmentHelpers.length > 0 ? project.callersOf(modules, [...deleteHelpers, ...fragmentHelpers].map((helper) => helper.module.facts.functions[helper.index])) : modules);
    if (accessHelpers.length > 0) for (const module of project.parsedModules()) callers.add(module);
    for (const module of callers) {
      if (isPythonTestPath(module.path)) continue;
      const writing = writingFunctions(module);
      for (const call of callsByName(module, names)) {
        const target = project.resolveFunction(call.callee, module.path);
        if (!target) continue;
        const argumentOf = (paramIndex: number): Expr | undefined => call.args[target.fn.className ? paramIndex - 1 : paramIndex];
        for (const helper of deleteHelpers) {
          if (helper.module !== target.module || helper.index !== target.index) continue;
          const argument = argumentOf(helper.paramIndex);
          const template = argument ? project.keyTemplateAt(module, call.functionIndex, argument) : undefined;
          if (!template || isOpaque(template)) continue;
          const how = syncMethodName(helper.method);
          this.pending.push({ language: 'python', template, alias: null, draft: draftAt(module.path, module.lines, call.span, `${target.fn.name}()`, { how }) });
        }
        for (const helper of accessHelpers) {
          if (helper.module === target.module && helper.index === target.index) this.accessHelperCall(project, module, call, target, helper);
        }
        for (const helper of fragmentHelpers) {
          if (helper.module !== target.module || helper.index !== target.index || !(helper.invalidates || writing.has(call.functionIndex))) continue;
          const argument = argumentOf(helper.paramIndex);
          const name = argument ? constantValue(argument, project.keyScope(module, call.functionIndex)) : undefined;
          if (typeof name !== 'string') continue;
          this.pending.push({ language: 'python-fragment', template: name, alias: null, draft: draftAt(module.path, module.lines, call.span, `${target.fn.name}()`, { how: 'fragment-key' }) });
        }
      }
    }
  }

  /** One page entry per cached view, with its timeout and the headers it varies on. */
  private pages(project: PythonProject, module: PyModule): void {
    for (const use of pageCacheUses(module, project)) {
      const draft = draftAt(module.path, module.lines, use.span, 'cache_page');
      for (const applied of use.above) if (applied.decorator) draft.regions.push(module.lines.rangeOf(applied.decorator.span));
      draft.site.timeout = this.pageTimeout(project, module, use);
      draft.site.vary = varyOf(use);
      const alias = use.cachePage?.kind === 'call' && use.cachePage.keywords.cache ? constantValue(use.cachePage.keywords.cache, project.keyScope(module, -1)) : undefined;
      this.entry('python', 'page', this.pageName(module, use), typeof alias === 'string' ? alias : this.settings().pageAlias).writes.push(draft);
    }
  }

  private pageTimeout(project: PythonProject, module: PyModule, use: PageCacheUse): Timeout {
    const call = use.cachePage?.kind === 'call' ? use.cachePage : undefined;
    const argument = call ? (call.args[0] ?? call.keywords.timeout) : undefined;
    if (!argument) return { kind: 'unknown', text: sourceText(module, use.span) };
    const timeout = this.timeoutOf(project, module, -1, argument);
    // cache_page(None) is not "forever": Django falls back to max-age or CACHE_MIDDLEWARE_SECONDS.
    return timeout.kind === 'never' ? this.settings().middlewareSeconds : timeout;
  }

  /** `catalog.views.book_list`, `catalog.views.BookDetail`, or the wrapped expression as written. */
  private pageName(module: PyModule, use: PageCacheUse): string {
    const dotted = (path: string): string => moduleNameOf(this.workspace.relativePath(path));
    const viewClass = use.viewClasses[0];
    if (viewClass) return `${dotted(viewClass.module.path)}.${viewClass.cls.name}`;
    const view = use.views[0];
    if (view) return `${dotted(view.module.path)}.${view.fn.qualname}`;
    if (use.wrappedView) return `${dotted(module.path)}: ${sourceText(module, use.wrappedView)}`;
    return `${dotted(module.path)}: ${sourceText(module, use.span)}`;
  }

  // ---- templates: {% cache %} fragments ----

  templates(): void {
    for (const template of this.workspace.templates.candidateModules()) {
      if (template.dialect !== 'django') continue;
      for (const { block, args } of completeCacheBlocks(template)) {
        const draft = draftAt(template.path, template.lines, { start: block.open.token.start, end: block.open.token.end }, '{% cache %}');
        draft.regions.push(template.lines.rangeOf({ start: block.open.token.start, end: block.close?.token.end ?? block.bodyEnd }));
        draft.site.timeout = fragmentTimeout(args.timeout.text);
        const using = args.using ? args.using.text.slice('using='.length) : undefined;
        const alias = using !== undefined ? (unquoted(using) ?? using) : this.settings().fragmentAlias;
        this.entry('template', 'fragment', args.name.text, alias).writes.push(draft);
      }
    }
  }

  // ---- TypeScript / JavaScript ----

  typescript(): void {
    const project = this.workspace.typescript;
    const modules = project.candidateModules().filter((module) => !isTestPath(module.path));
    const helpers: TsHelper[] = [];
    for (const module of modules) this.typescriptModule(project, module, helpers);
    if (helpers.length > 0) for (const module of modules) this.typescriptHelperCalls(project, module, helpers);
  }

  /** Calls of functions that delete, store or read the key they are given (`function invalidate(key) { return redis.del(key); }`). */
  private typescriptHelperCalls(project: TypeScriptProject, module: TsModule, helpers: TsHelper[]): void {
    for (const { call, helper, argument } of helperCallArguments(project, module, helpers)) {
      const template = project.keyTemplate(module, argument);
      if (isOpaque(template)) continue;
      const draft = draftAt(module.path, module.lines, tsSpanOf(call), `${helper.name}()`);
      if (helper.kind === 'delete') {
        draft.site.how = helper.how;
        this.pending.push({ language: 'typescript', template, alias: helper.alias, draft });
      } else if (helper.kind === 'get') {
        this.entry('typescript', 'key', template, helper.alias).reads.push(draft);
      } else {
        draft.site.timeout = helperTtl(project, module, call, helper);
        this.entry('typescript', 'key', template, helper.alias).writes.push(draft);
      }
    }
  }

  private typescriptModule(project: TypeScriptProject, module: TsModule, helpers: TsHelper[]): void {
    const ts = module.ts;
    // A delete or re-set in a function nothing calls changes nothing, as CACHE201 judges it.
    const dead = project.facts().dead;
    const live = (call: import('typescript').Node): boolean => {
      const owner = ownerOf(module, call);
      return owner === undefined || !dead.has(owner);
    };
    for (const call of module.calls) {
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue;
      const method = methodName(ts, call) ?? '';
      const client = project.clientOf(module, call.expression.expression);
      const label = `${receiverName(module, call.expression.expression)}.${method}`;
      const alias = client ? clientName(module, client) : null;
      const span = tsSpanOf(call);
      // `map.delete(k)` on something not traced to a cache client is a Map or a Set, not an invalidation.
      const lower = method.toLowerCase().replace(/async$/, '');
      const deletes = (client || REDIS_ONLY_DELETES.has(lower)) && live(call) ? invalidatedKeys(ts, call) : [];
      for (const key of deletes) {
        const template = project.keyTemplate(module, key);
        const how = /expire/.test(lower) ? 'expire' : 'delete';
        if (isOpaque(template)) {
          const helper = deleteHelper(module, key);
          if (helper) helpers.push({ ...helper, module, kind: 'delete', how, alias });
          continue;
        }
        this.pending.push({ language: 'typescript', template, alias, draft: draftAt(module.path, module.lines, span, label, { how }, deletes.filter((other) => other !== key).map(tsSpanOf)) });
      }
      const pattern = listedPattern(ts, call);
      if (pattern && live(call)) {
        const template = project.keyTemplate(module, pattern);
        if (template.includes('*')) this.pending.push({ language: 'typescript', template: joinTemplate([template.replace(/[*?]/g, HOLE)]), alias, draft: draftAt(module.path, module.lines, span, label, { how: 'pattern' }) });
      }
      if (!client) continue;
      const operation = describeCall(project, module, call, client);
      if (!operation || operation.kind === 'expire') continue;
      const template = project.keyTemplate(module, operation.key);
      if (isOpaque(template)) {
        const helper = deleteHelper(module, operation.key);
        if (helper) helpers.push({ ...helper, module, kind: operation.kind === 'get' ? 'get' : 'store', alias, client, operation: operation.kind === 'store' ? operation : undefined });
        continue;
      }
      const entry = this.entry('typescript', 'key', template, alias);
      const draft = draftAt(module.path, module.lines, span, label);
      if (operation.kind === 'get') {
        entry.reads.push(draft);
        continue;
      }
      draft.site.timeout = typescriptTimeout(project, module, client, operation);
      draft.refresh = operation.refresh && live(call) ? 'plain' : undefined;
      draft.dead = !live(call);
      entry.writes.push(draft);
      if (isContentAddressed(template) || isContentAddressed(operation.key.getText())) {
        entry.invalidations.push(draftAt(module.path, module.lines, tsSpanOf(operation.key), 'key', { how: /version/i.test(operation.key.getText()) ? 'version' : 'content' }));
      }
    }
  }

  // ---- matching, findings, order ----

  finish(findings: Finding[], paths: string[] | undefined): KeyMap {
    // Invalidations that match no key written or read still name a key the project removes: show it.
    for (const invalidation of this.pending) {
      const language = invalidation.language === 'python-fragment' ? 'template' : invalidation.language;
      const kind = invalidation.language === 'python-fragment' ? 'fragment' : 'key';
      let matched = false;
      for (const entry of this.entries.values()) {
        if (entry.language !== language || entry.kind !== kind || !aliasesMeet(entry.alias, invalidation.alias)) continue;
        const hit = kind === 'fragment' ? entry.key === invalidation.template : removes(invalidation.template, entry.key);
        if (!hit) continue;
        entry.invalidations.push(invalidation.draft);
        matched = true;
      }
      if (!matched) this.entry(language, kind, invalidation.template, invalidation.alias).invalidations.push(invalidation.draft);
    }
    for (const clear of this.clears) {
      for (const entry of this.entries.values()) {
        if (entry.language === 'python' && entry.kind === 'key' && aliasesMeet(entry.alias, clear.alias)) entry.invalidations.push(clear.draft);
      }
    }
    for (const entry of this.entries.values()) addRefreshes(entry);

    const byPath = new Map<string, Finding[]>();
    for (const finding of findings) {
      const list = byPath.get(finding.path);
      if (list) list.push(finding);
      else byPath.set(finding.path, [finding]);
    }
    const wanted = paths ? new Set(paths) : undefined;
    const keys: KeyEntry[] = [];
    for (const draft of this.entries.values()) {
      const sites = [...draft.writes, ...draft.reads, ...draft.invalidations];
      if (wanted && !sites.some((site) => wanted.has(site.path))) continue;
      const attached = new Set<Finding>();
      for (const site of sites) {
        for (const finding of byPath.get(site.path) ?? []) {
          if (site.regions.some((region) => within(finding.range, region)) && !site.excluded.some((region) => within(finding.range, region))) attached.add(finding);
        }
      }
      const writes = draft.writes.map((site) => site.site);
      const invalidations = uniqueSites(draft.invalidations.map((site) => site.site));
      const entry: KeyEntry = {
        key: draft.key,
        kind: draft.kind,
        language: draft.language,
        alias: draft.alias,
        expires: expiryOver(writes),
        // clear() drops everything, whenever it runs: listed, but it does not invalidate this key when its data changes.
        invalidated: invalidations.some((site) => site.how !== 'clear'),
        problems: [],
        writes,
        reads: draft.reads.map((site) => site.site),
        invalidations,
        findings: [],
      };
      // CACHE007 sits on the settings' TIMEOUT: it concerns the keys written with that default and never invalidated.
      if (!entry.invalidated) {
        for (const write of writes) {
          const from = write.timeout?.kind === 'default' ? write.timeout.from : null;
          const match = from ? /^(.*):(\d+)$/.exec(from) : null;
          if (!match) continue;
          for (const finding of byPath.get(match[1]) ?? []) if (finding.code === 'CACHE007' && finding.range.start.line + 1 === Number(match[2])) attached.add(finding);
        }
      }
      const sorted = [...attached].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || (a.code < b.code ? -1 : 1));
      entry.findings = sorted.map((finding) => ({ code: finding.code, severity: finding.severity, message: finding.message, path: finding.path, line: finding.range.start.line + 1, column: finding.range.start.character + 1 }));
      const problems = new Set<KeyProblem>();
      for (const finding of sorted) {
        if (NEVER_INVALIDATED_CODES.has(finding.code)) problems.add('never-invalidated');
        if (LEAK_CODES.has(finding.code)) problems.add('per-user-leak');
        if (COLLISION_CODES.has(finding.code)) problems.add('collision');
      }
      entry.problems = (['never-invalidated', 'per-user-leak', 'collision'] as const).filter((problem) => problems.has(problem));
      keys.push(entry);
    }
    keys.sort(compareEntries);
    return { keys };
  }
}

// ---- Python helpers ----

/** Keys a function reads before filling them (`get` then `set` of the same template: cache-aside), by `functionIndex\0template`. */
function fillsOf(project: PythonProject, module: PyModule): Set<string> {
  const filled = new Set<string>();
  for (const call of module.facts.cacheCalls) {
    const method = syncMethodName(call.method);
    if (method !== 'get' && method !== 'get_many' && method !== 'has_key') continue;
    for (const key of keyExpressions(call.method, call.args, call.keywords)) filled.add(`${call.functionIndex}\0${project.keyTemplateAt(module, call.functionIndex, key)}`);
  }
  return filled;
}

/** Whether a write re-sets its key where the data changes: in a signal receiver, a job, or a plain overwrite (not a cache-aside fill). */
function refreshKind(project: PythonProject, module: PyModule, call: CacheCall, fill: boolean): SiteDraft['refresh'] {
  if (!REFRESH_METHODS.has(call.method)) return undefined;
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  if (isSignalReceiver(fn)) return 'signal';
  if (writtenByJob(project, module, call)) return 'job';
  return fill ? undefined : 'plain';
}

/** Functions (by index; -1 for module level) that delete cache entries or overwrite them. */
function writingFunctions(module: PyModule): Set<number> {
  return new Set(module.facts.cacheCalls.filter((call) => DELETE_METHODS.has(call.method) || REFRESH_METHODS.has(call.method)).map((call) => call.functionIndex));
}

/** The headers a cached page varies on, from the decorators below cache_page and patch_vary_headers in the view. */
function varyOf(use: PageCacheUse): string[] {
  const headers = new Set<string>();
  for (const applied of use.below) {
    if (applied.qualified === Q.varyOnCookie) headers.add('Cookie');
    if (applied.qualified === Q.varyOnHeaders && applied.expr.kind === 'call') {
      for (const argument of applied.expr.args) if (argument.kind === 'string') headers.add(argument.value);
    }
  }
  if (use.views.some((view) => view.fn.patchesVaryCookie)) headers.add('Cookie');
  return [...headers];
}

// ---- settings: default timeouts ----

interface CacheSettings {
  defaultTimeout(alias: string | null): Timeout;
  middlewareSeconds: Timeout;
  /** A module-level setting as the production settings module sees it, else any settings module. */
  setting(name: string): { module: PyModule; value: Expr } | undefined;
  /** The alias cache_page uses without `cache=`: CACHE_MIDDLEWARE_ALIAS. */
  pageAlias: string;
  /** The alias `{% cache %}` uses without `using=`: `template_fragments` when CACHES defines it. */
  fragmentAlias: string;
}

/**
 * The cache settings as the production settings module sees them (its own assignments, then those it
 * star-imports), else as any settings module does: each CACHES alias's TIMEOUT with its path:line (Django's
 * default when it has none), CACHE_MIDDLEWARE_SECONDS and CACHE_MIDDLEWARE_ALIAS for cache_page.
 */
function readCacheSettings(workspace: Workspace): CacheSettings {
  const project = workspace.python;
  const index = new SettingsIndex(project, DEFAULT_CONFIG, (path) => workspace.relativePath(path));
  const candidates = project.candidateModules().filter((module) => index.isSettingsModule(module));
  const rank = (module: PyModule): number => (index.isDevModule(module.path) ? 2 : index.settingReachesProduction(module, 'CACHES') ? 0 : 1);
  const ordered = [...candidates].sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : 1));
  const lookup = (name: string): { module: PyModule; value: Expr } | undefined => {
    for (const module of ordered) {
      const found = settingIn(project, module, name, new Set());
      if (found) return found;
    }
    return undefined;
  };
  const aliases = new Map<string, Timeout>();
  const known = new Set<string>();
  for (const module of ordered) {
    const caches = settingIn(project, module, 'CACHES', new Set());
    for (const alias of caches ? cacheAliases(caches.value) : []) {
      known.add(alias.alias);
      if (aliases.has(alias.alias)) continue;
      const timeout = alias.entry('TIMEOUT');
      const from = timeout ? `${caches!.module.path}:${caches!.module.lines.positionAt(timeout.start).line + 1}` : null;
      if (!timeout) aliases.set(alias.alias, djangoDefault());
      else if (timeout.kind === 'none') aliases.set(alias.alias, { kind: 'default', seconds: null, from });
      else {
        const value = constantSetting(project, caches!.module, timeout);
        aliases.set(alias.alias, typeof value === 'number' ? { kind: 'default', seconds: value, from } : { kind: 'unknown', text: `TIMEOUT ${sourceText(caches!.module, timeout)} (${from})` });
      }
    }
  }
  let middlewareSeconds: Timeout = { kind: 'default', seconds: DJANGO_MIDDLEWARE_SECONDS, from: `Django default CACHE_MIDDLEWARE_SECONDS (${DJANGO_MIDDLEWARE_SECONDS} s)` };
  const seconds = lookup('CACHE_MIDDLEWARE_SECONDS');
  const secondsValue = seconds ? constantSetting(project, seconds.module, seconds.value) : undefined;
  if (seconds && typeof secondsValue === 'number') middlewareSeconds = { kind: 'default', seconds: secondsValue, from: `${seconds.module.path}:${seconds.module.lines.positionAt(seconds.value.start).line + 1}` };
  const pageAlias = lookup('CACHE_MIDDLEWARE_ALIAS');
  const pageAliasValue = pageAlias ? constantSetting(project, pageAlias.module, pageAlias.value) : undefined;
  return {
    defaultTimeout: (alias) => (alias === null ? { kind: 'default', seconds: null, from: null } : (aliases.get(alias) ?? djangoDefault())),
    middlewareSeconds,
    setting: lookup,
    pageAlias: typeof pageAliasValue === 'string' ? pageAliasValue : 'default',
    fragmentAlias: known.has('template_fragments') ? 'template_fragments' : 'default',
  };
}

/** A module-level setting as a settings module sees it: its own last assignment, else the modules it star-imports (last first). */
function settingIn(project: PythonProject, module: PyModule, name: string, visited: Set<string>): { module: PyModule; value: Expr } | undefined {
  if (visited.has(module.path) || visited.size > 8) return undefined;
  visited.add(module.path);
  const own = assignmentsInForce(module, name);
  if (own.length > 0) return { module, value: own[own.length - 1].value };
  for (const star of [...module.facts.starImports].reverse()) {
    const base = project.resolveModule(star.module, module.path);
    const found = base ? settingIn(project, base, name, visited) : undefined;
    if (found) return found;
  }
  return undefined;
}

function djangoDefault(): Timeout {
  return { kind: 'default', seconds: DJANGO_DEFAULT_TIMEOUT, from: `Django default (${DJANGO_DEFAULT_TIMEOUT} s)` };
}

// ---- templates ----

function fragmentTimeout(text: string): Timeout {
  if (text === 'None') return { kind: 'never' };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: 'seconds', seconds: Number(text) };
  return { kind: 'unknown', text };
}

// ---- TypeScript ----

/** Delete methods only Redis clients have: counted whatever the receiver (a client the front end cannot trace). */
const REDIS_ONLY_DELETES = new Set(['del', 'unlink', 'mdel', 'getdel', 'expire', 'pexpire', 'expireat', 'pexpireat']);

function typescriptTimeout(project: TypeScriptProject, module: TsModule, client: Client, operation: StoreOperation): Timeout {
  if (operation.expiry === 'set') {
    const ttl = operation.ttls[0];
    if (!ttl) return { kind: 'unknown', text: 'options' };
    const value = project.numberValue(module, ttl.expr);
    if (value === undefined || ttl.unit === undefined) return { kind: 'unknown', text: ttl.expr.getText() };
    return { kind: 'seconds', seconds: ttl.unit === 'ms' ? value / 1000 : value };
  }
  if (operation.expiry === 'unknown') return { kind: 'unknown', text: 'options' };
  const fallback = defaultExpiry(project, client);
  if (fallback === 'none') return { kind: 'never' };
  const creation = client.creation;
  const from = creation ? `${client.module.path}:${client.module.lines.positionAt(creation.getStart()).line + 1}` : null;
  if (fallback === 'set') {
    const ttl = creationTtls(project, client)[0];
    const value = ttl ? project.numberValue(client.module, ttl.expr) : undefined;
    if (ttl && value !== undefined && ttl.unit !== undefined) return { kind: 'default', seconds: ttl.unit === 'ms' ? value / 1000 : value, from };
    return { kind: 'unknown', text: ttl ? `default ${ttl.label} ${ttl.expr.getText()}${from ? ` (${from})` : ''}` : `client default${from ? ` (${from})` : ''}` };
  }
  return { kind: 'unknown', text: `client default${from ? ` (${from})` : ''}` };
}

/** A store helper's TTL: its own, or the caller's argument when the helper passes a parameter on. */
function helperTtl(project: TypeScriptProject, module: TsModule, call: import('typescript').CallExpression, helper: TsHelper): Timeout {
  const operation = helper.operation!;
  const own = typescriptTimeout(project, helper.module, helper.client!, operation);
  const ttl = operation.expiry === 'set' ? operation.ttls[0] : undefined;
  const ts = module.ts;
  const parameter = ttl && ts.isIdentifier(ttl.expr) ? helper.fn.parameters.findIndex((candidate) => ts.isIdentifier(candidate.name) && candidate.name.text === (ttl.expr as import('typescript').Identifier).text) : -1;
  if (!ttl || parameter < 0) return own;
  const passed = call.arguments[parameter];
  const value = passed && !ts.isSpreadElement(passed) ? project.numberValue(module, passed) : undefined;
  if (value === undefined || ttl.unit === undefined) return { kind: 'unknown', text: passed ? passed.getText() : `the default of ${helper.name}()` };
  return { kind: 'seconds', seconds: ttl.unit === 'ms' ? value / 1000 : value };
}

/** `redis` for `redis.set`, `cache` for `this.cache.set`: the last name of the receiver. */
function receiverName(module: TsModule, receiver: import('typescript').Expression): string {
  const text = receiver.getText(module.source).replace(/\s+/g, '');
  const last = /([\w$]+)(?:\(\))?$/.exec(text);
  return last ? last[1] : text.slice(0, 40);
}

/** The name a client is declared under (`const redis = new Redis()`), else its library. */
function clientName(module: TsModule, client: Client): string {
  const ts = module.ts;
  let node: import('typescript').Node | undefined = client.creation;
  for (let depth = 0; node && depth < 4; depth++, node = node.parent) {
    if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && node.name && ts.isIdentifier(node.name)) return node.name.text;
  }
  return client.library;
}

// ---- shared ----

function draftAt(path: string, lines: LineIndex, span: Span, method: string, extra: Partial<KeySite> = {}, excluded: Span[] = []): SiteDraft {
  const range = lines.rangeOf(span);
  return {
    site: { path, line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1, method, ...extra },
    path,
    regions: [range],
    excluded: excluded.map((other) => lines.rangeOf(other)),
  };
}

/**
 * Whether a delete of `deleted` removes `key` (holes match anything), except that a template whose
 * literal text is only separators (`f"{prefix}_{pk}"` -> `{}_{}`) names no key in particular: it is
 * shown on its own rather than on every key with an underscore.
 */
function removes(deleted: string, key: string): boolean {
  if (deleted === key) return true;
  if (!/[\p{L}\p{N}]/u.test(deleted.split(HOLE).join(''))) return false;
  return invalidates(deleted, key);
}

function aliasesMeet(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

/**
 * A re-set counts as an invalidation when it runs where the data changes: a signal receiver or a job
 * always, a plain set (not a cache-aside fill) when the key has another write it refreshes.
 */
function addRefreshes(entry: EntryDraft): void {
  for (const write of entry.writes) {
    if (!write.refresh) continue;
    if (write.refresh === 'plain' && !entry.writes.some((other) => other !== write && !other.dead)) continue;
    entry.invalidations.push({ ...write, site: { ...write.site, timeout: undefined, how: write.refresh === 'signal' ? 'signal' : 'overwrite' } });
  }
}

function uniqueSites(sites: KeySite[]): KeySite[] {
  const seen = new Set<string>();
  return sites
    .map((site) => {
      const copy = { ...site };
      if (copy.timeout === undefined) delete copy.timeout;
      return copy;
    })
    .filter((site) => {
      const id = `${site.path}:${site.line}:${site.column}:${site.how}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || a.column - b.column);
}

function expiryOver(writes: KeySite[]): KeyEntry['expires'] {
  let finite = false;
  let never = false;
  let unknown = false;
  for (const write of writes) {
    const timeout = write.timeout;
    if (!timeout) continue;
    if (timeout.kind === 'never' || (timeout.kind === 'default' && timeout.seconds === null && timeout.from !== null)) never = true;
    else if (timeout.kind === 'seconds' || (timeout.kind === 'default' && timeout.seconds !== null)) finite = true;
    else unknown = true;
  }
  if (never) return finite || unknown ? 'sometimes' : 'never';
  if (finite && !unknown) return 'always';
  return 'unknown';
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function within(range: { start: Position; end: Position }, region: { start: Position; end: Position }): boolean {
  return !before(range.start, region.start) && !before(region.end, range.end);
}

const PROBLEM_RANK: Record<KeyProblem, number> = { 'never-invalidated': 0, 'per-user-leak': 1, collision: 2 };

function compareEntries(a: KeyEntry, b: KeyEntry): number {
  const rank = (entry: KeyEntry): number => (entry.problems.length === 0 ? 9 : Math.min(...entry.problems.map((problem) => PROBLEM_RANK[problem])));
  return (
    rank(a) - rank(b) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
    (a.language < b.language ? -1 : a.language > b.language ? 1 : 0) ||
    ((a.alias ?? '') < (b.alias ?? '') ? -1 : (a.alias ?? '') > (b.alias ?? '') ? 1 : 0)
  );
}
