import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';

const CODE = 'CACHE011';

test('aget_or_set with an async def default is flagged as an error; the span is the default', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      async def load_profile():
          return await Profile.objects.aget(pk=42)

      async def profile(request):
          return await cache.aget_or_set("profile:42", load_profile, 300)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:7']);
  assert.deepEqual(await spans(CODE, files), ['load_profile']);
  const [finding] = (await findingsOf(files)).filter((candidate) => candidate.code === CODE);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.fixes, []);
});

test('the default passed by keyword is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      async def load_profile():
          ...

      async def profile(request):
          return await cache.aget_or_set("profile:42", default=load_profile, timeout=300)
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['load_profile']);
});

test('an async def imported from another module is flagged', async () => {
  const files = {
    'shop/loaders.py': 'async def load_catalogue():\n    return [p async for p in Product.objects.all()]\n',
    'shop/views.py': py`
      from django.core.cache import caches

      from shop.loaders import load_catalogue

      async def catalogue(request):
          return await caches["pages"].aget_or_set("catalogue", load_catalogue)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
});

test('an async method passed as self.method is flagged', async () => {
  const files = {
    'shop/services.py': py`
      from django.core.cache import cache

      class ProfileService:
          async def load(self):
              ...

          async def get(self):
              return await cache.aget_or_set("profile", self.load, 60)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/services.py:8']);
  assert.deepEqual(await spans(CODE, files), ['self.load']);
});

test('quiet on a sync def default', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def load_profile():
          return Profile.objects.get(pk=42)

      async def profile(request):
          return await cache.aget_or_set("profile:42", load_profile, 300)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a lambda, a plain value and a sync method', async () => {
  const files = {
    'shop/services.py': py`
      from django.core.cache import cache

      class ProfileService:
          def load(self):
              ...

          async def get(self):
              await cache.aget_or_set("a", lambda: 42, 60)
              await cache.aget_or_set("b", 42, 60)
              return await cache.aget_or_set("c", self.load, 60)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the name is rebound to a sync function in this module, shadowing an async one elsewhere', async () => {
  const files = {
    'shop/loaders.py': 'async def load():\n    ...\n',
    'shop/views.py': py`
      from django.core.cache import cache

      from shop.loaders import load

      def load():
          return 1

      async def view(request):
          return await cache.aget_or_set("k", load)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on an unknown callable from another package', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from thirdparty.loaders import load

      async def view(request):
          return await cache.aget_or_set("k", load)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a non-Django object with an aget_or_set method', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      async def load():
          ...

      async def view(request, store):
          await store.aget_or_set("k", load)
          return cache.get("k")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});
