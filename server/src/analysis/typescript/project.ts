/**
 * The TS/JS side of the workspace index: which files are TS/JS, which of them can touch a cache library
 * (they import one, or import a module that does, transitively), their syntax trees (parsed on demand,
 * `typescript` loaded on the first one), receivers traced to cache clients through imports, requires,
 * constructors, factories, class members and type annotations, key templates, and the project-wide
 * facts cross-file rules need (every invalidated key template, every re-set).
 */
import type * as TS from 'typescript';
import { HOLE, joinTemplate } from '../keys.js';
import { ReadTexts } from '../read-texts.js';
import { parseSuppression, type SuppressionComment } from '../suppression.js';
import { LineIndex } from '../text.js';
import { invalidatedKeys, listedPattern } from './calls.js';
import { cacheManagerFactory, importsLibrary, isClientConstructor, isClientType, libraryOfSpecifier, majorOfRange, type LibraryId } from './libraries.js';
import { isPackageJsonPath, isStackOverflow, isTsconfigPath, isTypeScriptPath, parseSource, syntaxErrors, type TypeScriptApi } from './load.js';
import type { Client, ProjectQueries, TsModule, Value } from './model.js';
import { describeClientCall, type CacheCall } from './wrappers.js';
import { collectComments, enclosingClass, enclosingFunctions, forEachDescendant, functionName, isFunctionLike, lookup, objectProperty, propertyNameText, propertyValue, unwrap, type Declaration, type FunctionLike } from './syntax.js';

export type { Client, TsModule, Value } from './model.js';

export interface TsProjectFacts {
  /** Key templates some code deletes, expires or lists by pattern, with the function doing it (`path#name`, see `dead`). */
  invalidated: { template: string; owner?: string }[];
  /** Key template -> the functions of the call sites that (re-)set it (undefined: not in a named function). */
  refreshSites: Map<string, (string | undefined)[]>;
  /** Functions (declared by name, not methods) that nothing in the project names but their declaration: dead code. */
  dead: Set<string>;
}

export interface TsTextSource {
  read(path: string): string | undefined;
}

interface ExportEntry {
  local?: string;
  expr?: TS.Expression;
  fn?: FunctionLike;
  from?: { specifier: string; name: string };
}

interface ExportTable {
  named: Map<string, ExportEntry>;
  stars: string[];
  moduleExports?: TS.Expression;
}

/** Everything derived from more than one file; dropped whenever any TS/JS file or package.json changes. */
interface Derived {
  involved?: Set<string>;
  values: Map<TS.Node, Value | null>;
  clients: Map<TS.Node, Client>;
  members: Map<string, Value | null>;
  exports: Map<string, ExportTable>;
  facts?: TsProjectFacts;
  memos: Map<string, unknown>;
  /** Import specifiers resolved from a folder (`dir\0specifier`). */
  resolutions: Map<string, string | null>;
  /** The `paths` of the nearest tsconfig.json, by folder. */
  compilerPaths: Map<string, CompilerPaths | undefined>;
  /** The `paths` of each nearest tsconfig.json, so that the folders under one share one object. */
  tsconfigPaths: Map<string, CompilerPaths | undefined>;
  /**
   * Bare specifiers (`@/lib/redis`, `@acme/cache`) resolved under one tsconfig's `paths` (or none): the same from
   * every folder it covers, where a monorepo imports its packages from hundreds of folders.
   */
  bareResolutions: Map<CompilerPaths | undefined, Map<string, string | null>>;
}

/** A tsconfig's `compilerOptions.paths`, with the folder its targets are relative to. */
interface CompilerPaths {
  paths: [string, string[]][];
  base: string;
}

