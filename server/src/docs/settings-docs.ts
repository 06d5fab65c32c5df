/**
 * Hover docs for the `CACHES` setting and the keys of one alias's dict. Defaults checked against
 * Django 3.2's `conf/global_settings.py` and `core/cache/backends/base.py` (`BaseCache.__init__`).
 */
import type { ApiDoc } from './api-doc.js';

export const SETTINGS_KEY_DOCS: Readonly<Record<string, ApiDoc>> = {
  CACHES: {
    title: 'CACHES',
    signature: 'CACHES = {\n    "default": {"BACKEND": "...", "LOCATION": "...", "TIMEOUT": 300},\n    "other_alias": {...},\n}',
    summary:
      'Maps cache aliases to their configuration; the `"default"` alias is required (system check `caches.E001`) and is what `django.core.cache.cache` uses. ' +
      'When the setting is absent, Django uses a single `LocMemCache` as the default.',
    pitfall:
      'That built-in default is per process: fine on a laptop, but in production every worker caches on its own and invalidating in one leaves the others stale.',
    lessonSection: 'backends',
  },
  BACKEND: {
    title: 'CACHES[alias]["BACKEND"]',
    signature: '"BACKEND": "django.core.cache.backends.redis.RedisCache"',
    summary:
      'Dotted path of the backend class for this alias, the one key every alias needs. ' +
      'Django ships LocMem, file, database, Memcached (`PyMemcacheCache`, `PyLibMCCache`), Redis (4.0+) and dummy backends.',
    pitfall:
      'The `default` alias also serves `cache_page`, the site-wide cache, `{% cache %}` and cache-backed sessions unless they are pointed elsewhere, so a per-process `LocMemCache` there splits all of them per worker.',
    lessonSection: 'backends',
  },
  LOCATION: {
    title: 'CACHES[alias]["LOCATION"]',
    signature: '"LOCATION": "redis://127.0.0.1:6379/1"',
    summary:
      'Where the backend keeps its data, read according to the backend: server address(es) for Memcached (`host:port`, `unix:/path`, or a list), URL(s) for Redis, ' +
      'an absolute directory for the file cache, a table name for the database cache, and a store name for LocMem.',
    pitfall:
      'Aliases or sites that point at the same location share one store: their keys collide unless `KEY_PREFIX` differs, and `clear()` on one wipes them all.',
    lessonSection: 'backends',
  },
  TIMEOUT: {
    title: 'CACHES[alias]["TIMEOUT"]',
    signature: '"TIMEOUT": 300  # seconds; the default when the key is absent',
    summary:
      'Lifetime in seconds of entries written without an explicit `timeout`. `None` makes such entries never expire; `0` makes them expire at once, which in effect turns the cache off.',
    pitfall:
      '`"TIMEOUT": None` silently turns every `set()` without a timeout into a permanent entry that only explicit invalidation removes. ' +
      'A value `int()` can\'t read, such as `"5m"`, quietly becomes 300.',
    lessonSection: 'timeouts',
  },
  KEY_PREFIX: {
    title: 'CACHES[alias]["KEY_PREFIX"]',
    signature: '"KEY_PREFIX": ""  # the default',
    summary:
      'A string built into every key of this alias (the default key function stores `prefix:version:key`), so several sites or environments can share one cache server without reading each other\'s entries.',
    pitfall:
      'Environments that share a server without distinct prefixes (staging and production, two projects) serve each other\'s data; and `clear()` ignores the prefix and wipes everyone\'s entries.',
    lessonSection: 'key-design',
  },
  VERSION: {
    title: 'CACHES[alias]["VERSION"]',
    signature: '"VERSION": 1  # the default',
    summary:
      'The version number built into every key of this alias (`prefix:version:key`); a `version=` argument overrides it per call. ' +
      'Bumping it makes all existing entries unreachable at once, for example when a deploy changes the shape of cached objects.',
    pitfall:
      'Old entries are orphaned, not deleted: they hold memory or disk until they expire or are evicted, which for entries stored with `timeout=None` may be never.',
    lessonSection: 'invalidation',
  },
  OPTIONS: {
    title: 'CACHES[alias]["OPTIONS"]',
    signature: '"OPTIONS": {"MAX_ENTRIES": 300, "CULL_FREQUENCY": 3}',
    summary:
      'Backend-specific settings. LocMem, file and database caches read `MAX_ENTRIES` (default 300) and `CULL_FREQUENCY` (default 3: drop a third of the entries when full; `0` empties the cache); ' +
      'Memcached and Redis hand the options to their client library.',
    pitfall:
      '300 entries is a small cap for a real site: once reached, writes keep culling a third of the cache (or all of it with `CULL_FREQUENCY: 0`) and the hit rate collapses.',
    lessonSection: 'backends',
  },
  KEY_FUNCTION: {
    title: 'CACHES[alias]["KEY_FUNCTION"]',
    signature: '"KEY_FUNCTION": "myproject.cache.make_key"  # make_key(key, key_prefix, version)',
    summary:
      'A function, or the dotted path of one, that turns `(key, key_prefix, version)` into the key actually stored. ' +
      'The default joins them as `f"{key_prefix}:{version}:{key}"`.',
    pitfall:
      'A custom function must still use `key_prefix` and `version`, or `KEY_PREFIX`, `VERSION` and `incr_version()` stop working without any error; ' +
      'on Memcached its result must also stay within 250 characters with no spaces or control characters.',
    lessonSection: 'key-design',
  },
};
