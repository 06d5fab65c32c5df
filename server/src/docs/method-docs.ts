/**
 * Hover docs for the methods of a Django cache object (`cache.get(...)`, `caches["x"].aset(...)`).
 *
 * Facts are Django's (checked against Django 3.2's `django/core/cache/backends/*.py`; the async
 * methods against Django 4.0+'s `BaseCache`). The sync signatures are compared with real Django's
 * by test/unit/docs.test.ts.
 */
import type { ApiDoc } from './api-doc.js';

export const SYNC_METHOD_DOCS: Readonly<Record<string, ApiDoc>> = {
  get: {
    title: 'cache.get',
    signature: 'cache.get(key, default=None, version=None)',
    summary:
      'Returns the value stored under `key`, or `default` when the key is missing or has expired. ' +
      '`version` reads a key version other than the alias\'s `VERSION`.',
    pitfall:
      'A cached `None` is indistinguishable from a miss while `default` is `None`. If `None` can be a real value, ' +
      'pass a sentinel (`MISSING = object()`) as `default` and test with `is`.',
    lessonSection: 'low-level-api',
  },
  set: {
    title: 'cache.set',
    signature: 'cache.set(key, value, timeout=DEFAULT_TIMEOUT, version=None)',
    summary:
      'Stores `value` under `key`, replacing whatever was there; the value is pickled, so it must be picklable. ' +
      '`timeout` is in seconds: left out, it is the alias\'s `TIMEOUT` (300 s unless configured); `None` means the entry never expires.',
    pitfall:
      '`timeout=0` is not "forever" as in raw Memcached: zero or a negative number expires the entry at once, so nothing is cached. ' +
      '`timeout=None` is forever, which only works if some code deletes or overwrites the key when the data changes.',
    lessonSection: 'timeouts',
  },
  add: {
    title: 'cache.add',
    signature: 'cache.add(key, value, timeout=DEFAULT_TIMEOUT, version=None)',
    summary:
      'Stores `value` only when `key` is absent (or expired) and returns `True`; if a live value is already there it is kept and `add` returns `False`. ' +
      'Timeouts work as in `set()`.',
    pitfall:
      'Memcached and Redis check and write in one atomic server command, so `add` can serve as a simple lock there; ' +
      'the file-based backend checks first and writes afterwards, so two processes can both get `True`.',
    lessonSection: 'low-level-api',
  },
  delete: {
    title: 'cache.delete',
    signature: 'cache.delete(key, version=None)',
    summary:
      'Removes `key` and returns `True` if an entry was deleted, `False` if there was none. A missing key is not an error.',
    pitfall:
      'Deleting before the database transaction that changed the data has committed lets a concurrent request re-cache the old row. ' +
      'Invalidate in `transaction.on_commit(...)`.',
    lessonSection: 'invalidation',
  },
  get_or_set: {
    title: 'cache.get_or_set',
    signature: 'cache.get_or_set(key, default, timeout=DEFAULT_TIMEOUT, version=None)',
    summary:
      'Returns the cached value of `key`; on a miss it evaluates `default` (calling it if it is callable), stores it with `add()` and returns what the cache then holds. ' +
      'Pass the function itself, not its result, so the expensive work only runs on a miss.',
    pitfall:
      'It is not a lock: when a busy key expires, every request that misses at that moment runs `default` at the same time (a cache stampede), and only the first write is kept.',
    lessonSection: 'cache-aside',
  },
  get_many: {
    title: 'cache.get_many',
    signature: 'cache.get_many(keys, version=None)',
    summary:
      'Looks up several keys and returns a dict holding only the ones that were found. ' +
      'Memcached and Redis fetch them in one batched request and the database backend in one query; the other backends call `get()` per key.',
    pitfall:
      'Missing and expired keys are simply absent from the result, so `result[key]` raises `KeyError` on every miss; use `result.get(key)`.',
    lessonSection: 'low-level-api',
  },
  set_many: {
    title: 'cache.set_many',
    signature: 'cache.set_many(data, timeout=DEFAULT_TIMEOUT, version=None)',
    summary:
      'Stores every key/value pair of the dict `data`, all with the same `timeout`. ' +
      'Returns the list of keys that could not be stored; only the Memcached backends report such failures, the others return `[]`.',
    pitfall:
      'Entries written together with one timeout also expire together, so they are all recomputed in the same burst of misses.',
    lessonSection: 'low-level-api',
  },
  delete_many: {
    title: 'cache.delete_many',
    signature: 'cache.delete_many(keys, version=None)',
    summary:
      'Removes all the listed keys: in one batch on Memcached and Redis, one query on the database backend, a `delete()` per key elsewhere. Returns nothing.',
    pitfall:
      'Only the exact keys listed are removed; there is no wildcard or prefix delete. To drop a whole family of keys at once, build a version or generation number into the key.',
    lessonSection: 'invalidation',
  },
  touch: {
    title: 'cache.touch',
    signature: 'cache.touch(key, timeout=DEFAULT_TIMEOUT, version=None)',
    summary:
      'Gives an existing key a new expiry without rewriting its value. Returns `True` if the key was there, `False` otherwise.',
    pitfall:
      '`cache.touch(key)` without a timeout neither keeps the old expiry nor makes the key permanent: it restarts the alias\'s default `TIMEOUT`. Pass `None` for "never expire".',
    lessonSection: 'timeouts',
  },
  incr: {
    title: 'cache.incr',
    signature: 'cache.incr(key, delta=1, version=None)',
    summary:
      'Adds `delta` to the number stored under `key` and returns the new value. ' +
      'A missing key raises `ValueError`, so create the counter first with `cache.add(key, 0)`.',
    pitfall:
      'Only Memcached and Redis increment atomically (LocMem does within one process). ' +
      'The file and database backends do a `get()` then a `set()`: concurrent increments are lost and the key\'s expiry restarts at the default `TIMEOUT`.',
    lessonSection: 'low-level-api',
  },
  decr: {
    title: 'cache.decr',
    signature: 'cache.decr(key, delta=1, version=None)',
    summary:
      'Subtracts `delta` from the number stored under `key` and returns the new value. A missing key raises `ValueError`.',
    pitfall:
      'Atomic only on Memcached and Redis (and within one process on LocMem); file and database backends lose concurrent updates and restart the expiry. ' +
      'Memcached never goes below zero: a decrement past 0 leaves 0.',
    lessonSection: 'low-level-api',
  },
  has_key: {
    title: 'cache.has_key',
    signature: 'cache.has_key(key, version=None)',
    summary: 'Returns `True` if `key` is in the cache and has not expired. `key in cache` does the same.',
    pitfall:
      'Checking and then calling `get()` costs two round trips and races: the entry can expire or be deleted in between. ' +
      'Call `get()` once with a sentinel default instead.',
    lessonSection: 'low-level-api',
  },
  clear: {
    title: 'cache.clear',
    signature: 'cache.clear()',
    summary: 'Deletes every entry in the storage behind this cache alias.',
    pitfall:
      'It ignores `KEY_PREFIX` and `VERSION`: on Memcached it flushes the whole server and on Redis the whole database (`FLUSHDB`), ' +
      'taking other sites\' entries, cache-backed sessions and anything else stored there with it.',
    lessonSection: 'invalidation',
  },
  incr_version: {
    title: 'cache.incr_version',
    signature: 'cache.incr_version(key, delta=1, version=None)',
    summary:
      'Moves the value of `key` from its current version to version + `delta` (it writes the new entry and deletes the old one) and returns the new version number. ' +
      'A missing key raises `ValueError`.',
    pitfall:
      'The new version is not remembered anywhere: a plain `cache.get(key)` still uses the alias\'s `VERSION` and now misses, so every reader must pass `version=`. ' +
      'The moved entry also gets the default `TIMEOUT`, not its old expiry.',
    lessonSection: 'invalidation',
  },
  decr_version: {
    title: 'cache.decr_version',
    signature: 'cache.decr_version(key, delta=1, version=None)',
    summary:
      'Moves the value of `key` from its current version to version − `delta` and returns the new version number. A missing key raises `ValueError`.',
    pitfall:
      'Readers that don\'t pass the new `version=` keep missing, and the moved entry gets the default `TIMEOUT` instead of its old expiry.',
    lessonSection: 'invalidation',
  },
  close: {
    title: 'cache.close',
    signature: 'cache.close(**kwargs)',
    summary:
      'Closes the backend\'s connections; for backends without connections it does nothing. ' +
      'Django already calls it on every cache used during a request when the request finishes.',
    pitfall:
      'It deletes no data (that is `delete()` or `clear()`). Code that runs outside a request, such as management commands or task workers, never gets the automatic call.',
    lessonSection: 'low-level-api',
  },
};

