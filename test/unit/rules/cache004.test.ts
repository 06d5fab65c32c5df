import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans, workspaceOf } from '../../helpers/engine.js';
import { applyEdits, LineIndex } from '../../../server/src/analysis/text.js';
import { allFindings, assertFixIsClean } from './support.js';

const CODE = 'CACHE004';

// ---- flagged: decorators ----

test('@cache_page on a view reading request.user is flagged; the span is the decorator expression', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(60 * 15)
      def account(request):
          return render(request, "shop/account.html", {"orders": request.user.orders.all()})
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['cache_page(60 * 15)']);
});

test('reads of request.session and request.COOKIES count too', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page

      @cache_page(60)
      def basket(request):
          return HttpResponse(len(request.session.get("basket", [])))

      @cache_page(60)
      def theme(request):
          return HttpResponse(request.COOKIES.get("theme", "light"))
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4', 'shop/views.py:8']);
});

test('an aliased import of cache_page is still cache_page', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page as cp

      @cp(60)
      def hello(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['cp(60)']);
});

test('cache_page reached through its module (from django.views.decorators import cache) is recognised', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators import cache

      @cache.cache_page(60)
      def hello(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test('decorators below cache_page that do not vary on the cookie do not protect', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_control, cache_page
      from django.views.decorators.vary import vary_on_headers

      @cache_page(60)
      @vary_on_headers("Accept-Language")
      def hello(request):
          return HttpResponse("hello %s" % request.user.username)

      @cache_page(60)
      @cache_control(max_age=60)
      def hi(request):
          return HttpResponse("hi %s" % request.user.username)

      @cache_page(60)
      @cache_control(private=False)
      def hey(request):
          return HttpResponse("hey %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5', 'shop/views.py:10', 'shop/views.py:15']);
});

test('cache_control(private=True) above cache_page does not protect', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_control, cache_page

      @cache_control(private=True)
      @cache_page(60)
      def hello(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
});

// ---- flagged: class-based views ----

test('a class-based view with method_decorator(cache_page(60), name="dispatch") reading self.request.user is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView


      @method_decorator(cache_page(60), name="dispatch")
      class AccountView(TemplateView):
          template_name = "shop/account.html"

          def get_context_data(self, **kwargs):
              context = super().get_context_data(**kwargs)
              context["orders"] = self.request.user.orders.all()
              return context
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
  assert.deepEqual(await spans(CODE, files), ['method_decorator(cache_page(60), name="dispatch")']);
});

test('method_decorator(cache_page(60)) on one method counts reads anywhere in the class', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.utils.decorators import method_decorator
      from django.views import View
      from django.views.decorators.cache import cache_page


      class AccountView(View):
          @method_decorator(cache_page(60))
          def get(self, request):
              return render(request, "shop/account.html", self.context())

          def context(self):
              return {"orders": self.request.user.orders.all()}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:8']);
});

// ---- flagged: cache_page(...)(view) in urls.py ----

test('cache_page(60)(views.account) in urls.py is flagged, the view resolved through `from . import views`', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render

      def account(request):
          return render(request, "shop/account.html", {"user": request.user})

      def catalogue(request):
          return render(request, "shop/catalogue.html")
    `,
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      urlpatterns = [
          path("account/", cache_page(60)(views.account)),
          path("catalogue/", cache_page(60)(views.catalogue)),
      ]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/urls.py:7']);
  assert.deepEqual(await spans(CODE, files), ['cache_page(60)']);
});

test('cache_page(60)(account) in urls.py is flagged, the view resolved through `from shop.views import account`', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse

      def account(request):
          return HttpResponse(request.user.email)
    `,
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from shop.views import account

      urlpatterns = [path("account/", cache_page(60 * 5)(account), name="account")]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/urls.py:6']);
});