const MAX_DEPTH = 16;
const EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs'];
/** Import and require specifiers: relative ones, and bare ones that may be a workspace package or a `paths` alias. */
const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;
const REEXPORT_SPECIFIER = /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*['"]([^'"\n]+)['"]/g;
/** Bare specifiers that can never be a project file: Node built-ins. */
const BUILTIN_SPECIFIER = /^(?:node:|(?:fs|path|os|http|https|url|util|crypto|stream|events|buffer|child_process|net|tls|zlib|assert|querystring|readline|worker_threads|cluster|dns|perf_hooks|timers|module|process|v8|vm)(?:\/|$))/;
/** Text that may invalidate a key from some receiver (a module that never names a library may still hold `client.del(key)`). */
const INVALIDATION_TEXT = /\.(?:del|unlink|getdel|getDel|expire|pexpire|pExpire|expireat|expireAt|pexpireat|pExpireAt|take|mdel|DEL|UNLINK|GETDEL|EXPIRE)\s*\(/;

function emptyDerived(): Derived {
  return {
    values: new Map(),
    clients: new Map(),
    members: new Map(),
    exports: new Map(),
    memos: new Map(),
    resolutions: new Map(),
    compilerPaths: new Map(),
    tsconfigPaths: new Map(),
    bareResolutions: new Map(),
  };
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  // Absolute paths (the language server's) keep their leading slash.
  return (path.startsWith('/') ? '/' : '') + parts.join('/');
}

/**
 * TypeScript's parser recurses: a file with parentheses nested ~800 deep overflows the stack. Such a
 * file is left unanalysed rather than failing the whole check.
 */
function buildModuleOrSkip(ts: TypeScriptApi, path: string, text: string): TsModule | null {
  try {
    return buildModule(ts, path, text);
  } catch (error) {
    if (isStackOverflow(error)) return null;
    throw error;
  }
}

export class TypeScriptProject implements ProjectQueries {
  private readonly paths = new Set<string>();
  private readonly packageJsons = new Set<string>();
  private readonly tsconfigs = new Set<string>();
  private readonly texts = new Map<string, string>();
  private readonly modules = new Map<string, TsModule | null>();
  /** What a file's text says without parsing it; kept until the file changes. */
  private readonly sniffs = new Map<string, Sniff>();
  private readonly packageData = new Map<string, Record<string, unknown> | null>();
  /** Files left unanalysed, with the reason (until they change). */
  readonly unanalysed = new Map<string, string>();
  private derived: Derived = emptyDerived();
  private api: TypeScriptApi | undefined;
  private readonly readTexts: ReadTexts;

  constructor(
    source: TsTextSource,
    paths: Iterable<string>,
    private readonly loadTypeScript?: () => TypeScriptApi,
  ) {
    this.readTexts = new ReadTexts(source);
    for (const path of paths) this.track(path);
  }

  /** Whether the `typescript` module has been loaded (it is, on the first TS/JS file parsed). */
  get loaded(): boolean {
    return this.api !== undefined;
  }

  /** Why `typescript` could not be loaded (TS/JS files are then not analysed), for the CLI and server to report. */
  loadFailure: string | undefined;

  private get ts(): TypeScriptApi | undefined {
    if (!this.api && this.loadTypeScript && this.loadFailure === undefined) {
      try {
        this.api = this.loadTypeScript();
      } catch (error) {
        // Never let a missing compiler take the Python and template findings down with it.
        this.loadFailure = error instanceof Error ? error.message.split('\n')[0] : String(error);
      }
    }
    return this.api;
  }

  private track(path: string): void {
    if (isTypeScriptPath(path)) this.paths.add(path);
    else if (isPackageJsonPath(path)) this.packageJsons.add(path);
    else if (isTsconfigPath(path)) this.tsconfigs.add(path);
  }

  /** A new or changed file; `text` undefined means: read it from the source again. */
  update(path: string, text?: string): void {
    if (!isTypeScriptPath(path) && !isPackageJsonPath(path) && !isTsconfigPath(path)) return;
    this.track(path);
    if (text === undefined) this.texts.delete(path);
    else this.texts.set(path, text);
    this.readTexts.forget(path);
    this.forget(path);
  }

  remove(path: string): void {
    if (!this.paths.delete(path) && !this.packageJsons.delete(path) && !this.tsconfigs.delete(path)) return;
    this.texts.delete(path);
    this.readTexts.forget(path);
    this.forget(path);
  }

  private forget(path: string): void {
    this.modules.delete(path);
    this.unanalysed.delete(path);
    this.sniffs.delete(path);
    this.packageData.delete(path);
    this.derived = emptyDerived();
  }

  allPaths(): string[] {
    return [...this.paths];
  }

  textOf(path: string): string | undefined {
    return this.texts.has(path) ? this.texts.get(path) : this.readTexts.read(path);
  }

  /** Whether the file can touch a cache client: it imports a library, or (transitively) a module that does. */
  isCandidate(path: string): boolean {
    return this.involved().has(path);
  }

  candidatePaths(): string[] {
    return [...this.involved()];
  }

  /** Every candidate file, parsed. */
  candidateModules(): TsModule[] {
    return this.candidatePaths().flatMap((path) => {
      const module = this.module(path);
      return module ? [module] : [];
    });
  }

  /** The file's tree and facts, parsing it on first use (loading `typescript` on the very first). */
  module(path: string): TsModule | undefined {
    if (this.modules.has(path)) return this.modules.get(path) ?? undefined;
    const text = this.paths.has(path) ? this.textOf(path) : undefined;
    const ts = text === undefined ? undefined : this.ts;
    const module = text === undefined || !ts ? null : buildModuleOrSkip(ts, path, text);
    if (text !== undefined && ts && !module) this.unanalysed.set(path, 'nested too deep for the TypeScript parser');
    this.modules.set(path, module);
    return module ?? undefined;
  }

  /** A rule could not follow the file's tree: it is left unanalysed (Workspace.checkTypeScript). */
  leaveUnanalysed(path: string, reason: string): void {
    this.unanalysed.set(path, reason);
  }

  /** Whether `fixed` has syntax errors that `original` did not (fixes must never break a file). */
  introducesSyntaxError(path: string, original: string, fixed: string): boolean {
    const ts = this.ts;
    if (!ts) return false;
    return syntaxErrors(ts, path, fixed).length > 0 && syntaxErrors(ts, path, original).length === 0;
  }

  /**
   * The files that import a library, and every file that imports one of those: by a relative import always, by
   * an alias or workspace package import only when it names a module that uses a library itself, or a barrel
   * re-exporting one (a package's index reaches half the monorepo). Each file's imports are resolved once, and
   * involvement spreads back along them from the library users.
   */
  private involved(): Set<string> {
    if (this.derived.involved) return this.derived.involved;
    const involved = new Set<string>();
    for (const path of this.paths) if (this.sniff(path).library) involved.add(path);
    // By imported file: the files importing it, and whether by a relative import (none to find without a library user).
    const importers = new Map<string, { path: string; relative: boolean }[]>();
    for (const path of involved.size > 0 ? this.paths : []) {
      for (const specifier of this.importSpecifiers(path)) {
        const target = this.resolvePath(path, specifier);
        if (target === undefined || target === path) continue;
        const edge = { path, relative: specifier.startsWith('.') };
        const list = importers.get(target);
        if (list) list.push(edge);
        else importers.set(target, [edge]);
      }
    }
    const queue = [...involved];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      let reexportsLibrary: boolean | undefined;
      for (const importer of importers.get(next) ?? []) {
        if (involved.has(importer.path)) continue;
        if (!importer.relative && !(reexportsLibrary ??= this.usesLibraryThroughReexports(next, 0))) continue;
        involved.add(importer.path);
        queue.push(importer.path);
      }
    }
    this.derived.involved = involved;
    return involved;
  }

  /** A module that imports a library, or re-exports (`export * from`, `export { x } from`) one that does. */
  private usesLibraryThroughReexports(path: string, depth: number): boolean {
    if (this.sniff(path).library) return true;
    if (depth > 3) return false;
    return this.sniffDetails(path).reexports.some((specifier) => {
      const target = this.resolvePath(path, specifier);
      return target !== undefined && this.usesLibraryThroughReexports(target, depth + 1);
    });
  }

  /** Whether the file imports a cache library: asked of every file, so only this is read up front. */
  private sniff(path: string): Sniff {
    let found = this.sniffs.get(path);
    if (!found) {
      const text = this.textOf(path) ?? '';
      found = { library: importsLibrary(text) };
      this.sniffs.set(path, found);
    }
    return found;
  }

  /** What else the file's text says: read only once some file uses a library, or the TS rules ask. */
  private sniffDetails(path: string): SniffDetails {
    const found = this.sniff(path);
    if (!found.details) {
      const text = this.textOf(path) ?? '';
      found.details = {
        invalidation: INVALIDATION_TEXT.test(text),
        reexports: [...text.matchAll(REEXPORT_SPECIFIER)].map((match) => match[1]),
        specifiers: [...new Set([...text.matchAll(IMPORT_SPECIFIER)].map((match) => match[1]).filter((specifier) => !BUILTIN_SPECIFIER.test(specifier) && !libraryOfSpecifier(specifier)))],
      };
    }
    return found.details;
  }

  private importSpecifiers(path: string): string[] {
    return this.sniffDetails(path).specifiers;
  }

  /**
   * The project file an import names: relative (`./redis`, `./redis.js` for `redis.ts`, `./lib` for
   * `lib/index.ts`), an alias from the nearest tsconfig's `paths` (`@/lib/redis`), or a workspace package
   * by its package.json name (`@acme/cache`, `@acme/cache/ttl`).
   */
  resolvePath(fromPath: string, specifier: string): string | undefined {
    const relative = specifier.startsWith('.');
    if (!relative && (BUILTIN_SPECIFIER.test(specifier) || libraryOfSpecifier(specifier))) return undefined;
    // Files of one folder import the same specifiers: each is resolved once per folder.
    const directory = dirnameOf(fromPath);
    const key = `${directory}\0${specifier}`;
    const resolutions = this.derived.resolutions;
    const known = resolutions.get(key);
    if (known !== undefined) return known ?? undefined;
    const resolved = relative ? this.fileAt(normalizePath(directory ? `${directory}/${specifier}` : specifier)) : this.resolveBare(fromPath, specifier);
    resolutions.set(key, resolved ?? null);
    return resolved;
  }

  /** A bare specifier: a `paths` alias of the nearest tsconfig, else a workspace package. */
  private resolveBare(fromPath: string, specifier: string): string | undefined {
    const config = this.compilerPaths(fromPath);
    let known = this.derived.bareResolutions.get(config);
    if (!known) this.derived.bareResolutions.set(config, (known = new Map()));
    const found = known.get(specifier);
    if (found !== undefined) return found ?? undefined;
    const resolved = (config && this.resolveAlias(config, specifier)) ?? this.resolveWorkspacePackage(specifier);
    known.set(specifier, resolved ?? null);
    return resolved;
  }

  /** A file by its path without (or with a swappable) extension, or a folder's index. */
  private fileAt(base: string): string | undefined {
    if (this.paths.has(base)) return base;
    const swapped = /\.(m|c)?js$/.exec(base);
    if (swapped) {
      const stem = base.slice(0, -swapped[0].length);
      for (const candidate of [`${stem}.${swapped[1] ?? ''}ts`, `${stem}.tsx`]) if (this.paths.has(candidate)) return candidate;
    }
    for (const extension of EXTENSIONS) if (this.paths.has(base + extension)) return base + extension;
    for (const extension of EXTENSIONS) if (this.paths.has(`${base}/index${extension}`)) return `${base}/index${extension}`;
    return undefined;
  }

  private resolveAlias(config: CompilerPaths, specifier: string): string | undefined {
    for (const [pattern, targets] of config.paths) {
      const star = pattern.indexOf('*');
      let rest: string | undefined;
      if (star < 0) rest = pattern === specifier ? '' : undefined;
      else if (specifier.startsWith(pattern.slice(0, star)) && specifier.endsWith(pattern.slice(star + 1)) && specifier.length >= pattern.length - 1) {
        rest = specifier.slice(star, specifier.length - (pattern.length - star - 1));
      }
      if (rest === undefined) continue;
      for (const target of targets) {
        const path = normalizePath(config.base ? `${config.base}/${target.replace('*', rest)}` : target.replace('*', rest));
        const found = this.fileAt(path.replace(/\.d\.ts$/, ''));
        if (found) return found;
      }
    }
    return undefined;
  }

  /** `compilerOptions.paths` of the nearest tsconfig.json above a file (following relative `extends`), with the folder they are relative to. */
  private compilerPaths(fromPath: string): CompilerPaths | undefined {
    const start = dirnameOf(fromPath);
    const known = this.derived.compilerPaths;
    if (known.has(start)) return known.get(start);
    let directory = start;
    let found: CompilerPaths | undefined;
    for (;;) {
      const candidate = directory ? `${directory}/tsconfig.json` : 'tsconfig.json';
      if (this.tsconfigs.has(candidate)) {
        const read = this.derived.tsconfigPaths;
        if (!read.has(candidate)) read.set(candidate, this.tsconfigPaths(candidate, 0));
        found = read.get(candidate);
        break;
      }
      if (!directory) break;
      directory = dirnameOf(directory);
    }
    known.set(start, found);
    return found;
  }

  private tsconfigPaths(path: string, depth: number): CompilerPaths | undefined {
    if (depth > 4 || !this.tsconfigs.has(path)) return undefined;
    const data = this.jsonFile(path, true);
    const options = data?.compilerOptions;
    const directory = dirnameOf(path);
    if (options && typeof options === 'object' && !Array.isArray(options)) {
      const { paths, baseUrl } = options as Record<string, unknown>;
      if (paths && typeof paths === 'object' && !Array.isArray(paths)) {
        const base = normalizePath(typeof baseUrl === 'string' ? (directory ? `${directory}/${baseUrl}` : baseUrl) : directory);
        const entries = Object.entries(paths as Record<string, unknown>).flatMap(([pattern, targets]): [string, string[]][] =>
          Array.isArray(targets) ? [[pattern, targets.filter((target): target is string => typeof target === 'string')]] : [],
        );
        return { paths: entries, base };
      }
    }
    const parents = typeof data?.extends === 'string' ? [data.extends] : Array.isArray(data?.extends) ? data.extends.filter((item): item is string => typeof item === 'string') : [];
    for (const parent of parents.reverse()) {
      if (!parent.startsWith('.')) continue;
      const target = normalizePath(directory ? `${directory}/${parent}` : parent);
      const found = this.tsconfigPaths(target.endsWith('.json') ? target : `${target}.json`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** A workspace package's file: `@acme/cache` is its entry point (source preferred over build output), `@acme/cache/ttl` a file in it. */
  private resolveWorkspacePackage(specifier: string): string | undefined {
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    if (parts.length < nameLength) return undefined;
    const directory = this.packageDirectories().get(parts.slice(0, nameLength).join('/'));
    if (directory === undefined) return undefined;
    const join = (relative: string): string => normalizePath(directory ? `${directory}/${relative}` : relative);
    const sub = parts.slice(nameLength).join('/');
    if (sub) return this.fileAt(join(sub)) ?? this.fileAt(join(`src/${sub}`));
    const data = this.jsonFile(directory ? `${directory}/package.json` : 'package.json', false);
    const entries: string[] = [];
    for (const field of ['source', 'types', 'typings', 'module', 'main']) if (typeof data?.[field] === 'string') entries.push(data[field] as string);
    const exported = data?.exports;
    const dot = exported && typeof exported === 'object' && !Array.isArray(exported) ? ((exported as Record<string, unknown>)['.'] ?? exported) : exported;
    if (typeof dot === 'string') entries.push(dot);
    else if (dot && typeof dot === 'object') for (const value of Object.values(dot as Record<string, unknown>)) if (typeof value === 'string') entries.push(value);
    for (const entry of entries) {
      const plain = entry.replace(/\.d\.ts$/, '');
      const found = this.fileAt(join(plain)) ?? this.fileAt(join(plain.replace(/^(?:\.\/)?(?:dist|lib|build|out)\//, 'src/')));
      if (found) return found;
    }
    return this.fileAt(join('src/index')) ?? this.fileAt(join('index'));
  }

  /** Workspace package names to their folders, from every package.json with a name. */
  private packageDirectories(): Map<string, string> {
    return this.memo('package-directories', () => {
      const directories = new Map<string, string>();
      for (const path of this.packageJsons) {
        const name = this.jsonFile(path, false)?.name;
        if (typeof name === 'string' && !directories.has(name)) directories.set(name, dirnameOf(path));
      }
      return directories;
    });
  }

  private resolveModule(fromPath: string, specifier: string): TsModule | undefined {
    const path = this.resolvePath(fromPath, specifier);
    return path === undefined ? undefined : this.module(path);
  }

  // ---- package.json ----

  /** The version range of `dependency` in the nearest package.json (walking up from `path`) that lists it. */
  dependencyRange(path: string, dependency: string): string | undefined {
    let directory = dirnameOf(path);
    for (;;) {
      const candidate = directory ? `${directory}/package.json` : 'package.json';
      if (this.packageJsons.has(candidate)) {
        const data = this.packageJson(candidate);
        for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
          const table = data?.[field];
          if (table && typeof table === 'object' && !Array.isArray(table)) {
            const range = (table as Record<string, unknown>)[dependency];
            if (typeof range === 'string') return range;
          }
        }
      }
      if (!directory) return undefined;
      directory = dirnameOf(directory);
    }
  }

  /** cache-manager's major version for a file (from the nearest package.json listing it), or undefined. */
  cacheManagerMajor(path: string): number | undefined {
    const near = this.cacheManagerMajorListed(path);
    if (near !== null) return near;
    // A workspace package that uses the library through a sibling (the NestJS module lives in `packages/core`):
    // the project's other package.json files decide when they all agree.
    return this.memo('cache-manager-major', () => {
      const majors = new Set<number | undefined>();
      for (const packageJson of this.packageJsons) {
        const major = this.cacheManagerMajorListed(packageJson);
        if (major !== null) majors.add(major);
      }
      return majors.size === 1 ? [...majors][0] : undefined;
    });
  }

  /** cache-manager's major from the nearest package.json listing it or @nestjs/cache-manager (whose v2 needs cache-manager 5, v3 needs 6); null when none does. */
  private cacheManagerMajorListed(path: string): number | undefined | null {
    const range = this.dependencyRange(path, 'cache-manager');
    if (range !== undefined) return majorOfRange(range);
    const nest = this.dependencyRange(path, '@nestjs/cache-manager');
    if (nest === undefined) return null;
    const major = majorOfRange(nest);
    return major === undefined ? undefined : major >= 3 ? 6 : major === 2 ? 5 : undefined;
  }

  private packageJson(path: string): Record<string, unknown> | null {
    return this.jsonFile(path, false);
  }

  /** A JSON file's top-level object (tsconfig files may hold comments and trailing commas), or null. */
  private jsonFile(path: string, lenient: boolean): Record<string, unknown> | null {
    if (this.packageData.has(path)) return this.packageData.get(path) ?? null;
    let data: Record<string, unknown> | null = null;
    try {
      const text = this.textOf(path) ?? '';
      const parsed: unknown = JSON.parse(lenient ? stripJsonComments(text) : text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
    } catch {
      data = null;
    }
    this.packageData.set(path, data);
    return data;
  }

  // ---- values and clients ----

  /** The cache client an expression (a receiver) refers to, if it can be traced to one. */
  clientOf(module: TsModule, expr: TS.Expression): Client | undefined {
    const value = this.valueOf(module, expr);
    return value?.kind === 'client' ? value.client : undefined;
  }

  /** What a call does to a cache: a method of a client, or of a project wrapper forwarding to one (`this.redisCacheService.set(key, value)`). */
  cacheCall(module: TsModule, call: TS.CallExpression, depth = 0): CacheCall | undefined {
    return describeClientCall(this, module, call, depth);
  }

  /** What an expression refers to: a library export, a project module, a client, a function, or itself. */
  valueOf(module: TsModule, expr: TS.Expression, depth = 0): Value | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const cache = this.derived.values;
    if (cache.has(expr)) return cache.get(expr) ?? undefined;
    cache.set(expr, null); // cycles resolve to nothing
    const value = this.computeValue(module, expr, depth);
    cache.set(expr, value ?? null);
    return value;
  }

  private computeValue(module: TsModule, expr: TS.Expression, depth: number): Value | undefined {
    const ts = module.ts;
    const node = unwrap(ts, expr);
    const next = depth + 1;
    if (ts.isIdentifier(node)) return this.valueOfName(module, node.text, node, next);
    if (ts.isPropertyAccessExpression(node) || (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression))) {
      const name = ts.isPropertyAccessExpression(node) ? node.name.text : (node.argumentExpression as TS.StringLiteralLike).text;
      if (node.expression.kind === ts.SyntaxKind.ThisKeyword) return this.valueOfThisMember(module, node, name, next);
      const base = this.valueOf(module, node.expression, next);
      return this.member(base, name, next) ?? { kind: 'expr', module, expr: node };
    }
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const client = this.creation(module, node, next);
      if (client) return { kind: 'client', client };
      if (ts.isCallExpression(node)) {
        const specifier = requireSpecifier(ts, node);
        if (specifier !== undefined) return this.valueOfSpecifier(module, specifier, 'module.exports', next);
        const callee = node.expression;
        if (ts.isPropertyAccessExpression(callee) && ['connect', 'duplicate'].includes(callee.name.text)) {
          const base = this.valueOf(module, callee.expression, next);
          if (base?.kind === 'client') return base;
        }
        const target = this.valueOf(module, callee, next);
        if (target?.kind === 'function') {
          const returned = this.returnedClient(target.module, target.node, next);
          if (returned) return returned;
        }
      }
    }
    if (ts.isNewExpression(node)) {
      // `new CacheService()`: an instance of a project class.
      const callee = this.valueOf(module, node.expression, next);
      if (callee?.kind === 'class') return { kind: 'instance', module: callee.module, node: callee.node };
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return { kind: 'function', module, node };
    if (ts.isClassExpression(node)) return { kind: 'class', module, node };
    if (node.kind === ts.SyntaxKind.ThisKeyword) {
      // `new this(...)` in a static member: `this` is the class.
      const cls = enclosingClass(ts, node);
      if (cls && inStaticMember(ts, node, cls)) return { kind: 'class', module, node: cls };
      return undefined;
    }
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      // `client = new Redis()`, `client ??= new Redis()`: the value assigned.
      if (operator === ts.SyntaxKind.EqualsToken || operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.BarBarEqualsToken) return this.valueOf(module, node.right, next);
      // `this.client || (this.client = new this())`: either side's client.
      if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
        const left = this.valueOf(module, node.left, next);
        if (left?.kind === 'client') return left;
        const right = this.valueOf(module, node.right, next);
        if (right?.kind === 'client') return right;
      }
    }
    if (ts.isConditionalExpression(node)) {
      for (const branch of [node.whenTrue, node.whenFalse]) {
        const value = this.valueOf(module, branch, next);
        if (value?.kind === 'client') return value;
      }
    }
    return { kind: 'expr', module, expr: node };
  }

  private valueOfName(module: TsModule, name: string, at: TS.Node, depth: number): Value | undefined {
    const declaration = lookup(module.ts, name, at);
    return declaration ? this.valueOfDeclaration(module, name, declaration, depth) : undefined;
  }

  private valueOfDeclaration(module: TsModule, name: string, declaration: Declaration, depth: number): Value | undefined {
    switch (declaration.kind) {
      case 'import':
        return this.valueOfSpecifier(module, declaration.specifier, declaration.name, depth);
      case 'function':
        return { kind: 'function', module, node: declaration.node };
      case 'class':
        return { kind: 'class', module, node: declaration.node };
      case 'parameter': {
        const type = declaration.node.type;
        if (type && declaration.path.length === 0) {
          const client = this.clientOfType(module, type, declaration.node);
          if (client) return { kind: 'client', client };
          return this.instanceOfType(module, type, depth);
        }
        return undefined;
      }
      case 'variable': {
        const { node, path } = declaration;
        if (declaration.forOf) return undefined;
        let value: Value | undefined;
        if (node.initializer) {
          value = this.valueOf(module, node.initializer, depth);
          for (const step of path) value = step === null ? undefined : this.member(value, String(step), depth);
        }
        if (value?.kind === 'client' || path.length > 0) return value;
        const assigned = module.assignments.get(name) ?? [];
        for (const expression of assigned) {
          const candidate = this.valueOf(module, expression, depth);
          if (candidate?.kind === 'client') return candidate;
        }
        if (node.type) {
          const client = this.clientOfType(module, node.type, node);
          if (client) return { kind: 'client', client };
        }
        // A `let` that is re-assigned has no single value.
        if (!declaration.isConst && assigned.length > 0) return undefined;
        return value;
      }
      default:
        return undefined;
    }
  }

  private valueOfSpecifier(module: TsModule, specifier: string, name: string, depth: number): Value | undefined {
    const library = libraryOfSpecifier(specifier);
    if (library) return { kind: 'library', library, names: [name] };
    const target = this.resolveModule(module.path, specifier);
    if (!target) return undefined;
    if (name === '*') return { kind: 'module', module: target };
    return this.exportValue(target, name, depth);
  }

  /** A property of a value: a library export's member, a module's export, an object literal's property. */
  private member(value: Value | undefined, name: string, depth: number): Value | undefined {
    if (!value || depth > MAX_DEPTH) return undefined;
    switch (value.kind) {
      case 'library':
        return { kind: 'library', library: value.library, names: [...value.names, name] };
      case 'module':
        return this.exportValue(value.module, name, depth + 1);
      case 'class':
        return this.classMember(value.module, value.node, name, true, depth + 1);
      case 'instance':
        return this.classMember(value.module, value.node, name, false, depth + 1);
      case 'expr': {
        const ts = value.module.ts;
        const object = unwrap(ts, value.expr);
        if (!ts.isObjectLiteralExpression(object)) return undefined;
        const { found } = objectProperty(ts, object, name);
        if (!found) return undefined;
        if (ts.isMethodDeclaration(found)) return { kind: 'function', module: value.module, node: found };
        const initializer = propertyValue(ts, found);
        return initializer ? this.valueOf(value.module, initializer, depth + 1) : undefined;
      }
      default:
        return undefined;
    }
  }

  private exportsOf(module: TsModule): ExportTable {
    let table = this.derived.exports.get(module.path);
    if (!table) {
      table = buildExportTable(module);
      this.derived.exports.set(module.path, table);
    }
    return table;
  }

  /** An export of a module by name; `default` and `module.exports` follow CommonJS interop. */
  exportValue(module: TsModule, name: string, depth = 0, seen = new Set<string>()): Value | undefined {
    if (depth > MAX_DEPTH || seen.has(module.path)) return undefined;
    seen.add(module.path);
    const table = this.exportsOf(module);
    const entry = table.named.get(name);
    if (entry) {
      if (entry.from) return this.valueOfSpecifier(module, entry.from.specifier, entry.from.name, depth + 1);
      if (entry.fn) return { kind: 'function', module, node: entry.fn };
      if (entry.local) return this.valueOfName(module, entry.local, module.source.endOfFileToken, depth + 1);
      if (entry.expr) return this.valueOf(module, entry.expr, depth + 1);
    }
    if (table.moduleExports) {
      const whole = this.valueOf(module, table.moduleExports, depth + 1);
      if (name === 'default' || name === 'module.exports') return whole;
      const property = this.member(whole, name, depth + 1);
      if (property) return property;
    }
    if (name === 'module.exports') return { kind: 'module', module };
    for (const specifier of table.stars) {
      const target = this.resolveModule(module.path, specifier);
      const found = target ? this.exportValue(target, name, depth + 1, seen) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /** `this.name` inside a class: a field's initializer or type, a constructor parameter property, or `this.name = ...`. */
  private valueOfThisMember(module: TsModule, node: TS.Expression, name: string, depth: number): Value | undefined {
    const cls = enclosingClass(module.ts, node);
    return cls ? this.classMember(module, cls, name, inStaticMember(module.ts, node, cls), depth) : undefined;
  }

  /** A member of a class (static or instance): a field's initializer or type, a getter's or a method, a parameter property, or `this.name = ...`. */
  private classMember(module: TsModule, cls: TS.ClassLikeDeclaration, name: string, isStatic: boolean, depth: number): Value | undefined {
    const ts = module.ts;
    const key = `${module.path}:${cls.pos}:${isStatic ? 'static ' : ''}${name}`;
    if (this.derived.members.has(key)) return this.derived.members.get(key) ?? undefined;
    this.derived.members.set(key, null);
    let value: Value | undefined;
    const staticMember = (member: TS.ClassElement): boolean => hasModifier(ts, member, ts.SyntaxKind.StaticKeyword) === isStatic;
    for (const member of cls.members) {
      if (value?.kind === 'client') break;
      if (ts.isPropertyDeclaration(member) && staticMember(member) && propertyNameText(ts, member.name) === name) {
        if (member.initializer) value = this.valueOf(module, member.initializer, depth);
        if (value?.kind !== 'client' && member.type) {
          const client = this.clientOfType(module, member.type, member);
          if (client) value = { kind: 'client', client };
          else value ??= this.instanceOfType(module, member.type, depth);
        }
      } else if (ts.isGetAccessorDeclaration(member) && staticMember(member) && propertyNameText(ts, member.name) === name) {
        value = this.returnedClient(module, member, depth);
        if (!value && member.type) {
          const client = this.clientOfType(module, member.type, member);
          if (client) value = { kind: 'client', client };
        }
      } else if (ts.isMethodDeclaration(member) && staticMember(member) && propertyNameText(ts, member.name) === name) {
        value = { kind: 'function', module, node: member };
      } else if (ts.isConstructorDeclaration(member) && !isStatic) {
        for (const parameter of member.parameters) {
          if (!ts.isIdentifier(parameter.name) || parameter.name.text !== name || !parameter.type) continue;
          if (!(ts.getCombinedModifierFlags(parameter) & ts.ModifierFlags.ParameterPropertyModifier)) continue;
          const client = this.clientOfType(module, parameter.type, parameter);
          if (client) value = { kind: 'client', client };
          else value ??= this.instanceOfType(module, parameter.type, depth);
        }
      }
    }
    if (value?.kind !== 'client') {
      for (const assignment of thisAssignments(ts, cls).get(name) ?? []) {
        if (assignment.isStatic !== isStatic) continue;
        const assigned = this.valueOf(module, assignment.value, depth);
        if (assigned?.kind === 'client') {
          value = assigned;
          break;
        }
      }
    }
    this.derived.members.set(key, value ?? null);
    return value;
  }

  /** The library a class's constructor belongs to: the library class itself, or one it extends (`class RedisAdapter extends Redis`). */
  private classLibrary(module: TsModule, cls: TS.ClassLikeDeclaration, depth: number): LibraryId | undefined {
    const ts = module.ts;
    if (depth > MAX_DEPTH) return undefined;
    for (const clause of cls.heritageClauses ?? []) {
      if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const type of clause.types) {
        const base = this.valueOf(module, type.expression, depth + 1);
        if (base?.kind === 'library' && isClientConstructor(base.library, base.names, true)) return base.library;
        if (base?.kind === 'class') return this.classLibrary(base.module, base.node, depth + 1);
      }
    }
    return undefined;
  }

  /** `new Redis()`, `createClient()`, `await caching(...)`, `new Keyv()`, `new LRUCache()`, `new NodeCache()`. */
  private creation(module: TsModule, node: TS.CallExpression | TS.NewExpression, depth: number): Client | undefined {
    const ts = module.ts;
    const existing = this.derived.clients.get(node);
    if (existing) return existing;
    const callee = this.valueOf(module, node.expression, depth);
    let library: LibraryId | undefined;
    let factory: string | undefined;
    if (callee?.kind === 'library' && isClientConstructor(callee.library, callee.names, ts.isNewExpression(node))) {
      library = callee.library;
      if (library === 'cache-manager') factory = cacheManagerFactory(callee.names);
    } else if (callee?.kind === 'class' && ts.isNewExpression(node)) {
      library = this.classLibrary(callee.module, callee.node, depth);
    }
    if (!library) return undefined;
    const client: Client = { library, id: `${module.path}:${node.pos}`, module, creation: node, factory };
    this.derived.clients.set(node, client);
    return client;
  }

  /** Whether a call or `new` creates a client (for rules that read constructor options). */
  creationAt(module: TsModule, node: TS.CallExpression | TS.NewExpression): Client | undefined {
    return this.creation(module, node, 0);
  }

  /** A client declared by type: `redis: Redis` (ioredis), `cache: Cache` (cache-manager), `ReturnType<typeof createClient>`. */
  private clientOfType(module: TsModule, type: TS.TypeNode, declaration: TS.Node): Client | undefined {
    const existing = this.derived.clients.get(declaration);
    if (existing) return existing;
    const library = this.typeLibrary(module, type, 0);
    if (!library) return undefined;
    const client: Client = { library, id: `${module.path}:${declaration.pos}`, module };
    this.derived.clients.set(declaration, client);
    return client;
  }

  private typeLibrary(module: TsModule, type: TS.TypeNode, depth: number): LibraryId | undefined {
    const ts = module.ts;
    if (depth > 4) return undefined;
    if (ts.isUnionTypeNode(type)) {
      for (const member of type.types) {
        const found = this.typeLibrary(module, member, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (ts.isParenthesizedTypeNode(type)) return this.typeLibrary(module, type.type, depth + 1);
    if (ts.isTypeQueryNode(type)) {
      const names = entityNames(ts, type.exprName);
      const declaration = names && lookup(ts, names[0], type);
      if (!names || declaration?.kind !== 'import') return undefined;
      const library = libraryOfSpecifier(declaration.specifier);
      return library && isClientConstructor(library, [declaration.name, ...names.slice(1)], false) ? library : undefined;
    }
    if (!ts.isTypeReferenceNode(type)) return undefined;
    const names = entityNames(ts, type.typeName);
    if (!names) return undefined;
    if ((names[0] === 'ReturnType' || names[0] === 'Awaited') && names.length === 1 && type.typeArguments?.length === 1) {
      return this.typeLibrary(module, type.typeArguments[0], depth + 1);
    }
    const declaration = lookup(ts, names[0], type);
    if (declaration?.kind === 'class' && names.length === 1) return this.classLibrary(module, declaration.node, depth + 1);
    if (declaration?.kind !== 'import') return undefined;
    const library = libraryOfSpecifier(declaration.specifier);
    if (library) return isClientType(library, [declaration.name, ...names.slice(1)]) ? library : undefined;
    // A class of the project (`import RedisAdapter from './redis'`) that extends a library class.
    const imported = names.length === 1 ? this.valueOfSpecifier(module, declaration.specifier, declaration.name, depth + 1) : undefined;
    return imported?.kind === 'class' ? this.classLibrary(imported.module, imported.node, depth + 1) : undefined;
  }

  /** An instance of a project class a type annotation names (`cache: CacheService`, imported or local). */
  private instanceOfType(module: TsModule, type: TS.TypeNode, depth: number): Value | undefined {
    const ts = module.ts;
    if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
    const declaration = lookup(ts, type.typeName.text, type);
    if (declaration?.kind === 'class') return { kind: 'instance', module, node: declaration.node };
    if (declaration?.kind !== 'import' || libraryOfSpecifier(declaration.specifier)) return undefined;
    const imported = this.valueOfSpecifier(module, declaration.specifier, declaration.name, depth + 1);
    return imported?.kind === 'class' ? { kind: 'instance', module: imported.module, node: imported.node } : undefined;
  }

  /** A value computed once per project state (dropped with every change), for analyses across files. */
  memo<T>(key: string, compute: () => T): T {
    if (this.derived.memos.has(key)) return this.derived.memos.get(key) as T;
    const value = compute();
    this.derived.memos.set(key, value);
    return value;
  }

  /** The client a function returns (`export function getRedis() { return client; }`). */
  private returnedClient(module: TsModule, fn: FunctionLike, depth: number): Value | undefined {
    const ts = module.ts;
    if (!fn.body) return undefined;
    if (!ts.isBlock(fn.body)) {
      const value = this.valueOf(module, fn.body, depth);
      return value?.kind === 'client' ? value : undefined;
    }
    for (const returned of returnExpressions(ts, fn.body)) {
      const value = this.valueOf(module, returned, depth);
      if (value?.kind === 'client') return value;
    }
    return undefined;
  }

  /** The single expression a key helper returns (`(id) => \`product:${id}\``), if it is that simple. */
  helperBody(module: TsModule, fn: FunctionLike): TS.Expression | undefined {
    const ts = module.ts;
    if (!fn.body) return undefined;
    if (!ts.isBlock(fn.body)) return fn.body;
    const returns = returnExpressions(ts, fn.body);
    return returns.length === 1 && fn.body.statements.length === 1 ? returns[0] : undefined;
  }

  // ---- constants and key templates ----

  /** The expression a name or member stands for when it is a constant (a `const`, imported or not); undefined otherwise. */
  constantOf(module: TsModule, expr: TS.Expression): { module: TsModule; expr: TS.Expression } | undefined {
    const ts = module.ts;
    const node = unwrap(ts, expr);
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return undefined;
    if (ts.isIdentifier(node)) {
      const declaration = lookup(ts, node.text, node);
      if (!declaration || declaration.kind === 'parameter') return undefined;
      if (declaration.kind === 'variable' && !declaration.isConst && (module.assignments.get(node.text)?.length ?? 0) > 0) return undefined;
    }
    const value = this.valueOf(module, node);
    if (value?.kind !== 'expr' || value.expr === node) return undefined;
    return { module: value.module, expr: value.expr };
  }

  /** A key expression as a key template: `` `product:${id}` ``, `'product:' + id` and `productKey(id)` are all `product:{}`. */
  keyTemplate(module: TsModule, expr: TS.Expression): string {
    return joinTemplate(this.pieces(module, expr, new Map(), 0));
  }

  private pieces(module: TsModule, expr: TS.Expression, bound: BoundArgs, depth: number): string[] {
    if (depth > MAX_DEPTH) return [HOLE];
    const ts = module.ts;
    const node = unwrap(ts, expr);
    const next = depth + 1;
    if (ts.isStringLiteralLike(node)) return [escapeHoles(node.text)];
    if (ts.isNumericLiteral(node)) return [node.text];
    if (ts.isTemplateExpression(node)) {
      return [escapeHoles(node.head.text), ...node.templateSpans.flatMap((span) => [...this.pieces(module, span.expression, bound, next), escapeHoles(span.literal.text)])];
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return [...this.pieces(module, node.left, bound, next), ...this.pieces(module, node.right, bound, next)];
    }
    if (ts.isIdentifier(node)) {
      const declaration = lookup(ts, node.text, node);
      if (declaration?.kind === 'parameter') {
        const argument = declaration.path.length === 0 && !declaration.node.dotDotDotToken ? bound.get(declaration.node) : undefined;
        return argument ? this.pieces(argument.module, argument.expr, argument.bound, next) : [HOLE];
      }
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const constant = this.constantOf(module, node);
      return constant ? this.pieces(constant.module, constant.expr, new Map(), next) : [HOLE];
    }
    if (ts.isCallExpression(node)) return this.callPieces(module, node, bound, next);
    return [HOLE];
  }

  private callPieces(module: TsModule, node: TS.CallExpression, bound: BoundArgs, depth: number): string[] {
    const ts = module.ts;
    const callee = node.expression;
    const args = node.arguments;
    if (ts.isIdentifier(callee) && callee.text === 'String' && args.length === 1) return this.pieces(module, args[0], bound, depth);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'toString' && args.length === 0) return this.pieces(module, callee.expression, bound, depth);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'join' && args.length <= 1) {
      const list = unwrap(ts, callee.expression);
      const separator = args.length === 0 ? ',' : this.stringValue(module, args[0]);
      const rest = ts.isIdentifier(list) ? this.restArguments(ts, list, bound) : undefined;
      if (rest && separator !== undefined) {
        return rest.elements.flatMap((element, index) => [...(index === 0 ? [] : [escapeHoles(separator)]), ...this.pieces(rest.module, element, rest.bound, depth)]);
      }
      if (ts.isArrayLiteralExpression(list) && separator !== undefined && !list.elements.some((element) => ts.isSpreadElement(element))) {
        return list.elements.flatMap((element, index) => [...(index === 0 ? [] : [escapeHoles(separator)]), ...this.pieces(module, element, bound, depth)]);
      }
      return [HOLE];
    }
    const target = this.valueOf(module, callee, depth);
    if (target?.kind !== 'function') return [HOLE];
    const inner: BoundArgs = new Map();
    target.node.parameters.forEach((parameter, index) => {
      const argument = args[index];
      if (args.slice(0, index + 1).some((arg) => ts.isSpreadElement(arg))) return;
      if (parameter.dotDotDotToken) {
        // `cacheKey(...parts) { return parts.join(':') }`: the rest of the arguments, read only by `join`.
        if (!args.slice(index).some((arg) => ts.isSpreadElement(arg))) inner.set(parameter, { module, expr: argument ?? node, bound, rest: args.slice(index) });
      } else if (argument) inner.set(parameter, { module, expr: argument, bound });
    });
    const body = this.helperBody(target.module, target.node);
    if (body) return this.pieces(target.module, body, inner, depth);
    // A helper with several statements: its key when every `return` builds the same one (`const key = ...; return key;`).
    const block = target.node.body;
    if (!block || !target.module.ts.isBlock(block)) return [HOLE];
    const returned = returnExpressions(target.module.ts, block).map((expr) => joinTemplate(this.pieces(target.module, expr, inner, depth)));
    return returned.length > 0 && returned.every((template) => template === returned[0]) ? [returned[0]] : [HOLE];
  }

  /** The arguments bound to a rest parameter (`...parts`) named by `name`, when the call that bound them is known. */
  private restArguments(ts: TypeScriptApi, name: TS.Identifier, bound: BoundArgs): { module: TsModule; elements: readonly TS.Expression[]; bound: BoundArgs } | undefined {
    const declaration = lookup(ts, name.text, name);
    if (declaration?.kind !== 'parameter' || declaration.path.length > 0 || !declaration.node.dotDotDotToken) return undefined;
    const argument = bound.get(declaration.node);
    return argument?.rest ? { module: argument.module, elements: argument.rest, bound: argument.bound } : undefined;
  }

  /** The value of a constant string expression, or undefined. */
  stringValue(module: TsModule, expr: TS.Expression): string | undefined {
    const template = this.keyTemplate(module, expr);
    return template.includes(HOLE) ? undefined : template.replace(/\{ \}/g, '{}');
  }

  /** The value of a constant numeric expression (`300`, `5 * 60 * 1000`, `1_000`, a `const`), or undefined. */
  numberValue(module: TsModule, expr: TS.Expression, depth = 0): number | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const ts = module.ts;
    const node = unwrap(ts, expr);
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
      const operand = this.numberValue(module, node.operand, depth + 1);
      return operand === undefined ? undefined : -operand;
    }
    if (ts.isBinaryExpression(node)) {
      const left = this.numberValue(module, node.left, depth + 1);
      const right = left === undefined ? undefined : this.numberValue(module, node.right, depth + 1);
      if (left === undefined || right === undefined) return undefined;
      switch (node.operatorToken.kind) {
        case ts.SyntaxKind.PlusToken:
          return left + right;
        case ts.SyntaxKind.MinusToken:
          return left - right;
        case ts.SyntaxKind.AsteriskToken:
          return left * right;
        case ts.SyntaxKind.SlashToken:
          return right === 0 ? undefined : left / right;
        default:
          return undefined;
      }
    }
    const constant = this.constantOf(module, node);
    return constant ? this.numberValue(constant.module, constant.expr, depth + 1) : undefined;
  }

  /** Whether a numeric expression multiplies by 1000 (`60 * 1000`, `ONE_MINUTE_MS` defined as `60 * 1000`). */
  hasThousandFactor(module: TsModule, expr: TS.Expression, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    const ts = module.ts;
    const node = unwrap(ts, expr);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
      const isThousand = (side: TS.Expression): boolean => {
        const inner = unwrap(ts, side);
        return ts.isNumericLiteral(inner) && Number(inner.text) === 1000;
      };
      return isThousand(node.left) || isThousand(node.right) || this.hasThousandFactor(module, node.left, depth + 1) || this.hasThousandFactor(module, node.right, depth + 1);
    }
    const constant = this.constantOf(module, node);
    return constant ? this.hasThousandFactor(constant.module, constant.expr, depth + 1) : false;
  }

  // ---- project-wide facts ----

  facts(): TsProjectFacts {
    this.derived.facts ??= this.computeFacts();
    return this.derived.facts;
  }

  private computeFacts(): TsProjectFacts {
    const invalidated: { template: string; owner?: string }[] = [];
    const refreshSites = new Map<string, (string | undefined)[]>();
    const candidates = new Set(this.candidatePaths());
    const modules = this.allPaths().flatMap((path) => {
      if (!candidates.has(path) && !this.sniffDetails(path).invalidation) return [];
      const module = this.module(path);
      return module ? [module] : [];
    });
    const helpers: { module: TsModule; fn: FunctionLike; index: number; name: string }[] = [];
    for (const module of modules) {
      const ts = module.ts;
      for (const call of module.calls) {
        // Identifiers: wrapper functions called by name re-set keys too.
        if (!ts.isCallExpression(call) || !(ts.isPropertyAccessExpression(call.expression) || ts.isIdentifier(call.expression))) continue;
        for (const key of invalidatedKeys(ts, call)) {
          const helper = deleteHelper(module, key);
          if (helper) helpers.push({ module, ...helper });
          else invalidated.push({ template: this.keyTemplate(module, key), owner: ownerOf(module, call) });
        }
        const pattern = listedPattern(ts, call);
        if (pattern) {
          const template = this.keyTemplate(module, pattern);
          if (template.includes('*')) invalidated.push({ template: joinTemplate([template.replace(/[*?]/g, HOLE)]), owner: ownerOf(module, call) });
        }
        if (!candidates.has(module.path)) continue;
        const operation = this.cacheCall(module, call)?.operation;
        if (operation?.kind === 'store' && operation.refresh) {
          const template = this.keyTemplate(module, operation.key);
          refreshSites.set(template, [...(refreshSites.get(template) ?? []), ownerOf(module, call)]);
        }
      }
    }
    if (helpers.length > 0) {
      // Calls of helpers that delete their argument (`function invalidate(key) { return redis.del(key); }`).
      // Callers need not name a cache library: read every module that imports a helper's module.
      const helperPaths = new Set(helpers.map((helper) => helper.module.path));
      const callers = new Set(modules);
      for (const path of this.allPaths()) {
        if (!this.importSpecifiers(path).some((specifier) => helperPaths.has(this.resolvePath(path, specifier) ?? ''))) continue;
        const module = this.module(path);
        if (module) callers.add(module);
      }
      for (const module of callers) {
        for (const { call, argument } of helperCallArguments(this, module, helpers)) invalidated.push({ template: this.keyTemplate(module, argument), owner: ownerOf(module, call) });
      }
    }
    const owners = [...invalidated.map((entry) => entry.owner), ...[...refreshSites.values()].flat()].filter((owner): owner is string => owner !== undefined);
    return { invalidated, refreshSites, dead: this.deadFunctions(owners) };
  }

  /**
   * Of `path#name` owners, those nothing calls: the name occurs once in the project's text, and the function is
   * not exported from a module no project file imports (an entry point: a route file, a framework handler).
   */
  private deadFunctions(owners: string[]): Set<string> {
    const unique = [...new Set(owners)];
    const unreferenced = this.unreferencedNames(unique.map((owner) => owner.slice(owner.lastIndexOf('#') + 1)));
    if (unreferenced.size === 0) return new Set();
    const imported = new Set<string>();
    for (const path of this.paths) for (const specifier of this.importSpecifiers(path)) imported.add(this.resolvePath(path, specifier) ?? '');
    return new Set(
      unique.filter((owner) => {
        const split = owner.lastIndexOf('#');
        const path = owner.slice(0, split);
        const name = owner.slice(split + 1);
        if (!unreferenced.has(name)) return false;
        const module = this.module(path);
        const exported = module !== undefined && this.exportsOf(module).named.has(name);
        return !exported || imported.has(path);
      }),
    );
  }

  /** The names (of functions) that occur only once in all the project's TS/JS text: at their declaration. */
  private unreferencedNames(names: string[]): Set<string> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return new Set();
    const counts = new Map(unique.map((name) => [name, 0]));
    const pattern = new RegExp(`(?<![\\w$])(?:${unique.map((name) => name.replace(/\$/g, '\\$')).join('|')})(?![\\w$])`, 'g');
    for (const path of this.paths) {
      const text = this.textOf(path);
      if (!text) continue;
      for (const match of text.matchAll(pattern)) counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
    }
    return new Set(unique.filter((name) => (counts.get(name) ?? 0) <= 1));
  }
}

