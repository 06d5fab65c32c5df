import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py } from '../../helpers/engine.js';
import { assertFixIsClean } from './support.js';

const CODE = 'CACHE004';

// A public list: the JSON is the same for everyone, but a browser gets DRF's browsable API page, whose
// navigation bar shows the logged-in user's name.
const VIEWS = py`
  from django.utils.decorators import method_decorator
  from django.views.decorators.cache import cache_page
  from rest_framework import viewsets
  from rest_framework.decorators import api_view
  from rest_framework.renderers import JSONRenderer
  from rest_framework.response import Response

  from .models import Category
  from .serializers import CategorySerializer


  class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
      queryset = Category.objects.all()
      serializer_class = CategorySerializer

      @method_decorator(cache_page(60 * 60))
      def dispatch(self, request, *args, **kwargs):
          return super().dispatch(request, *args, **kwargs)


  class JsonOnlyCategoryViewSet(viewsets.ReadOnlyModelViewSet):
      queryset = Category.objects.all()
      serializer_class = CategorySerializer
      renderer_classes = [JSONRenderer]

      @method_decorator(cache_page(60 * 60))
      def dispatch(self, request, *args, **kwargs):
          return super().dispatch(request, *args, **kwargs)


  @api_view(["GET"])
  @cache_page(60 * 60)
  def category_count(request):
      return Response({"count": Category.objects.count()})
`;

function project(settings: string | null, views = VIEWS): Record<string, string> {
  const files: Record<string, string> = { 'shop/__init__.py': '', 'shop/views.py': views };
  if (settings !== null) files['config/settings.py'] = settings;
  return files;
}

test('cache_page on a DRF view with the browsable API and session login (DRF defaults) is flagged, and the message says why', async () => {
  const files = project(py`
    INSTALLED_APPS = ["rest_framework", "shop"]
  `);
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:16', 'shop/views.py:32']);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.match(finding.message, /browsable API .*DRF's default renderers.*username/);
});

test('REST_FRAMEWORK settings that list the browsable renderer and session authentication keep it flagged', async () => {
  const files = project(py`
    REST_FRAMEWORK = {
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
        "DEFAULT_AUTHENTICATION_CLASSES": ("rest_framework.authentication.SessionAuthentication",),
    }
  `);
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:16', 'shop/views.py:32']);
});

test('quiet when only JSON is rendered (settings or the view\'s renderer_classes), when no browser login is configured, or when the browsable renderer is added only under a condition', async () => {
  const jsonOnly = project(py`
    REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",)}
  `);
  assert.deepEqual(await flagged(CODE, jsonOnly), []);
  const tokenOnly = project(py`
    REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication", "rest_framework.authentication.BasicAuthentication"]}
  `);
  assert.deepEqual(await flagged(CODE, tokenOnly), []);
  const debugOnly = project(py`
    DEBUG = False
    REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}
    if DEBUG:
        REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] += ["rest_framework.renderers.BrowsableAPIRenderer"]
  `);
  assert.deepEqual(await flagged(CODE, debugOnly), []);
  // With the defaults, the view that declares JSONRenderer alone is the quiet one (line 26 is not reported).
  assert.deepEqual(await flagged(CODE, project(null)), ['shop/views.py:16', 'shop/views.py:32']);
});

test('quiet when vary_on_cookie is below cache_page, and on a plain Django view that shows nothing per user', async () => {
  const varied = py`
    from django.utils.decorators import method_decorator
    from django.views.decorators.cache import cache_page
    from django.views.decorators.vary import vary_on_cookie
    from rest_framework import viewsets

    from .models import Category


    class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
        queryset = Category.objects.all()

        @method_decorator(cache_page(60 * 60))
        @method_decorator(vary_on_cookie)
        def dispatch(self, request, *args, **kwargs):
            return super().dispatch(request, *args, **kwargs)
  `;
  assert.deepEqual(await flagged(CODE, project(null, varied)), []);
  const plain = py`
    from django.http import JsonResponse
    from django.views.decorators.cache import cache_page

    from .models import Category


    @cache_page(60 * 60)
    def category_count(request):
        return JsonResponse({"count": Category.objects.count()})
  `;
  assert.deepEqual(await flagged(CODE, project(null, plain)), []);
});

test('the fix adds vary_on_cookie below cache_page; the result parses and is quiet', async () => {
  const views = py`
    from django.views.decorators.cache import cache_page
    from rest_framework.decorators import api_view
    from rest_framework.response import Response


    @api_view(["GET"])
    @cache_page(60 * 60)
    def category_count(request):
        return Response({"count": 3})
  `;
  const text = await assertFixIsClean(CODE, project(null, views), 'shop/views.py');
  assert.match(text, /@cache_page\(60 \* 60\)\n@vary_on_cookie\ndef category_count/);
});
