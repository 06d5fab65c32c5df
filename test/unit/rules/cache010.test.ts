import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagged, py, spans } from '../../helpers/engine.js';
import { allFindings, assertFixIsClean } from './support.js';

const CODE = 'CACHE010';

test('@cache_page(None) is flagged; the span is the None', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(None)
      def pricing(request):
          return render(request, "shop/pricing.html")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('@cache_page(timeout=None) is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(timeout=None, key_prefix="pricing")
      def pricing(request):
          return render(request, "shop/pricing.html")
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('cache_page(None)(view) in urls.py is flagged', async () => {
  const files = {
    'shop/views.py': 'from django.shortcuts import render\n\ndef pricing(request):\n    return render(request, "shop/pricing.html")\n',
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      urlpatterns = [path("pricing/", cache_page(None)(views.pricing))]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/urls.py:6']);
});

test('an aliased cache_page and method_decorator(cache_page(None)) are flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page as cp
      from django.views.generic import TemplateView

      @cp(None)
      def pricing(request):
          ...

      @method_decorator(cp(None), name="dispatch")
      class PricingView(TemplateView):
          template_name = "shop/pricing.html"
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5', 'shop/views.py:9']);
});

test('a module constant holding None is flagged (the docs promise it)', async () => {
  const files = {
    'shop/views.py': py`
      from django.views.decorators.cache import cache_page

      FOREVER = None

      @cache_page(FOREVER)
      def pricing(request):
          ...
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['FOREVER']);
});

test('quiet on cache_page with a real timeout', async () => {
  const files = {
    'shop/views.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      TIMEOUT = 60 * 60

      @cache_page(60)
      def a(request):
          ...

      @cache_page(60 * 15, cache="pages")
      def b(request):
          ...

      @cache_page(timeout=TIMEOUT)
      def c(request):
          ...

      urlpatterns = [path("d/", cache_page(3600)(a))]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a local function called cache_page is not Django\'s', async () => {
  const files = {
    'shop/views.py': py`
      def cache_page(timeout):
          return lambda view: view

      @cache_page(None)
      def pricing(request):
          ...
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('the fix gives the default timeout; the result parses and is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(None)
      def pricing(request):
          return render(request, "shop/pricing.html")
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.match(text, /^@cache_page\(300\)$/m);
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('the fix in urls.py and with a keyword uses the configured default-timeout', async () => {
  const files = {
    'shop/views.py': 'from django.shortcuts import render\n\ndef pricing(request):\n    return render(request, "shop/pricing.html")\n',
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      urlpatterns = [
          path("pricing/", cache_page(None)(views.pricing)),
          path("plans/", cache_page(timeout=None)(views.pricing)),
      ]
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/urls.py', { config: { defaultTimeout: 86400 } });
  assert.match(text, /cache_page\(86400\)\(views\.pricing\)/);
  assert.match(text, /cache_page\(timeout=86400\)\(views\.pricing\)/);
});

test('a name bound to cache_page(None) is reported once at the call, however often it is applied', async () => {
  const files = {
    'site/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      forever = cache_page(None)

      urlpatterns = [path("a/", forever(views.a)), path("b/", forever(views.b))]
    `,
    'site/views.py': 'def a(request):\n    pass\n\n\ndef b(request):\n    pass\n',
  };
  assert.deepEqual(await flagged('CACHE010', files), ['site/urls.py:6']);
});