/**
 * The calls in `module` of the project's key helpers (`invalidate(key)`, `cache.forget(key)`), with the argument
 * each passes as the key: by name first, then resolved to the helper (a method matches any `x.name(...)`).
 */
export function helperCallArguments<H extends { name: string; fn: FunctionLike; index: number }>(project: TypeScriptProject, module: TsModule, helpers: readonly H[]): { call: TS.CallExpression; helper: H; argument: TS.Expression }[] {
  const ts = module.ts;
  const names = new Set(helpers.map((helper) => helper.name));
  const found: { call: TS.CallExpression; helper: H; argument: TS.Expression }[] = [];
  for (const call of module.calls) {
    if (!ts.isCallExpression(call)) continue;
    const calleeName = ts.isIdentifier(call.expression) ? call.expression.text : ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;
    if (!calleeName || !names.has(calleeName)) continue;
    const target = project.valueOf(module, call.expression);
    for (const helper of helpers) {
      if (helper.name !== calleeName) continue;
      const matches = target?.kind === 'function' ? target.node === helper.fn : ts.isMethodDeclaration(helper.fn) && ts.isPropertyAccessExpression(call.expression);
      const argument = matches ? call.arguments[helper.index] : undefined;
      if (argument && !ts.isSpreadElement(argument)) found.push({ call, helper, argument });
    }
  }
  return found;
}