test('cache_page(60)(AccountView.as_view()) in urls.py is flagged when a method reads self.request.user', async () => {
  const files = {
    'shop/views.py': py`
      from django.views.generic import TemplateView

      class AccountView(TemplateView):
          template_name = "shop/account.html"

          def get_context_data(self, **kwargs):
              return {"user": self.request.user}
    `,
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from .views import AccountView

      urlpatterns = [path("account/", cache_page(60)(AccountView.as_view()))]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/urls.py:6']);
});

// ---- quiet ----

test('quiet on a cached view that reads no user state (a comment mentioning request.user does not count)', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(60 * 15)
      def catalogue(request):
          # nothing here depends on request.user
          return render(request, "shop/catalogue.html", {"products": Product.objects.all()})
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when vary_on_cookie, vary_on_headers("Cookie"), cache_control(private=True) or never_cache is below', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_control, cache_page, never_cache
      from django.views.decorators.vary import vary_on_cookie, vary_on_headers

      @cache_page(60)
      @vary_on_cookie
      def a(request):
          return HttpResponse(request.user.username)

      @cache_page(60)
      @vary_on_headers("Cookie")
      def b(request):
          return HttpResponse(request.user.username)

      @cache_page(60)
      @vary_on_headers("Accept-Language", "cookie")
      def c(request):
          return HttpResponse(request.user.username)

      @cache_page(60)
      @cache_control(private=True)
      def d(request):
          return HttpResponse(request.user.username)

      @cache_page(60)
      @never_cache
      def e(request):
          return HttpResponse(request.session.get("x"))
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when an aliased vary_on_cookie is below', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie as per_user

      @cache_page(60)
      @per_user
      def a(request):
          return HttpResponse(request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the view calls patch_vary_headers(response, ["Cookie"])', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.utils.cache import patch_vary_headers
      from django.views.decorators.cache import cache_page

      @cache_page(60)
      def account(request):
          response = render(request, "shop/account.html", {"user": request.user})
          patch_vary_headers(response, ["Cookie"])
          return response
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a local function called cache_page is not Django\'s', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse

      def cache_page(seconds):
          def decorator(view):
              return view
          return decorator

      @cache_page(60)
      def account(request):
          return HttpResponse(request.user.username)

      urlpatterns_view = cache_page(60)(account)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a cache_page imported from another package is not Django\'s', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from shop.utils.caching import cache_page

      @cache_page(60)
      def account(request):
          return HttpResponse(request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet in urls.py when the view is wrapped in vary_on_cookie first', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse

      def account(request):
          return HttpResponse(request.user.username)
    `,
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      from . import views

      urlpatterns = [path("account/", cache_page(60)(vary_on_cookie(views.account)))]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a class-based view whose methods read no user state', async () => {
  const files = {
    'shop/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.generic import ListView


      @method_decorator(cache_page(60), name="dispatch")
      class ProductList(ListView):
          model = Product
          paginate_by = 20
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a vary decorator above cache_page is CACHE009\'s finding: exactly one finding, not also CACHE004', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      @vary_on_cookie
      @cache_page(60)
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await allFindings(files), ['shop/views.py:5 CACHE009']);
});

// ---- the fix ----

test('the fix adds @vary_on_cookie directly below @cache_page and imports it', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(60 * 15)
      def account(request):
          return render(request, "shop/account.html", {"orders": request.user.orders.all()})
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.equal(findings[0].fixes[0].safety, 'safe');
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      @cache_page(60 * 15)
      @vary_on_cookie
      def account(request):
          return render(request, "shop/account.html", {"orders": request.user.orders.all()})
    `,
  );
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('in an open document, the views\' fixes import vary_on_cookie where the imports are after each keystroke, and not once it is imported', async () => {
  const path = 'shop/views.py';
  const view = (name: string): string => `\n@cache_page(60)\ndef ${name}(request):\n    return render(request, "shop/${name}.html", {"orders": request.user.orders.all()})\n`;
  const views = view('account') + view('orders');
  const render = 'from django.shortcuts import render\n';
  const cachePage = 'from django.views.decorators.cache import cache_page\n';
  const varyImport = 'from django.views.decorators.vary import vary_on_cookie\n';
  const workspace = await workspaceOf({ [path]: '' });
  let text = render + cachePage + views;
  workspace.openDocument(path, text);
  /** Types `after` over the open document, as one change from the first character that differs. */
  const typeOver = (after: string): void => {
    let start = 0;
    while (start < text.length && text[start] === after[start]) start++;
    const removed = Math.max(0, text.length - after.length);
    const added = Math.max(0, after.length - text.length);
    const before = new LineIndex(text);
    const startPosition = before.positionAt(start);
    workspace.changeDocument(path, after, [
      { start, oldEnd: start + removed, newEnd: start + added, startPosition, oldEndPosition: before.positionAt(start + removed), newEndPosition: new LineIndex(after).positionAt(start + added) },
    ]);
    text = after;
  };
  /** The text after each view's fix, applied alone. */
  const fixedByEach = (): string[] =>
    workspace
      .check([path])
      .filter((finding) => finding.code === CODE)
      .map((finding) => applyEdits(text, finding.fixes[0].edits));
  const withDecorators = views.replaceAll('@cache_page(60)\n', '@cache_page(60)\n@vary_on_cookie\n');
  const firstFixed = (imports: string): string => imports + withDecorators.replace('@cache_page(60)\n@vary_on_cookie\ndef orders', '@cache_page(60)\ndef orders');
  const secondFixed = (imports: string): string => imports + withDecorators.replace('@cache_page(60)\n@vary_on_cookie\ndef account', '@cache_page(60)\ndef account');

  assert.deepEqual(fixedByEach(), [firstFixed(render + cachePage + varyImport), secondFixed(render + cachePage + varyImport)]);
  // A keystroke adds an import above: the vary import still goes below cache_page's, now further down.
  const http = 'from django.http import HttpResponse\n';
  typeOver(http + render + cachePage + views);
  assert.deepEqual(fixedByEach(), [firstFixed(http + render + cachePage + varyImport), secondFixed(http + render + cachePage + varyImport)]);
  // Imported now: the fixes only add the decorator.
  typeOver(http + render + cachePage + varyImport + views);
  assert.deepEqual(fixedByEach(), [firstFixed(http + render + cachePage + varyImport), secondFixed(http + render + cachePage + varyImport)]);
});

// The expected import blocks below are what isort 9 (default settings) leaves unchanged.
test('the fix places the import where isort would: with the django imports, before relative imports', async () => {
  const files = {
    'shop/views.py': py`
      import json

      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      from .models import Order
      from .utils import totals


      @cache_page(60)
      def account(request):
          return render(request, "shop/account.html", {"orders": Order.objects.filter(user=request.user), "t": json.dumps(totals())})
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text.split('\n').slice(0, 8).join('\n'),
    py`
      import json

      from django.shortcuts import render
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      from .models import Order
      from .utils import totals
    `.trimEnd(),
  );
});

test('the fix sorts the import among the django imports, and adds the name to an import of the same module', async () => {
  const before = {
    'shop/views.py': py`
      from django.contrib.auth.decorators import login_required
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView

      from shop.forms import SearchForm


      @cache_page(60)
      @login_required
      def account(request):
          return TemplateView.as_view()(request, form=SearchForm(user=request.user))
    `,
  };
  const sorted = await assertFixIsClean(CODE, before, 'shop/views.py');
  assert.equal(
    sorted.split('\n').slice(0, 6).join('\n'),
    py`
      from django.contrib.auth.decorators import login_required
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie
      from django.views.generic import TemplateView

      from shop.forms import SearchForm
    `.trimEnd(),
  );
  const merged = await assertFixIsClean(CODE, {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_headers


      @cache_page(60)
      @vary_on_headers("Accept-Language")
      def account(request):
          return render(request, "shop/account.html", {"user": request.user})
    `,
  }, 'shop/views.py');
  assert.equal(merged.split('\n')[2], 'from django.views.decorators.vary import vary_on_cookie, vary_on_headers');
});

test('the fix reuses an existing vary_on_cookie import (under its alias) and keeps indentation in a class', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.utils.decorators import method_decorator
      from django.views import View
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie as per_user


      class AccountView(View):
          @method_decorator(cache_page(60))
          def get(self, request):
              return HttpResponse(request.user.username)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.http import HttpResponse
      from django.utils.decorators import method_decorator
      from django.views import View
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie as per_user


      class AccountView(View):
          @method_decorator(cache_page(60))
          @method_decorator(per_user)
          def get(self, request):
              return HttpResponse(request.user.username)
    `,
  );
});

test('the fix on a class decorator adds method_decorator(vary_on_cookie, name="dispatch") below', async () => {
  const files = {
    'shop/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView


      @method_decorator(cache_page(60), name="dispatch")
      class AccountView(TemplateView):
          template_name = "shop/account.html"

          def get_context_data(self, **kwargs):
              return {"user": self.request.user}
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.match(text, /^@method_decorator\(cache_page\(60\), name="dispatch"\)\n@method_decorator\(vary_on_cookie, name="dispatch"\)\nclass AccountView/m);
  assert.match(text, /^from django\.views\.decorators\.vary import vary_on_cookie$/m);
});

test('the fix in urls.py wraps the view in vary_on_cookie and imports it', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse

      def account(request):
          return HttpResponse(request.user.username)
    `,
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      urlpatterns = [path("account/", cache_page(60)(views.account))]
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/urls.py');
  assert.equal(
    text,
    py`
      from django.urls import path
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      from . import views

      urlpatterns = [path("account/", cache_page(60)(vary_on_cookie(views.account)))]
    `,
  );
});

test('the fix works on a file with CRLF line endings and a decorator on the last line before def', async () => {
  const source = py`
    from django.http import HttpResponse
    from django.views.decorators.cache import cache_page

    @cache_page(60)
    def account(request):
        return HttpResponse(request.user.username)
  `.replace(/\n/g, '\r\n');
  const files = { 'shop/views.py': source };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.ok(text.includes('@cache_page(60)\r\n@vary_on_cookie\r\ndef account(request):'), text);
  assert.ok(!/[^\r]\n/.test(text), 'mixed line endings');
});

// ---- Django REST framework's browsable API ----

const DRF_VIEW = py`
  from django.utils.decorators import method_decorator
  from django.views.decorators.cache import cache_page
  from rest_framework import generics
  from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

  from shop.models import Category
  from shop.serializers import CategorySerializer


  @method_decorator(cache_page(60 * 60), name="dispatch")
  class CategoryList(generics.ListAPIView):
      queryset = Category.objects.all()
      serializer_class = CategorySerializer
`;

const REST_SETTINGS = (entries: string): string => `REST_FRAMEWORK = {\n    "PAGE_SIZE": 50,\n${entries}}\n`;

test('cache_page on a DRF view served with the browsable API and session authentication (DRF defaults) is flagged', async () => {
  const files = { 'shop/api.py': DRF_VIEW, 'shop/settings.py': REST_SETTINGS('') };
  assert.deepEqual(await flagged(CODE, files), ['shop/api.py:10']);
  const [finding] = (await findingsOf(files)).filter((candidate) => candidate.code === CODE);
  assert.match(finding.message, /browsable API/);
  // Listed on the view itself, with session authentication from the settings.
  const listed = DRF_VIEW.replace('    serializer_class = CategorySerializer\n', '    serializer_class = CategorySerializer\n    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]\n');
  const session = REST_SETTINGS('    "DEFAULT_AUTHENTICATION_CLASSES": ("rest_framework.authentication.TokenAuthentication", "rest_framework.authentication.SessionAuthentication"),\n');
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': listed, 'shop/settings.py': session }), ['shop/api.py:10']);
});

test('quiet on DRF views that never answer with the browsable API to a signed-in browser, or vary on the cookie', async () => {
  const jsonOnly = DRF_VIEW.replace('    serializer_class = CategorySerializer\n', '    serializer_class = CategorySerializer\n    renderer_classes = [JSONRenderer]\n');
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': jsonOnly, 'shop/settings.py': REST_SETTINGS('') }), []);
  const jsonDefault = REST_SETTINGS('    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),\n');
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': DRF_VIEW, 'shop/settings.py': jsonDefault }), []);
  const tokenOnly = REST_SETTINGS('    "DEFAULT_AUTHENTICATION_CLASSES": ("rest_framework.authentication.TokenAuthentication",),\n');
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': DRF_VIEW, 'shop/settings.py': tokenOnly }), []);
  const varied = DRF_VIEW.replace('from django.views.decorators.cache import cache_page\n', 'from django.views.decorators.cache import cache_page\nfrom django.views.decorators.vary import vary_on_cookie\n').replace(
    '@method_decorator(cache_page(60 * 60), name="dispatch")\n',
    '@method_decorator(cache_page(60 * 60), name="dispatch")\n@method_decorator(vary_on_cookie, name="dispatch")\n',
  );
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': varied, 'shop/settings.py': REST_SETTINGS('') }), []);
  // Not a DRF view: a plain Django ListView with the same shape renders no browsable API.
  const plain = DRF_VIEW.replace('from rest_framework import generics\n', 'from django.views import generic\n').replace('generics.ListAPIView', 'generic.ListView').replace('    serializer_class = CategorySerializer\n', '    template_name = "shop/categories.html"\n');
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': plain, 'shop/settings.py': REST_SETTINGS(''), 'shop/templates/shop/categories.html': '<ul>{% for c in object_list %}<li>{{ c.name }}</li>{% endfor %}</ul>\n' }), []);
});

test('DRF renderers are read from production settings: a browsable renderer only in dev settings does not count', async () => {
  const production = REST_SETTINGS('    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),\n');
  const dev = 'from .production import *\n\nREST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer")}\n';
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': DRF_VIEW, 'shop/settings/production.py': production, 'shop/settings/dev.py': dev }), []);
  assert.deepEqual(await flagged(CODE, { 'shop/api.py': DRF_VIEW, 'shop/settings/production.py': production.replace('JSONRenderer",)', 'JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer")') }), ['shop/api.py:10']);
});
