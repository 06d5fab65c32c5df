import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { allFindings, assertFixIsClean } from './support.js';

const CODE = 'CACHE007';

const TIMEOUT_NONE = py`
  CACHES = {
      "default": {
          "BACKEND": "django.core.cache.backends.redis.RedisCache",
          "LOCATION": "redis://cache:6379/0",
          "TIMEOUT": None,
      }
  }
`;

/** A write relying on the default timeout whose key nothing deletes or re-sets. */
const STALE_WRITE = {
  'shop/views.py': py`
    from django.core.cache import cache, caches

    def homepage_banner():
        banner = cache.get("homepage:banner")
        if banner is None:
            banner = render_banner()
            cache.set("homepage:banner", banner)
        return banner

    def about_page():
        caches["pages"].set("page:about", render_about())
  `,
};

test('"TIMEOUT": None in production settings is flagged as info; the span is the value', async () => {
  const files = { 'shop/settings/production.py': TIMEOUT_NONE, ...STALE_WRITE };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/production.py:5']);
  assert.deepEqual(await spans(CODE, files), ['None']);
  const [finding] = (await findingsOf(files)).filter((candidate) => candidate.code === CODE);
  assert.equal(finding.severity, 'info');
});

test('every production alias is checked, not only default', async () => {
  const files = {
    'shop/settings.py': py`
      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": 300},
          "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": None},
      }
    `,
    ...STALE_WRITE,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:3']);
});

test('a base module star-imported by production is flagged', async () => {
  const files = {
    'shop/settings/base.py': TIMEOUT_NONE,
    'shop/settings/production.py': 'from .base import *\n\nDEBUG = False\n',
    ...STALE_WRITE,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/base.py:5']);
});

test('quiet in development/test settings, under `if DEBUG:`, and in a base only dev imports', async () => {
  assert.deepEqual(await flagged(CODE, { 'shop/settings/dev.py': TIMEOUT_NONE, ...STALE_WRITE }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings/test_settings.py': TIMEOUT_NONE, ...STALE_WRITE }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': `DEBUG = True\nif DEBUG:\n    CACHES = {"default": {"TIMEOUT": None}}\n`, ...STALE_WRITE }), []);
  assert.deepEqual(
    await flagged(CODE, { 'shop/settings/base.py': TIMEOUT_NONE, 'shop/settings/local.py': 'from .base import *\n', ...STALE_WRITE }),
    [],
  );
});

test('quiet on a finite TIMEOUT, no TIMEOUT, or a base overridden by production', async () => {
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": 600}}\n' }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}\n' }), []);
  assert.deepEqual(
    await flagged(CODE, {
      'shop/settings/base.py': TIMEOUT_NONE,
      'shop/settings/production.py': 'from .base import *\n\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": 300}}\n',
    }),
    [],
  );
});

test('quiet on None timeouts in per-call arguments (those are CACHE001\'s business)', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def forget(pk):
          cache.set(f"order:{pk}", 1, None)
          cache.delete(f"order:{pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('the fix sets the default timeout; the result parses and the project is quiet', async () => {
  const files = { 'shop/settings/production.py': TIMEOUT_NONE, ...STALE_WRITE };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py');
  assert.equal(text, TIMEOUT_NONE.replace('"TIMEOUT": None', '"TIMEOUT": 300'));
  assert.deepEqual(await allFindings({ 'shop/settings/production.py': text, ...STALE_WRITE }), []);
});

test('the fix uses the configured default-timeout', async () => {
  const files = { 'shop/settings/production.py': TIMEOUT_NONE, ...STALE_WRITE };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py', { config: { defaultTimeout: 86400 } });
  assert.match(text, /"TIMEOUT": 86400,/);
});

// ---- judged by the writes that rely on the default timeout (like CACHE001) ----

test('the message names a write relying on the default timeout that nothing invalidates', async () => {
  const [finding] = (await findingsOf({ 'shop/settings/production.py': TIMEOUT_NONE, ...STALE_WRITE })).filter((candidate) => candidate.code === CODE);
  assert.match(finding.message, /"homepage:banner" \(shop\/views\.py:7\)/);
});

test('quiet when no code writes to the alias relying on its default timeout (third-party use only, or explicit timeouts)', async () => {
  assert.deepEqual(await flagged(CODE, { 'shop/settings/production.py': TIMEOUT_NONE }), []);
  const explicit = { 'shop/views.py': 'from django.core.cache import cache\n\n\ndef banner(html):\n    cache.set("homepage:banner", html, 600)\n' };
  assert.deepEqual(await flagged(CODE, { 'shop/settings/production.py': TIMEOUT_NONE, ...explicit }), []);
});

test('quiet when every default-timeout write is deleted or re-set elsewhere', async () => {
  const invalidated = {
    'shop/views.py': 'from django.core.cache import cache\n\n\ndef banner():\n    cache.set("homepage:banner", render_banner())\n',
    'shop/signals.py': 'from django.core.cache import cache\n\n\ndef banner_changed(**kwargs):\n    cache.delete("homepage:banner")\n',
  };
  assert.deepEqual(await flagged(CODE, { 'shop/settings/production.py': TIMEOUT_NONE, ...invalidated }), []);
});

test('keys embedding a time window or a version, and rate-limit aliases, need no invalidation', async () => {
  const windowed = {
    'shop/throttle.py': py`
      from django.core.cache import cache, caches

      def count_login(ip, now):
          window = now.strftime("%Y%m%d%H%M")
          key = f"login:{ip}:{window}"
          cache.add(key, 0)
          cache.incr(key)

      def remember_schema(schema, version):
          cache.set(f"schema:{version}", schema)

      def hit(ip):
          caches["ratelimit"].set(f"hits:{ip}", 1)
    `,
  };
  const settings = TIMEOUT_NONE.replace('    }\n}', '    },\n    "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": None},\n}');
  assert.deepEqual(await flagged(CODE, { 'shop/settings/production.py': settings, ...windowed }), []);
});