/** `path#name` of the function declared by name around a call (see ownerName). */
export function ownerOf(module: TsModule, node: TS.Node): string | undefined {
  const name = ownerName(module.ts, node);
  return name === undefined ? undefined : `${module.path}#${name}`;
}

/**
 * The name of the nearest function declared by name around a node (`function removeOrgsCache`, `const
 * removeOrgsCache = () =>`). Methods and object properties may be called by a framework (decorated
 * handlers, lifecycle hooks, resolvers): they have no owner and are never taken as dead.
 */
export function ownerName(ts: TypeScriptApi, node: TS.Node): string | undefined {
  for (const fn of enclosingFunctions(ts, node)) {
    if (ts.isConstructorDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return undefined;
    if (!ts.isFunctionDeclaration(fn) && !ts.isVariableDeclaration(fn.parent)) continue;
    const name = functionName(ts, fn);
    return name && /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
  }
  return undefined;
}

/** JSON with comments and trailing commas (tsconfig) as plain JSON; strings are kept as they are. */
function stripJsonComments(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      out += text.slice(index, end + 1);
      index = end;
    } else if (char === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++;
      out += '\n';
    } else if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? text.length : end + 1;
    } else out += char;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

interface Sniff {
  /** Imports or requires a cache library. */
  library: boolean;
  details?: SniffDetails;
}