/** Async-specific pitfalls; the other async methods share the pitfall of their sync counterpart. */
const ASYNC_PITFALLS: Readonly<Record<string, string>> = {
  aget_or_set:
    'A callable `default` is still called synchronously: an `async def` function returns a coroutine, which Django then tries to pickle and store (a `TypeError`). ' +
    'Await your loader yourself and store the result with `aset()`.',
  aincr:
    'In Django 4.0–5.2 no built-in backend overrides it: the base class does `aget()` then `aset()`, even on Redis and Memcached, ' +
    'so concurrent increments are lost and the expiry restarts at the default `TIMEOUT`.',
  adecr:
    'In Django 4.0–5.2 it is the base class\'s `aget()` then `aset()` on every built-in backend: not atomic, and the expiry restarts at the default `TIMEOUT`.',
  aget_many:
    'In Django 4.0–5.2 the base class awaits one `aget()` per key, so even Memcached and Redis lose the batching of `get_many()`.',
  aset_many:
    'In Django 4.0–5.2 the base class awaits one `aset()` per key, so even Memcached and Redis lose the batching of `set_many()`.',
  adelete_many:
    'In Django 4.0–5.2 the base class awaits one `adelete()` per key, so even Memcached and Redis lose the batching of `delete_many()`.',
  aclose:
    'It deletes no data. In Django 4.0–5.2 the base implementation is empty (it does not call `close()`); the end-of-request cleanup calls the sync `close()`.',
};

/** The async variant of a sync method doc: same parameters, `await`, Django 4.0+. */
function asyncVariant(name: string, sync: ApiDoc): ApiDoc {
  const syncName = name.slice(1);
  return {
    title: `cache.${name}`,
    signature: `await ${sync.signature.replace(`cache.${syncName}(`, `cache.${name}(`)}`,
    summary:
      `Async form of \`cache.${syncName}()\`, with the same arguments and result (in Django 4.0–5.2 the built-in backends do the blocking work in a worker thread). ` +
      sync.summary,
    pitfall: ASYNC_PITFALLS[name] ?? sync.pitfall,
    lessonSection: sync.lessonSection,
    since: '4.0',
  };
}

export const ASYNC_METHOD_DOCS: Readonly<Record<string, ApiDoc>> = Object.fromEntries(
  Object.entries(SYNC_METHOD_DOCS).map(([name, doc]) => [`a${name}`, asyncVariant(`a${name}`, doc)]),
);
