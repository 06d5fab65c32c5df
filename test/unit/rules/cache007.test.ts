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

test('"TIMEOUT": None in production settings is flagged as info; the span is the value', async () => {
  const files = { 'shop/settings/production.py': TIMEOUT_NONE };
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
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:3']);
});

test('a base module star-imported by production is flagged', async () => {
  const files = {
    'shop/settings/base.py': TIMEOUT_NONE,
    'shop/settings/production.py': 'from .base import *\n\nDEBUG = False\n',
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/base.py:5']);
});

test('quiet in development/test settings, under `if DEBUG:`, and in a base only dev imports', async () => {
  assert.deepEqual(await flagged(CODE, { 'shop/settings/dev.py': TIMEOUT_NONE }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings/test_settings.py': TIMEOUT_NONE }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': `DEBUG = True\nif DEBUG:\n    CACHES = {"default": {"TIMEOUT": None}}\n` }), []);
  assert.deepEqual(
    await flagged(CODE, { 'shop/settings/base.py': TIMEOUT_NONE, 'shop/settings/local.py': 'from .base import *\n' }),
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
  const files = { 'shop/settings/production.py': TIMEOUT_NONE };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py');
  assert.equal(text, TIMEOUT_NONE.replace('"TIMEOUT": None', '"TIMEOUT": 300'));
  assert.deepEqual(await allFindings({ 'shop/settings/production.py': text }), []);
});

test('the fix uses the configured default-timeout', async () => {
  const files = { 'shop/settings/production.py': TIMEOUT_NONE };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py', { config: { defaultTimeout: 86400 } });
  assert.match(text, /"TIMEOUT": 86400,/);
});