interface SniffDetails {
  /** Calls something that may invalidate a key (`.del(`, `.expire(`...). */
  invalidation: boolean;
  /** `export ... from` specifiers: a barrel passes its modules' clients on. */
  reexports: string[];
  /** Import and require specifiers, relative or bare (not libraries or Node built-ins). */
  specifiers: string[];
}

type BoundArgs = Map<TS.ParameterDeclaration, { module: TsModule; expr: TS.Expression; bound: BoundArgs; rest?: readonly TS.Expression[] }>;

/** Literal braces in keys are rare; keep them from reading as holes. */
function escapeHoles(text: string): string {
  return text.replace(/\{\}/g, '{ }');
}

function entityNames(ts: TypeScriptApi, name: TS.EntityName | TS.Expression): string[] | undefined {
  if (ts.isIdentifier(name)) return [name.text];
  if (ts.isQualifiedName(name)) {
    const left = entityNames(ts, name.left);
    return left && [...left, name.right.text];
  }
  if (ts.isPropertyAccessExpression(name)) {
    const left = entityNames(ts, name.expression);
    return left && [...left, name.name.text];
  }
  return undefined;
}

/** `require('x')` -> `'x'`. */
function requireSpecifier(ts: TypeScriptApi, call: TS.CallExpression): string | undefined {
  if (!ts.isIdentifier(call.expression) || call.expression.text !== 'require' || call.arguments.length !== 1) return undefined;
  const argument = call.arguments[0];
  return ts.isStringLiteralLike(argument) ? argument.text : undefined;
}

