import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { allFindings, assertFixIsClean, fixedWith } from './support.js';

const CODE = 'CACHE006';

// ---- flagged: the timeout argument ----

test('set(k, v, 0) is flagged; the span is the timeout', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def stats(stats):
          cache.set("homepage:stats", stats, 0)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['0']);
});

test('timeout=0 by keyword is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def stats(stats):
          cache.set("homepage:stats", stats, timeout=0)
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['0']);
});

test('touch(k, -1) is flagged; the span is the negative number', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def expire(pk):
          cache.touch(f"order:{pk}", -1)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['-1']);
});

test('set_many(d, 0), add(k, v, 0), get_or_set(k, d, 0) and aset(k, v, 0) are flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      async def warm(stats):
          cache.set_many({"stats:visits": stats.visits}, 0)
          cache.add("stats:orders", stats.orders, 0)
          cache.get_or_set("stats:users", count_users, 0)
          await cache.aset("stats:carts", stats.carts, 0)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4', 'shop/views.py:5', 'shop/views.py:6', 'shop/views.py:7']);
});

test('a zero timeout held in a constant is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import caches

      NO_EXPIRY = 0

      def stats(stats):
          caches["stats"].set("homepage:stats", stats, NO_EXPIRY)
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['NO_EXPIRY']);
});

test('"TIMEOUT": 0 in production settings is flagged; the span is the value', async () => {
  const files = {
    'shop/settings/production.py': py`
      CACHES = {
          "default": {
              "BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": "redis://cache:6379/0",
              "TIMEOUT": 0,
          }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/production.py:5']);
  assert.deepEqual(await spans(CODE, files), ['0']);
});

test('"TIMEOUT": -1 in a base module that production star-imports is flagged', async () => {
  const files = {
    'shop/settings/base.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": -1}}\n',
    'shop/settings/production.py': 'from .base import *\n',
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/base.py:1']);
});

// ---- quiet ----

test('values are not timeouts: add("n", 0), set(k, 0), set_many({k: 0}), get_or_set(k, 0), get(k, 0)', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def counters(pk):
          cache.add("visits", 0)
          cache.set(f"likes:{pk}", 0)
          cache.set_many({"stats:visits": 0, "stats:orders": 0})
          cache.get_or_set("stats:users", 0)
          cache.get("stats:carts", 0)
          cache.incr("visits", 1)
          cache.decr("stock", 0)
          cache.incr("balance", -1)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('positive, None and computed timeouts are quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def store(pk, value, ttl):
          cache.set(f"a:{pk}", value, 300)
          cache.set(f"b:{pk}", value, timeout=60 * 60)
          cache.set(f"c:{pk}", value, ttl)
          cache.touch(f"d:{pk}")
          cache.touch(f"e:{pk}", 10)
          cache.set(f"f:{pk}", value, None)
          cache.delete(f"f:{pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a memcached client\'s set(k, v, 0) is not Django\'s cache (0 means never there)', async () => {
  const files = {
    'shop/memcache.py': py`
      from django.core.cache import cache
      from pymemcache.client.base import Client

      client = Client(("localhost", 11211))

      def store(value):
          client.set("raw:value", value, 0)
          cache.get("warm")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('"TIMEOUT": 0 in development or test settings, or under `if DEBUG:`, is a deliberate off switch', async () => {
  const caches = 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": 0}}\n';
  assert.deepEqual(await flagged(CODE, { 'shop/settings/dev.py': caches }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings/test.py': caches }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings/local.py': caches }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': `DEBUG = True\n\nif DEBUG:\n    ${caches}` }), []);
});

test('a positive "TIMEOUT" in production is quiet', async () => {
  const files = { 'shop/settings/production.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": 300}}\n' };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- the fixes ----

test('the first fix sets the default timeout; the result parses and is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def stats(stats, pk):
          cache.set("homepage:stats", stats, 0)
          cache.touch(f"order:{pk}", timeout=-1)
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  // Nothing deletes "homepage:stats", so "None" is not offered: it would only trade this finding for CACHE001.
  assert.deepEqual(
    findings[0].fixes.map((fix) => [fix.title, fix.safety]),
    [['Expire after 300 seconds', 'unsafe']],
  );
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.core.cache import cache

      def stats(stats, pk):
          cache.set("homepage:stats", stats, 300)
          cache.touch(f"order:{pk}", timeout=300)
    `,
  );
});

test('the first fix uses the configured default-timeout', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.set("homepage:stats", 1, 0)\n',
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py', { config: { defaultTimeout: 900 } });
  assert.equal(text, 'from django.core.cache import cache\n\ncache.set("homepage:stats", 1, 900)\n');
});

test('the None fix parses and is quiet when the key is deleted elsewhere', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def stats(stats):
          cache.set("homepage:stats", stats, 0)

      def forget():
          cache.delete("homepage:stats")
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py', { title: 'Keep it until deleted (None)' });
  assert.match(text, /cache\.set\("homepage:stats", stats, None\)/);
});

test('"None" is offered only where something deletes the key, and then it is quiet', async () => {
  const lonely = { 'shop/views.py': 'from django.core.cache import cache\n\ncache.set("homepage:stats", 1, 0)\n' };
  const [alone] = (await findingsOf(lonely)).filter((finding) => finding.code === CODE);
  assert.deepEqual(alone.fixes.map((fix) => fix.title), ['Expire after 300 seconds']);
  const deleted = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.set("homepage:stats", 1, 0)\n',
    'shop/signals.py': 'from django.core.cache import cache\n\n\ndef forget(**kwargs):\n    cache.delete("homepage:stats")\n',
  };
  const [withDelete] = (await findingsOf(deleted)).filter((finding) => finding.code === CODE);
  const none = withDelete.fixes.find((fix) => fix.title === 'Keep it until deleted (None)');
  assert.equal(none?.safety, 'unsafe');
  const text = await fixedWith(CODE, deleted, 'shop/views.py', { title: 'Keep it until deleted (None)' });
  assert.equal(text, 'from django.core.cache import cache\n\ncache.set("homepage:stats", 1, None)\n');
  assert.deepEqual(await allFindings({ ...deleted, 'shop/views.py': text }), []);
});

test('the settings fix parses and is quiet', async () => {
  const files = {
    'shop/settings/production.py': py`
      CACHES = {
          "default": {
              "BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": "redis://cache:6379/0",
              "TIMEOUT": 0,
          }
      }
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py');
  assert.match(text, /"TIMEOUT": 300,/);
  assert.deepEqual(await allFindings({ 'shop/settings/production.py': text }), []);
});
