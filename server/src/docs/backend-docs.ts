/**
 * Hover docs for the cache backends Django ships, by dotted path (the value of `CACHES[alias]["BACKEND"]`).
 * Checked against Django 3.2's `core/cache/backends/*.py`; the Redis backend against Django 4.0+.
 */
import type { ApiDoc } from './api-doc.js';

const PREFIX = 'django.core.cache.backends.';

function backendSignature(dottedPath: string, location: string, comment?: string): string {
  return `"BACKEND": "${dottedPath}",\n"LOCATION": "${location}",${comment ? `  # ${comment}` : ''}`;
}

export const BACKEND_DOCS: Readonly<Record<string, ApiDoc>> = {
  [`${PREFIX}locmem.LocMemCache`]: {
    title: 'LocMemCache',
    signature: backendSignature(`${PREFIX}locmem.LocMemCache`, 'unique-name', 'optional'),
    summary:
      'Keeps entries in a dictionary inside the Python process, guarded by a lock and culled least-recently-used first at `MAX_ENTRIES` (300). ' +
      'It is Django\'s default and needs no server, which suits development, tests and single-process deployments.',
    pitfall:
      'Each process has its own copy: with several workers, a value set or deleted in one is invisible to the others, so invalidation, rate limits and locks quietly break, and every worker spends its own memory.',
    lessonSection: 'backends',
  },
  [`${PREFIX}filebased.FileBasedCache`]: {
    title: 'FileBasedCache',
    signature: backendSignature(`${PREFIX}filebased.FileBasedCache`, '/var/tmp/django_cache', 'absolute path'),
    summary:
      'Stores each entry as a pickled, compressed file in the `LOCATION` directory, shared by the processes of one machine and kept across restarts. ' +
      'It fits small sites without a cache server.',
    pitfall:
      'Every write lists the whole directory to decide whether to cull, so it slows down as entries pile up. ' +
      'Entries are unpickled on read, so the directory must not be writable by others or lie inside `MEDIA_ROOT` or `STATIC_ROOT`: a planted file would run code.',
    lessonSection: 'backends',
  },
  [`${PREFIX}db.DatabaseCache`]: {
    title: 'DatabaseCache',
    signature: backendSignature(`${PREFIX}db.DatabaseCache`, 'my_cache_table', 'table name'),
    summary:
      'Stores entries in the database table named by `LOCATION`, shared by every process that uses that database. ' +
      'The table comes from `python manage.py createcachetable`, not from migrations.',
    pitfall:
      'It puts load on the database you were trying to relieve (each write also counts the table\'s rows), ' +
      'and a new environment where nobody ran `createcachetable` fails on every cache call with a missing-table error.',
    lessonSection: 'backends',
  },
  [`${PREFIX}memcached.PyMemcacheCache`]: {
    title: 'PyMemcacheCache',
    signature: backendSignature(`${PREFIX}memcached.PyMemcacheCache`, '127.0.0.1:11211', 'or a list of servers'),
    summary:
      'Memcached through the pure-Python `pymemcache` client (the backend is new in Django 3.2): a fast in-memory cache shared by every process and machine. ' +
      '`LOCATION` is `host:port`, `unix:/path`, or a list of servers to spread keys over.',
    pitfall:
      'Memcached lives in memory only: entries vanish on restart and are evicted under memory pressure before they expire. ' +
      'Values over its item size limit (1 MB by default) are not stored, and keys longer than 250 characters or containing spaces raise `InvalidCacheKey`.',
    lessonSection: 'backends',
  },
  [`${PREFIX}memcached.PyLibMCCache`]: {
    title: 'PyLibMCCache',
    signature: backendSignature(`${PREFIX}memcached.PyLibMCCache`, '127.0.0.1:11211', 'or a list of servers'),
    summary:
      'Memcached through `pylibmc`, a C extension over the libmemcached library; otherwise the same shared in-memory cache as `PyMemcacheCache`. ' +
      '`LOCATION` is `host:port`, `unix:/path`, or a list of servers.',
    pitfall:
      'Installing it needs libmemcached on the system. Like every Memcached backend it loses entries on restart, does not store values over the item size limit (1 MB by default), and rejects keys over 250 characters or with spaces.',
    lessonSection: 'backends',
  },
  [`${PREFIX}memcached.MemcachedCache`]: {
    title: 'MemcachedCache',
    signature: backendSignature(`${PREFIX}memcached.MemcachedCache`, '127.0.0.1:11211'),
    summary:
      'Memcached through the old `python-memcached` client. Deprecated in Django 3.2 and removed in 4.1; `PyMemcacheCache` is the replacement.',
    pitfall:
      'Settings that still name it fail with `InvalidCacheBackendError` once the project moves to Django 4.1, and until then `python-memcached` cannot tell a cached `None` from a miss.',
    lessonSection: 'backends',
  },
  [`${PREFIX}redis.RedisCache`]: {
    title: 'RedisCache',
    signature: backendSignature(`${PREFIX}redis.RedisCache`, 'redis://127.0.0.1:6379/1', 'or a list: primary first, then replicas'),
    summary:
      'Redis through the `redis-py` client: a shared cache that can survive restarts, built into Django since 4.0. ' +
      '`LOCATION` is a `redis://`, `rediss://` or `unix://` URL; with several, writes go to the first and reads to a random one of the others.',
    pitfall:
      '`clear()` runs `FLUSHDB` and empties the whole Redis database, including sessions, task queues or other apps\' keys kept there, so give the cache a database of its own. ' +
      'With replicas, a read just after a write or delete can still return the old value.',
    lessonSection: 'backends',
    since: '4.0',
  },
  [`${PREFIX}dummy.DummyCache`]: {
    title: 'DummyCache',
    signature: backendSignature(`${PREFIX}dummy.DummyCache`, '', 'ignored'),
    summary:
      'Implements the cache API but stores nothing: `get()` always returns the default, `add()` always returns `True`, `set()` and `delete()` do nothing. ' +
      'Use it to switch caching off in development while the code keeps calling the cache.',
    pitfall:
      'Tests against it never meet stale data, shared keys or missing invalidation, so those bugs pass; and `incr()`/`decr()` always raise `ValueError`, because no key ever exists.',
    lessonSection: 'backends',
  },
};