/** The expressions of a function body's `return` statements (not those of nested functions). */
function returnExpressions(ts: TypeScriptApi, body: TS.Block): TS.Expression[] {
  const found: TS.Expression[] = [];
  forEachDescendant(ts, body, (node) => {
    if (node === body) return;
    if (isFunctionLike(ts, node) || ts.isClassLike(node)) return 'skip';
    if (ts.isReturnStatement(node) && node.expression) found.push(node.expression);
  });
  return found;
}

/** A delete whose key is a parameter of a named function makes that function a delete helper. */
export function deleteHelper(module: TsModule, key: TS.Expression): { fn: FunctionLike; index: number; name: string } | undefined {
  const ts = module.ts;
  const node = unwrap(ts, key);
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = lookup(ts, node.text, node);
  if (declaration?.kind !== 'parameter' || declaration.path.length > 0) return undefined;
  const fn = declaration.fn;
  const index = fn.parameters.indexOf(declaration.node);
  let name: string | undefined;
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) name = propertyNameText(ts, fn.name);
  else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
  else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isPropertyAssignment(fn.parent)) name = propertyNameText(ts, fn.parent.name);
  return name && /^[A-Za-z_$][\w$]*$/.test(name) ? { fn, index, name } : undefined;
}

/**
 * A class's `this.name = value` assignments by name, in source order, each marked as in a static member or not.
 * Read once per class (the tree is never reused across parses): asking for each member name walked the whole
 * class again, and a NestJS service asks for dozens.
 */
