/**
 * The Node cache libraries the TS/JS rules know: which package each comes from, which exports make a
 * client (constructors and factories), which type names declare one, and what their TTLs are measured in.
 */

export type LibraryId = 'ioredis' | 'node-redis' | 'cache-manager' | 'keyv' | 'lru-cache' | 'node-cache';

export const LIBRARY_LABEL: Readonly<Record<LibraryId, string>> = {
  ioredis: 'ioredis',
  'node-redis': 'node-redis',
  'cache-manager': 'cache-manager',
  keyv: 'Keyv',
  'lru-cache': 'lru-cache',
  'node-cache': 'node-cache',
};

const PACKAGES: Readonly<Record<string, LibraryId>> = {
  ioredis: 'ioredis',
  redis: 'node-redis',
  '@redis/client': 'node-redis',
  'cache-manager': 'cache-manager',
  // Re-exports cache-manager's `Cache` type for `@Inject(CACHE_MANAGER) cache: Cache`.
  '@nestjs/cache-manager': 'cache-manager',
  keyv: 'keyv',
  'lru-cache': 'lru-cache',
  'node-cache': 'node-cache',
};

/** The library an import specifier names (`'ioredis'`, `'redis'`, ...), if any. */
export function libraryOfSpecifier(specifier: string): LibraryId | undefined {
  return Object.hasOwn(PACKAGES, specifier) ? PACKAGES[specifier] : undefined;
}

/** The package names of the libraries (and the packages that re-export them). */
export const LIBRARY_PACKAGES: readonly string[] = Object.keys(PACKAGES);

/** Text that imports or requires one of the libraries: the pre-filter for the TS/JS front end. */
const LIBRARY_IMPORT = /(?:\bfrom|\bimport|\brequire\s*\()\s*['"](?:ioredis|redis|@redis\/client|cache-manager|@nestjs\/cache-manager|keyv|lru-cache|node-cache)['"]/;

/** Words one of which every package name holds: a text without any cannot import a library. */
const PACKAGE_WORDS = ['redis', 'cache', 'keyv'];

/**
 * Whether the text imports or requires a library (LIBRARY_IMPORT). Most TS/JS files of a Django project (its
 * static scripts) hold none of the packages' words, and looking for a word is much faster than the pattern.
 */
export function importsLibrary(text: string): boolean {
  return PACKAGE_WORDS.some((word) => text.includes(word)) && LIBRARY_IMPORT.test(text);
}

/** A Redis client: stores without TTL are only caches in the cache-aside shape. */
export function isRedis(library: LibraryId): boolean {
  return library === 'ioredis' || library === 'node-redis';
}

/**
 * A reference into a library's exports: `import Redis from 'ioredis'` is `['default']`,
 * `require('redis').createClient` is `['module.exports', 'createClient']`. Namespace and module-object
 * steps (`default`, `*`, `module.exports`) carry no meaning of their own and are dropped.
 */
function meaningfulNames(names: readonly string[]): string[] {
  return names.filter((name) => name !== 'default' && name !== '*' && name !== 'module.exports');
}

/** Whether `new <ref>(...)` (isNew) or `<ref>(...)` creates a client of the library. */
export function isClientConstructor(library: LibraryId, names: readonly string[], isNew: boolean): boolean {
  const rest = meaningfulNames(names);
  const only = (allowed: string[]): boolean => rest.every((name) => allowed.includes(name));
  switch (library) {
    case 'ioredis':
      return isNew && rest.length <= 2 && only(['Redis', 'Cluster']);
    case 'keyv':
      return isNew && rest.length <= 1 && only(['Keyv']);
    case 'lru-cache':
      return isNew && rest.length <= 1 && only(['LRUCache']);
    case 'node-cache':
      return isNew && rest.length <= 1 && only(['NodeCache']);
    case 'node-redis':
      return !isNew && rest.length === 1 && only(['createClient', 'createCluster']);
    case 'cache-manager':
      return !isNew && rest.length === 1 && only(['caching', 'createCache', 'multiCaching']);
  }
}

/** Whether a type reference to `<ref>` declares a client (`private redis: Redis`, `cache: Cache`). */
export function isClientType(library: LibraryId, names: readonly string[]): boolean {
  const rest = meaningfulNames(names);
  if (rest.length > 1) return false;
  const name = rest[0];
  switch (library) {
    case 'ioredis':
      return name === undefined || name === 'Redis' || name === 'Cluster';
    case 'keyv':
      return name === undefined || name === 'Keyv' || name === 'Store' || name === 'KeyvStoreAdapter';
    case 'lru-cache':
      return name === undefined || name === 'LRUCache';
    case 'node-cache':
      return name === undefined || name === 'NodeCache';
    case 'node-redis':
      return name === 'RedisClientType' || name === 'RedisClusterType' || name === 'RedisClient';
    case 'cache-manager':
      return name === 'Cache' || name === 'MemoryCache' || name === 'MultiCache';
  }
}

/** The factory a cache-manager client came from decides its API generation when package.json does not. */
export function cacheManagerFactory(names: readonly string[]): string | undefined {
  return meaningfulNames(names)[0];
}

/**
 * The major version of a dependency from a package.json range: `^5.2.0`, `~5.2`, `5.x`, `5`, `>=5`
 * (at least 5: every later major measures TTLs the same way). Anything else (`*`, `latest`, tags, URLs,
 * `workspace:*`, `>=4`, ranges over several majors) is unknown.
 */
export function majorOfRange(range: string): number | undefined {
  let text = range.trim();
  const alias = /^npm:[^@]+@(.+)$/.exec(text);
  if (alias) text = alias[1];
  if (/\|\||\s-\s/.test(text)) return undefined;
  text = text.replace(/^(>=|\^|~|=)\s+/, '$1');
  const parts = text.split(/\s+/);
  if (parts.length > 1) return undefined;
  const match = /^(\^|~|=|v|>=)?\s*(\d+)(?:\.(?:\d+|x|\*))?(?:\.(?:\d+|x|\*))?(?:[-+].*)?$/.exec(text);
  if (!match) return undefined;
  const major = Number(match[2]);
  return match[1] === '>=' && major < 5 ? undefined : major;
}
