import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { assertFixIsClean } from './support.js';

const CODE = 'CACHE002';

// ---- flagged: the stored value flows from something the key does not mention ----

test('a value computed from a function parameter under a constant key is flagged; the span is the key', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          recs = compute_recommendations(user)
          cache.set("recommendations", recs, 600)
          return recs
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/recommendations.py:5']);
  assert.deepEqual(await spans(CODE, files), ['"recommendations"']);
});

test('a value read from request.user is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.shortcuts import render

      def dashboard(request):
          orders = request.user.orders.all()
          cache.set("dashboard:orders", list(orders), 300)
          return render(request, "shop/dashboard.html", {"orders": orders})
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
});

test('a value read from self.request in a class-based view is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.views.generic import TemplateView

      class BasketView(TemplateView):
          template_name = "shop/basket.html"

          def get_context_data(self, **kwargs):
              context = super().get_context_data(**kwargs)
              basket = Basket.objects.for_user(self.request.user)
              cache.set("basket", basket, 120)
              context["basket"] = basket
              return context
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:10']);
});

test('a value read from self.kwargs in a class-based view is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.views.generic import DetailView

      class ProductView(DetailView):
          def get_object(self, queryset=None):
              product = Product.objects.get(pk=self.kwargs["pk"])
              cache.set("product", product, 120)
              return product
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:7']);
});

test('data flow is followed through several local assignments', async () => {
  const files = {
    'shop/reports.py': py`
      from django.core.cache import cache

      def customer_report(customer):
          orders = customer.orders.all()
          totals = [order.total for order in orders]
          summary = {"count": len(totals), "sum": sum(totals)}
          cache.set("report:summary", summary, 3600)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/reports.py:7']);
});

test('get_or_set with a default that closes over a parameter is flagged', async () => {
  const files = {
    'shop/basket.py': py`
      from django.core.cache import cache

      def basket_total(basket):
          return cache.get_or_set("basket:total", lambda: basket.compute_total(), 60)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/basket.py:4']);
});

test('a constant key held in a constant (even imported) is still constant', async () => {
  const files = {
    'shop/keys.py': py`
      RECS_KEY = "recommendations"
    `,
    'shop/recommendations.py': py`
      from django.core.cache import cache

      from .keys import RECS_KEY

      def recommendations_for(user):
          cache.set(RECS_KEY, compute_recommendations(user), 600)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/recommendations.py:6']);
  assert.deepEqual(await spans(CODE, files), ['RECS_KEY']);
});

test('async stores are checked as well', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      async def profile(request):
          profile = await load_profile(request.user)
          await cache.aset("profile", profile, 300)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
});

// ---- quiet ----

test('quiet on global data under a constant key: site settings, exchange rates, counters', async () => {
  const files = {
    'shop/services.py': py`
      from django.core.cache import cache

      def site_settings():
          settings = SiteSettings.objects.first()
          cache.set("site:settings", settings, 3600)
          return settings

      def exchange_rates():
          rates = fetch_rates_from_ecb()
          cache.set("fx:rates", rates, 3600)
          return rates

      def count_visit():
          cache.add("visits", 0)
          return cache.incr("visits")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a parameter only guards the refresh (def rates(force=False))', async () => {
  const files = {
    'shop/fx.py': py`
      from django.core.cache import cache

      def rates(force=False):
          rates = cache.get("fx:rates")
          if rates is None or force:
              rates = fetch_rates_from_ecb()
              cache.set("fx:rates", rates, 3600)
          return rates
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a parameter only sets the timeout', async () => {
  const files = {
    'shop/fx.py': py`
      from django.core.cache import cache

      def cache_rates(timeout=3600):
          cache.set("fx:rates", fetch_rates_from_ecb(), timeout)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet in a view whose cached value does not come from the request', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.shortcuts import render

      def home(request):
          stats = cache.get("home:stats")
          if stats is None:
              stats = compute_shop_stats()
              cache.set("home:stats", stats, 60)
          return render(request, "shop/home.html", {"stats": stats, "user": request.user})
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the key includes the distinguishing value (directly, through a local, or a helper)', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recs_key(user):
          return f"recommendations:{user.pk}"

      def direct(user):
          cache.set(f"recommendations:{user.pk}", compute_recommendations(user), 600)

      def through_local(user):
          key = "recommendations:%s" % user.pk
          cache.set(key, compute_recommendations(user), 600)

      def through_helper(user):
          cache.set(recs_key(user), compute_recommendations(user), 600)

      def dashboard(request):
          cache.set(f"dashboard:{request.user.pk}", build_dashboard(request.user), 60)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a key the linter cannot read (opaque)', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache
      from thirdparty.keys import make_key

      def recommendations_for(user):
          cache.set(make_key(user), compute_recommendations(user), 600)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet at module level', async () => {
  const files = {
    'shop/warmup.py': py`
      from django.core.cache import cache

      user = load_default_user()
      cache.set("default-user", user, 600)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on instance state other than self.request', async () => {
  const files = {
    'shop/services.py': py`
      from django.core.cache import cache

      class RateService:
          def __init__(self, client):
              self.client = client

          def refresh(self):
              rates = self.client.fetch()
              cache.set("fx:rates", rates, 3600)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on stores that are not Django\'s cache', async () => {
  const files = {
    'shop/services.py': py`
      from django.core.cache import cache

      def remember(store, user):
          store.set("current-user", user)
          cache.get("warm")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- the fix ----

test('the fix puts the parameter into the key; the result parses and is quiet', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          recs = compute_recommendations(user)
          cache.set("recommendations", recs, 600)
          return recs
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/recommendations.py');
  assert.equal(text.split('\n')[4], '    cache.set(f"recommendations:{user}", recs, 600)');
});

test('the fix for request.user keys on request.user.pk', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def dashboard(request):
          cache.set('dashboard', build_dashboard(request.user), 60)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[3], '    cache.set(f"dashboard:{request.user.pk}", build_dashboard(request.user), 60)');
});

test('the fix for self.request keys on self.request.user.pk', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.views import View

      class BasketView(View):
          def get(self, request):
              basket = load_basket(self.request.session)
              cache.set("basket", basket, 60)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[6], '        cache.set(f"basket:{self.request.user.pk}", basket, 60)');
});

test('the fix escapes braces and quotes of the old key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def profile(user):
          cache.set('{user} "profile"', load_profile(user), 60)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[3], '    cache.set(f"{{user}} \\"profile\\":{user}", load_profile(user), 60)');
});

test('no fix is offered when the key is a name, not a literal', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      RECS_KEY = "recommendations"

      def recommendations_for(user):
          cache.set(RECS_KEY, compute_recommendations(user), 600)
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0].fixes, []);
});