function thisAssignments(ts: TypeScriptApi, cls: TS.ClassLikeDeclaration): Map<string, { value: TS.Expression; isStatic: boolean }[]> {
  let byName = thisAssignmentsByClass.get(cls);
  if (!byName) {
    const found = new Map<string, { value: TS.Expression; isStatic: boolean }[]>();
    forEachDescendant(ts, cls, (child) => {
      if (!ts.isBinaryExpression(child) || child.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      if (!ts.isPropertyAccessExpression(child.left) || child.left.expression.kind !== ts.SyntaxKind.ThisKeyword) return;
      const name = child.left.name.text;
      const list = found.get(name);
      const assignment = { value: child.right, isStatic: inStaticMember(ts, child, cls) };
      if (list) list.push(assignment);
      else found.set(name, [assignment]);
    });
    byName = found;
    thisAssignmentsByClass.set(cls, byName);
  }
  return byName;
}

const thisAssignmentsByClass = new WeakMap<TS.ClassLikeDeclaration, Map<string, { value: TS.Expression; isStatic: boolean }[]>>();

/** Whether a node sits in a static member of `cls` (where `this` is the class itself). */
function inStaticMember(ts: TypeScriptApi, node: TS.Node, cls: TS.ClassLikeDeclaration): boolean {
  for (let current: TS.Node = node; current.parent; current = current.parent) {
    if (current.parent === cls) return hasModifier(ts, current, ts.SyntaxKind.StaticKeyword);
  }
  return false;
}

function hasModifier(ts: TypeScriptApi, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind);
}

