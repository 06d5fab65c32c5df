/**
 * Loads a CommonJS bundle with V8's code cache. Each `cache-coach check` is a fresh process, and compiling the
 * CLI bundle's functions (and the TypeScript compiler's, 3.5 MB) again on every run cost more than some scans
 * of a small project. The first run writes, on exit, the code of every function it compiled; later runs of the
 * same bundle read it back. This is what Node 22's `module.enableCompileCache()` does; Node 20 has no such API.
 *
 * The cache lives in a folder of the OS temp folder that belongs to the user and that no one else can write
 * (anything else is not trusted), one file per bundle path, bundle text and Node version. Anything that goes
 * wrong (no temp folder, a file V8 rejects) only means compiling as usual. NODE_DISABLE_COMPILE_CACHE=1 turns it
 * off, as for Node's own compile cache.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';

/** How the code cache served one load: read back, to be written on exit, or not used. */
export type CompileCacheUse = 'read' | 'will-write' | 'off';

/** A loaded script and its cache file; `work` is how much the run did with it (noteWork), 0 until told. */
interface Loaded {
  script: Script;
  file: string;
  work: number;
  /** Whether its cache was read: then it is written again only for a run that did far more than the one that wrote it. */
  read: boolean;
}

/** Scripts whose code may be written to the cache on exit. */
const pending: Loaded[] = [];
let flushOnExit = false;

/**
 * The exports of the CommonJS file `filename`, compiled with the code cache in `directory` (a private temp folder by
 * default); `transform` changes its text first.
 */
export function requireWithCompileCache(
  filename: string,
  directory = defaultDirectory(),
  transform?: (source: string) => string,
): { exports: unknown; cache: CompileCacheUse; noteWork(units: number): void } {
  const read = readFileSync(filename, 'utf8');
  const source = transform ? transform(read) : read;
  const folder = directory !== undefined && process.env.NODE_DISABLE_COMPILE_CACHE !== '1' && privateFolder(directory) ? directory : undefined;
  const file = folder && join(folder, cacheFileName(filename, source));
  let cachedData: Buffer | undefined;
  try {
    if (file) cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  // A shebang line is a comment only at the very start of a script: inside the module wrapper it must become one.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  // No `import()` may run in the bundle: Node 20 gives a script compiled with cached data no way to resolve one.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, { filename, cachedData });
  const module = { exports: {} as unknown, filename, id: filename, loaded: false };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  module.loaded = true;
  const used = cachedData !== undefined && !script.cachedDataRejected;
  if (!file) return { exports: module.exports, cache: 'off', noteWork: () => undefined };
  const loaded: Loaded = { script, file, work: 0, read: used };
  pending.push(loaded);
  if (!flushOnExit) {
    flushOnExit = true;
    process.once('exit', flushCompileCache);
  }
  const noteWork = (units: number): void => {
    loaded.work = Math.max(loaded.work, units);
  };
  return { exports: module.exports, cache: used ? 'read' : 'will-write', noteWork };
}

/**
 * A run this large exercises about all of the code a scan uses: a cache it wrote is kept. Larger runs would only add
 * functions few runs need, and every run deserializes the whole cache (one written by a 28,000-file run was half
 * as large again as a reviewboard run's, and loading it made small scans 1-2% slower).
 */
const BROAD_RUN = 1000;

/**
 * Whether the script's cache is written on exit: always when none was read. V8 writes only the functions compiled
 * so far, so a cache written by a small run (one file, `--version`) leaves most of a large project's code to
 * compile on every later run. The run that wrote it noted its work beside it (`<cache>.work`); a run that did over
 * twice as much writes it again, until one of BROAD_RUN units has.
 */
function shouldWrite(loaded: Loaded): boolean {
  if (!loaded.read) return true;
  if (loaded.work === 0) return false;
  let recorded = 0;
  try {
    recorded = Number(readFileSync(`${loaded.file}.work`, 'utf8')) || 0;
  } catch {
    recorded = 0;
  }
  return recorded < BROAD_RUN && loaded.work > 2 * recorded;
}

/**
 * Writes the cache of every script loaded without one: the code of all the functions compiled so far. The caches
 * of other versions of the same bundle are removed, so that rebuilding or upgrading does not fill the folder.
 */
export function flushCompileCache(): void {
  for (const loaded of pending.splice(0)) {
    if (!shouldWrite(loaded)) continue;
    const { script, file, work } = loaded;
    try {
      writeAtomically(file, script.createCachedData());
      if (work > 0) writeAtomically(`${file}.work`, String(work));
      else rmSync(`${file}.work`, { force: true });
      const folder = dirname(file);
      for (const other of readdirSync(folder)) if (replaces(basename(file), other)) rmSync(join(folder, other), { force: true });
    } catch {
      // A cache that cannot be written is only a slower next run.
    }
  }
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * `<bundle>-<path key>-<text key>.cache`. Keyed by the text itself, since V8 checks only a cache's length and
 * flags against the source; and by the bundle's path, since V8 names the script after the file that wrote the
 * cache: a copy installed elsewhere would otherwise report its stack traces under the first one's path.
 */
function cacheFileName(filename: string, source: string): string {
  const pathKey = createHash('sha256').update(resolve(filename)).digest('hex').slice(0, 8);
  const textKey = createHash('sha256').update(process.version).update(source).digest('hex').slice(0, 24);
  return `${basename(filename, '.js')}-${pathKey}-${textKey}.cache`;
}

/** Whether cache file `other` is an older one of the bundle `written` was made for (same path, or from before paths were keys). */
function replaces(written: string, other: string): boolean {
  const parts = /^(.+)-([0-9a-f]{8})-[0-9a-f]{24}\.cache$/.exec(written);
  if (!parts || other === written || other === `${written}.work` || !other.startsWith(`${parts[1]}-`)) return false;
  const rest = other.slice(parts[1].length);
  return new RegExp(`^-${parts[2]}-[0-9a-f]{24}\\.cache(?:\\.work)?$`).test(rest) || /^-[0-9a-f]{24}\.cache$/.test(rest);
}

function defaultDirectory(): string | undefined {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  return join(tmpdir(), uid === undefined ? 'cache-coach-compile-cache' : `cache-coach-compile-cache-${uid}`);
}

/** Whether `directory` is (or now is) a real folder of this user that no one else can write. */
function privateFolder(directory: string): boolean {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stats = lstatSync(directory);
    if (!stats.isDirectory()) return false;
    if (typeof process.getuid !== 'function') return true;
    return stats.uid === process.getuid() && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}
