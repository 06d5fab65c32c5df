import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { allFindings, assertFixIsClean } from './support.js';

const CODE = 'CACHE009';

// ---- flagged ----

test('@vary_on_cookie above @cache_page is flagged; the span is the vary decorator; no CACHE004 as well', async () => {
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
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
  assert.deepEqual(await spans(CODE, files), ['vary_on_cookie']);
  assert.deepEqual(await allFindings(files), ['shop/views.py:5 CACHE009']);
});

test('@vary_on_headers("Cookie") above @cache_page is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_headers

      @vary_on_headers("Cookie")
      @cache_page(60)
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
  assert.deepEqual(await spans(CODE, files), ['vary_on_headers("Cookie")']);
  assert.deepEqual(await allFindings(files), ['shop/views.py:5 CACHE009']);
});

test('any vary_on_headers above cache_page is flagged, even on a view without user state', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_headers

      @vary_on_headers("Accept-Language")
      @cache_page(60)
      def catalogue(request):
          return render(request, "shop/catalogue.html")
    `,
  };
  assert.deepEqual(await allFindings(files), ['shop/views.py:5 CACHE009']);
});

test('a vary decorator several lines above cache_page (another decorator between) is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.contrib.auth.decorators import login_required
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      @vary_on_cookie
      @login_required
      @cache_page(60)
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
});

test('aliased imports are recognised (vary_on_cookie as voc, cache_page as cp)', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page as cp
      from django.views.decorators.vary import vary_on_cookie as voc

      @voc
      @cp(60)
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
});

test('method_decorator(vary_on_cookie) above method_decorator(cache_page(60)) on a class is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie
      from django.views.generic import TemplateView


      @method_decorator(vary_on_cookie, name="dispatch")
      @method_decorator(cache_page(60), name="dispatch")
      class AccountView(TemplateView):
          template_name = "shop/account.html"

          def get_context_data(self, **kwargs):
              return {"user": self.request.user}
    `,
  };
  assert.deepEqual(await allFindings(files), ['shop/views.py:7 CACHE009']);
});

// ---- quiet ----

test('quiet when the vary decorator is below cache_page', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie, vary_on_headers

      @cache_page(60)
      @vary_on_cookie
      def account(request):
          return HttpResponse("hello %s" % request.user.username)

      @cache_page(60)
      @vary_on_headers("Accept-Language")
      def catalogue(request):
          return HttpResponse("catalogue")
    `,
  };
  assert.deepEqual(await allFindings(files), []);
});

test('quiet on vary decorators without cache_page', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.vary import vary_on_cookie

      @vary_on_cookie
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await allFindings(files), []);
});

test('a local function called vary_on_cookie is not Django\'s', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page

      def vary_on_cookie(view):
          return view

      @vary_on_cookie
      @cache_page(60)
      def catalogue(request):
          return HttpResponse("catalogue")
    `,
  };
  assert.deepEqual(await allFindings(files), []);
});

// ---- the fix ----

test('the fix moves the decorator below @cache_page, is safe, parses, and leaves no CACHE004/CACHE009', async () => {
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
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.equal(findings[0].fixes[0].safety, 'safe');
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      @cache_page(60)
      @vary_on_cookie
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  );
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('the fix moves a vary decorator below a multi-line cache_page', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_headers

      @vary_on_headers("Cookie")  # per user
      @cache_page(
          60 * 15,
          key_prefix="account",
      )
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_headers

      @cache_page(
          60 * 15,
          key_prefix="account",
      )
      @vary_on_headers("Cookie")  # per user
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  );
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('the fix on an indented method and on a class decorator parses and is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.utils.decorators import method_decorator
      from django.views import View
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie
      from django.views.generic import TemplateView


      class AccountView(View):
          @method_decorator(vary_on_cookie)
          @method_decorator(cache_page(60))
          def get(self, request):
              return HttpResponse(request.user.username)


      @method_decorator(vary_on_cookie, name="dispatch")
      @method_decorator(cache_page(60), name="dispatch")
      class ProfileView(TemplateView):
          template_name = "shop/profile.html"

          def get_context_data(self, **kwargs):
              return {"user": self.request.user}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:10', 'shop/views.py:16']);
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.match(text, /^ {4}@method_decorator\(cache_page\(60\)\)\n {4}@method_decorator\(vary_on_cookie\)\n {4}def get/m);
  assert.match(text, /^@method_decorator\(cache_page\(60\), name="dispatch"\)\n@method_decorator\(vary_on_cookie, name="dispatch"\)\nclass ProfileView/m);
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('moving vary_on_headers("Accept-Language") below cache_page on a per-user view leaves the missing Cookie variation to CACHE004', async () => {
  // Two different problems: the misplaced vary decorator (CACHE009) and a per-user page with no Vary: Cookie (CACHE004).
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_headers

      @vary_on_headers("Accept-Language")
      @cache_page(60)
      def account(request):
          return HttpResponse("hello %s" % request.user.username)
    `,
  };
  assert.deepEqual(await allFindings(files), ['shop/views.py:5 CACHE009', 'shop/views.py:6 CACHE004']);
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), ['shop/views.py:5 CACHE004']);
});