function buildExportTable(module: TsModule): ExportTable {
  const ts = module.ts;
  const table: ExportTable = { named: new Map(), stars: [] };
  for (const statement of module.source.statements) {
    const exported = hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(ts, statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(statement) && exported) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) table.named.set(declaration.name.text, { local: declaration.name.text });
        else for (const element of collectBindingNames(ts, declaration.name)) table.named.set(element, { local: element });
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && exported) {
      const name = statement.name?.text;
      if (isDefault) table.named.set('default', name ? { local: name } : ts.isFunctionDeclaration(statement) ? { fn: statement } : {});
      else if (name) table.named.set(name, { local: name });
    } else if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals) table.moduleExports = statement.expression;
      else table.named.set('default', { expr: statement.expression });
    } else if (ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const clause = statement.exportClause;
      if (!clause) {
        if (specifier) table.stars.push(specifier);
      } else if (ts.isNamespaceExport(clause)) {
        if (specifier) table.named.set(clause.name.text, { from: { specifier, name: '*' } });
      } else {
        for (const element of clause.elements) {
          const local = (element.propertyName ?? element.name).text;
          table.named.set(element.name.text, specifier ? { from: { specifier, name: local } } : { local });
        }
      }
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = statement.expression;
      const target = entityNames(ts, left);
      if (target?.length === 2 && target[0] === 'module' && target[1] === 'exports') table.moduleExports = right;
      else if (target?.length === 3 && target[0] === 'module' && target[1] === 'exports') table.named.set(target[2], { expr: right });
      else if (target?.length === 2 && target[0] === 'exports') table.named.set(target[1], { expr: right });
    }
  }
  return table;
}

function collectBindingNames(ts: TypeScriptApi, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isBindingElement(element) ? collectBindingNames(ts, element.name) : []));
}

function buildModule(ts: TypeScriptApi, path: string, text: string): TsModule {
  const source = parseSource(ts, path, text);
  const lines = new LineIndex(text);
  const calls: (TS.CallExpression | TS.NewExpression)[] = [];
  const assignments = new Map<string, TS.Expression[]>();
  const assignmentOperators = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken]);
  forEachDescendant(ts, source, (node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) calls.push(node);
    else if (ts.isBinaryExpression(node) && assignmentOperators.has(node.operatorToken.kind) && ts.isIdentifier(node.left)) {
      const list = assignments.get(node.left.text) ?? [];
      list.push(node.right);
      assignments.set(node.left.text, list);
    }
  });
  const suppressions: SuppressionComment[] = [];
  let skipFile = false;
  for (const comment of collectComments(ts, source)) {
    if (/cache-coach:\s*skip-file\b/.test(comment.text)) skipFile = true;
    const suppression = parseSuppression(comment.text, comment.start, lines.positionAt(comment.start).line, comment.end);
    if (suppression) suppressions.push(suppression);
  }
  return { path, text, lines, ts, source, calls, assignments, suppressions, skipFile };
}
