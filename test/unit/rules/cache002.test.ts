import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON } from '../../helpers/python.js';
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

      def recommendations_panel(request):
          return {"recommendations": cache.get("recommendations", [])}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/recommendations.py:5']);
  assert.deepEqual(await spans(CODE, files), ['"recommendations"']);
});

test('a container filled by append or update carries what went into it: a per-user list under a shared key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def dashboard(request):
          rows = []
          for order in request.user.orders.all():
              rows.append(order.total)
          summary = {}
          summary.update(totals=rows)
          cache.set("dashboard", summary, 300)
          return summary

      def dashboard_widget(request):
          return cache.get("dashboard", {})

      def board(request):
          rows = []
          for order in Order.objects.filter(open=True):
              rows.append(order.total)
          cache.set("board", rows, 300)
          return rows

      def board_widget(request):
          return cache.get("board", [])
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:9']);
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

      def orders_widget(request):
          return render(request, "shop/orders_widget.html", {"orders": cache.get("dashboard:orders", [])})
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

      def last_product(request):
          return cache.get("product")
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

      def report_summary(request):
          return cache.get("report:summary")
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

      async def profile_card(request):
          return await cache.aget("profile")
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

test('the fix puts the user parameter\'s pk (not its str()) into the key; the result parses and is quiet', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          recs = cache.get("recommendations")
          if recs is None:
              recs = compute_recommendations(user)
              cache.set("recommendations", recs, 600)
          return recs
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/recommendations.py');
  assert.equal(text.split('\n')[3], '    recs = cache.get(f"recommendations:{user.pk}")');
  assert.equal(text.split('\n')[6], '        cache.set(f"recommendations:{user.pk}", recs, 600)');
});

test('the fix for request.user keys on request.user.pk', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def dashboard(request):
          if cache.has_key('dashboard'):
              return cache.get('dashboard')
          cache.set('dashboard', build_dashboard(request.user), 60)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[3], '    if cache.has_key(f"dashboard:{request.user.pk}"):');
  assert.equal(text.split('\n')[5], '    cache.set(f"dashboard:{request.user.pk}", build_dashboard(request.user), 60)');
});

test('the fix for self.request keys on self.request.user.pk', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.views import View

      class BasketView(View):
          def get(self, request):
              basket = cache.get("basket")
              if basket is None:
                  basket = load_basket(self.request.user)
                  cache.set("basket", basket, 60)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[8], '            cache.set(f"basket:{self.request.user.pk}", basket, 60)');
});

test('the fix escapes braces and quotes of the old key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def profile(user):
          cached = cache.get('{user} "profile"')
          if cached is None:
              cached = load_profile(user)
              cache.set('{user} "profile"', cached, 60)
          return cached
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[3], '    cached = cache.get(f"{{user}} \\"profile\\":{user.pk}")');
  assert.equal(text.split('\n')[6], '        cache.set(f"{{user}} \\"profile\\":{user.pk}", cached, 60)');
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

// ---- issue 12: follow where the stored value comes from ----

test('a queryset filtered by request.user under a constant key: the message names request.user and its line', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache
      from django.shortcuts import render

      def my_orders(request):
          orders = cache.get("orders:recent")
          if orders is None:
              recent = Order.objects.filter(owner=request.user).order_by("-created")
              orders = list(recent[:10])
              cache.set("orders:recent", orders, 300)
          return render(request, "shop/orders.html", {"orders": orders})
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [9]);
  assert.match(findings[0].message, /depends on request\.user \(line 7\) but the key has no user part/);
});

test('permissions of a user parameter (has_perm, get_objects_for_user, a manager method taking the user) are followed', async () => {
  const files = {
    'docs/permissions.py': py`
      from django.core.cache import cache
      from guardian.shortcuts import get_objects_for_user

      def can_publish(user):
          allowed = user.has_perm("docs.publish")
          cache.set("docs:can-publish", allowed, 60)
          return allowed

      def editable_documents(user):
          documents = get_objects_for_user(user, "docs.change_document")
          ids = [document.pk for document in documents]
          cache.set("docs:editable", ids, 60)
          return ids

      def visible_projects(viewer):
          return cache.get_or_set("projects:visible", lambda: list(Project.objects.visible_for(viewer)), 60)

      def publish_allowed():
          return cache.get("docs:can-publish", False)

      def editable_ids():
          return cache.get("docs:editable", [])
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['docs/permissions.py:6', 'docs/permissions.py:12', 'docs/permissions.py:16']);
});

test('a generic view whose own get_queryset() filters by the user is followed through self.get_queryset() and get_serializer', async () => {
  const files = {
    'docs/api.py': py`
      from django.core.cache import cache
      from rest_framework import generics
      from rest_framework.response import Response

      class DocumentList(generics.ListAPIView):
          serializer_class = DocumentSerializer

          def get_queryset(self):
              return Document.objects.filter(owner=self.request.user)

          def list(self, request, *args, **kwargs):
              data = cache.get("documents:list")
              if data is None:
                  serializer = self.get_serializer(self.get_queryset(), many=True)
                  data = serializer.data
                  cache.set("documents:list", data, 60)
              return Response(data)
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [16]);
  assert.match(findings[0].message, /self\.get_queryset\(\)/);
  assert.match(findings[0].message, /no user part/);
});

test('a per-object attribute of a parameter (invoice.customer.currency) and a model\'s own fields are flagged', async () => {
  const files = {
    'billing/models.py': py`
      from django.core.cache import cache
      from django.db import models

      def exchange_rate_for(invoice):
          rate = cache.get("billing:rate")
          if rate is None:
              rate = fetch_rate(invoice.customer.currency)
              cache.set("billing:rate", rate, 3600)
          return rate

      class Integration(models.Model):
          endpoint = models.URLField()

          def remote_status(self):
              status = cache.get("integration:status")
              if status is None:
                  status = fetch_status(self.endpoint)
                  cache.set("integration:status", status, 60)
              return status
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [8, 18]);
  assert.match(findings[0].message, /depends on invoice\.customer\.currency \(line 7\) but the key has no part for `invoice`/);
  assert.match(findings[1].message, /depends on self\.endpoint \(line 17\)/);
});

test('a nested function passed to get_or_set is followed into the enclosing function\'s names', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_count(request):
          def count():
              return Order.objects.filter(customer=request.user).count()

          return cache.get_or_set("orders:count", count, 60)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:7']);
});

test('a lookup keyed by object id that returns before the ownership check (get_object through a user-filtered get_queryset)', async () => {
  const files = {
    'docs/api.py': py`
      from django.core.cache import cache
      from rest_framework import viewsets
      from rest_framework.response import Response

      class DocumentViewSet(viewsets.ModelViewSet):
          def get_queryset(self):
              return Document.objects.filter(owner=self.request.user)

          def retrieve(self, request, pk=None):
              key = f"document:{pk}"
              data = cache.get(key)
              if data is None:
                  data = self.get_serializer(self.get_object()).data
                  cache.set(key, data, 300)
              return Response(data)
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [14]);
  assert.match(findings[0].message, /names `pk`.*no user part.*before that code runs/);
});

test('quiet when the permission check runs before the cache is read (the cached data is the object\'s, keyed by it)', async () => {
  const files = {
    'projects/views.py': py`
      from django.core.cache import cache
      from django.shortcuts import get_object_or_404, render

      def insights(request, slug):
          project = get_object_or_404(Project.objects.visible_for(request.user), slug=slug)
          key = f"insights:{slug}"
          data = cache.get(key)
          if data is None:
              data = compute_insights(project)
              cache.set(key, data, 600)
          return render(request, "projects/insights.html", data)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a request parameter that shapes the value but is missing from a key that names another one', async () => {
  const files = {
    'graphs/views.py': py`
      from django.core.cache import cache
      from django.http import JsonResponse

      def graphs(request):
          ids = request.GET.get("ids", "").split(",")
          exclude = request.GET.get("exclude", "").split(",")
          result = []
          for graph in Graph.objects.filter(pk__in=ids):
              serialized = serialize(graph, exclude=exclude)
              cache.set("graph:{}".format(graph.pk), serialized)
              result.append(serialized)
          return JsonResponse(result, safe=False)
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [10]);
  assert.match(findings[0].message, /request\.GET\["exclude"\] \(line 6\)/);
});

test('a rendered HTML cell under a key that lists some of its inputs but not all', async () => {
  const files = {
    'reports/cells.py': py`
      from django.core.cache import cache
      from django.template.loader import render_to_string

      def render_cell(record, column):
          key = f"cell:{record.pk}"
          html = cache.get(key)
          if html is None:
              html = render_to_string("reports/cell.html", {"record": record, "column": column})
              cache.set(key, html, 600)
          return html

      def render_row(record, column):
          html = render_to_string("reports/row.html", {"record": record, "column": column})
          cache.set(f"row:{record.pk}:{column}", html, 600)
          return html
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [9]);
  assert.match(findings[0].message, /no part for `column`/);
});

test('quiet on a parameter that only picks the branch: a conditional expression\'s test and a reassigned local', async () => {
  const files = {
    'stats/views.py': py`
      from django.core.cache import cache

      def coverage(bust_cache=False):
          data = None if bust_cache else cache.get("coverage")
          if data is None:
              data = {"opinions": Opinion.objects.count()}
              cache.set("coverage", data, 3600)
          return data
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a helper does not return what the parameter is passed as (followed into a single-return helper)', async () => {
  const files = {
    'stats/helpers.py': py`
      def load_stats(refresh):
          return Stats.objects.aggregate_all()
    `,
    'stats/views.py': py`
      from django.core.cache import cache

      from .helpers import load_stats

      def stats(refresh=False):
          data = load_stats(refresh)
          cache.set("stats", data, 3600)
          return data
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the key is chosen in branches (one entry per language), not one constant', async () => {
  const files = {
    'i18n/views.py': py`
      from django.core.cache import cache
      from django.http import HttpResponse

      def messages(request, code):
          if code not in SUPPORTED:
              code = "en"
          if code == "zh-hans":
              code = "zh_Hans"
          key = "messages_%s" % code
          content = cache.get(key)
          if content is None:
              content = load_messages(code)
              cache.set(key, content, 3600)
          return HttpResponse(content)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a setter that only stores its argument under a global switch, and on an identity marker', async () => {
  const files = {
    'ops/tasks.py': py`
      from django.core.cache import cache

      def profile_sql(threshold=1, minutes=1):
          if threshold <= 0:
              cache.delete("profile-sql-threshold")
          else:
              cache.set("profile-sql-threshold", threshold, timeout=minutes * 60)

      def take_editor_lock(request, document_id):
          cache.set(f"editor-lock:{document_id}", request.session.session_key, 120)

      class Site(models.Model):
          def save(self, **kwargs):
              super().save(**kwargs)
              cache.set("site:last-update", self.pk, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a setter that reads its key back (get_or_set) is a read-through and is flagged', async () => {
  const files = {
    'ops/tasks.py': py`
      from django.core.cache import cache

      def threshold_for(threshold):
          return cache.get_or_set("profile-sql-threshold", threshold, 60)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['ops/tasks.py:4']);
});

test('quiet on a key that names its content through a digest of the inputs', async () => {
  const files = {
    'docs/views.py': py`
      import hashlib

      from django.core.cache import cache

      def preview(request):
          payload = request.POST["markdown"]
          digest = hashlib.md5(payload.encode()).hexdigest()
          key = "preview:" + digest
          html = cache.get(key)
          if html is None:
              html = render_markdown(payload, author=request.user)
              cache.set(key, html, 600)
          return html
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- issue 13: the fix changes every read and write of the key, or is not offered ----

/** Runs the module with real Django (LocMem) and calls `functionName` for users 1, 1, 2: which calls computed. */
function runWithDjango(source: string, functionName: string): { computed: number[]; results: unknown[] } {
  const script = [
    'import json, sys',
    'import django',
    'from django.conf import settings',
    "settings.configure(CACHES={'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}})",
    'django.setup()',
    'computed = []',
    'def compute_recommendations(user):',
    '    computed.append(user.pk)',
    "    return ['rec-for-%s' % user.pk]",
    'class User:',
    '    def __init__(self, pk):',
    '        self.pk = pk',
    "namespace = {'compute_recommendations': compute_recommendations}",
    "exec(compile(sys.stdin.read(), 'shop/recommendations.py', 'exec'), namespace)",
    `function = namespace[${JSON.stringify(functionName)}]`,
    'results = [function(User(1)), function(User(1)), function(User(2))]',
    "print(json.dumps({'computed': computed, 'results': results}))",
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], { input: source, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { computed: number[]; results: unknown[] };
}

test('the fix rewrites the cache.get as well as the cache.set: with real Django the second call hits and users stay apart', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          recs = cache.get("recommendations")
          if recs is None:
              recs = compute_recommendations(user)
              cache.set("recommendations", recs, 600)
          return recs
    `,
  };
  const before = runWithDjango(files['shop/recommendations.py'], 'recommendations_for');
  assert.deepEqual(before.results[2], ['rec-for-1'], 'before the fix, user 2 gets user 1\'s value');
  const text = await assertFixIsClean(CODE, files, 'shop/recommendations.py');
  assert.ok(!text.includes('"recommendations"'), `no read or write keeps the old key:\n${text}`);
  const after = runWithDjango(text, 'recommendations_for');
  assert.deepEqual(after.computed, [1, 2], 'the second call for user 1 is a cache hit; user 2 computes their own');
  assert.deepEqual(after.results, [['rec-for-1'], ['rec-for-1'], ['rec-for-2']]);
});

test('a key held in a local variable is rewritten once, where it is assigned, and the cache still hits', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          key = "recommendations"
          recs = cache.get(key)
          if recs is None:
              recs = compute_recommendations(user)
              cache.set(key, recs, 600)
          return recs
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/recommendations.py');
  assert.equal(text.split('\n')[3], '    key = f"recommendations:{user.pk}"');
  assert.deepEqual(runWithDjango(text, 'recommendations_for').computed, [1, 2]);
});

test('get_or_set, add and delete of the same key in the function are rewritten together', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user, refresh=False):
          if refresh:
              cache.delete("recommendations")
          cache.add("recommendations:seen", True)
          return cache.get_or_set("recommendations", lambda: compute_recommendations(user), 600)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/recommendations.py');
  assert.match(text, /cache\.delete\(f"recommendations:\{user\.pk\}"\)/);
  assert.match(text, /cache\.get_or_set\(f"recommendations:\{user\.pk\}", lambda/);
  assert.match(text, /cache\.add\("recommendations:seen", True\)/, 'another key is left alone');
  assert.deepEqual(runWithDjango(text, 'recommendations_for').computed, [1, 2]);
});

test('no fix when the key is also used where the fix cannot rewrite it (another function, a helper call, a *_many of unknown keys)', async () => {
  const files = {
    'shop/recommendations.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          recs = cache.get("recommendations")
          if recs is None:
              recs = compute_recommendations(user)
              cache.set("recommendations", recs, 600)
          return recs

      def clear_recommendations():
          cache.delete("recommendations")
    `,
    'shop/basket.py': py`
      from django.core.cache import cache

      def basket_for(user):
          basket = cache.get("basket")
          if basket is None:
              basket = load_basket(user)
              cache.set("basket", basket, 600)
          return basket
    `,
    'shop/signals.py': py`
      def on_logout(sender, user, **kwargs):
          forget("basket")
    `,
    'shop/wishlist.py': py`
      from django.core.cache import cache

      WISHLIST_KEYS = ["wishlist", "wishlist:count"]

      def wishlist_for(user):
          found = cache.get_many(WISHLIST_KEYS)
          wishlist = load_wishlist(user)
          cache.set("wishlist", wishlist, 600)
          return wishlist
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => `${finding.path}:${finding.range.start.line + 1}`).sort(), ['shop/basket.py:7', 'shop/recommendations.py:7', 'shop/wishlist.py:8']);
  for (const finding of findings) assert.deepEqual(finding.fixes, [], `${finding.path}: no fix`);
});

test('the fix is marked unsafe and offered only with an identifying attribute (no str() of an object)', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def dashboard(request):
          if not cache.has_key("dashboard"):
              cache.set("dashboard", build_dashboard(request.user), 60)
          return cache.get("dashboard")

      def report(account):
          if not cache.has_key("report"):
              cache.set("report", build_report(account), 60)
          return cache.get("report")
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [5, 10]);
  assert.deepEqual(findings[0].fixes.map((fix) => fix.safety), ['unsafe']);
  assert.deepEqual(findings[1].fixes, [], 'an object of unknown type: no `{account}` in the key');
});

test('cache_memoize(key, callable) is a read-through store: a lambda calling a method that reads request.user is followed', async () => {
  const files = {
    'admin/widgets.py': py`
      from djblets.cache.backend import cache_memoize

      class RepositoriesWidget(BaseAdminWidget):
          def get_extra_context(self, request):
              return cache_memoize("admin-widget-repos", lambda: self._repositories(request))

          def _repositories(self, request):
              queryset = Repository.objects.accessible(request.user)
              return {"repositories": list(queryset[:8])}

          def get_stats(self, request):
              return cache_memoize("admin-widget-stats", lambda: {"count": Repository.objects.count()})
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [5]);
  assert.match(findings[0].message, /self\._repositories\(\) \(reads request\.user\)/);
});

test('quiet when every caller passes the same fixed argument (callers take no parameters); flagged once a caller passes its own', async () => {
  const fixedCaller = {
    'courts/counts.py': py`
      from django.core.cache import cache

      def cached_court_counts(courts):
          counts = cache.get("court-counts")
          if counts is None:
              counts = count_opinions(courts)
              cache.set("court-counts", counts, 3600)
          return counts

      def court_overview():
          courts = Court.objects.exclude(jurisdiction="testing")
          return cached_court_counts(courts)
    `,
  };
  assert.deepEqual(await flagged(CODE, fixedCaller), []);
  const varyingCaller = {
    ...fixedCaller,
    'courts/views.py': py`
      from .counts import cached_court_counts

      def jurisdiction_counts(request, jurisdiction):
          return cached_court_counts(Court.objects.filter(jurisdiction=jurisdiction))
    `,
  };
  assert.deepEqual(await flagged(CODE, varyingCaller), ['courts/counts.py:7']);
  // A test that passes its own courts is not a caller in production.
  const testCaller = {
    ...fixedCaller,
    'courts/tests/test_counts.py': py`
      from courts.counts import cached_court_counts

      def check_counts(courts, expected):
          assert cached_court_counts(courts) == expected
    `,
  };
  assert.deepEqual(await flagged(CODE, testCaller), []);
});

test('a key rebuilt many times in a loop and a self-referencing local finish quickly', async () => {
  const appends = Array.from({ length: 60 }, (_, index) => `        key = key + str(part${index % 3}) + key`).join('\n');
  const files = {
    'shop/keys.py': `from django.core.cache import cache\n\ndef build(user, parts):\n    key = "k"\n    for part0, part1, part2 in parts:\n${appends}\n    value = compute(user)\n    value = value + value\n    cache.set(key, value, 60)\n    cache.set("fixed", value, 60)\n\ndef latest():\n    return cache.get("fixed")\n`,
  };
  const started = Date.now();
  assert.deepEqual(await flagged(CODE, files), ['shop/keys.py:69'], 'only the constant key is flagged');
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('a serializer given the request in its context, cached under a constant key, is flagged on the request', async () => {
  const files = {
    'docs/api.py': py`
      from django.core.cache import cache
      from rest_framework.decorators import api_view
      from rest_framework.response import Response

      @api_view(["GET"])
      def documents(request):
          data = cache.get("documents:all")
          if data is None:
              serializer = DocumentSerializer(Document.objects.all(), many=True, context={"request": request})
              data = serializer.data
              cache.set("documents:all", data, 60)
          return Response(data)
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [11]);
  assert.match(findings[0].message, /depends on request \(line 9\)/);
});

test('a service built for one user (self.user) caching under a constant key is flagged; the fix keys on self.user.pk', async () => {
  const files = {
    'billing/services.py': py`
      from django.core.cache import cache

      class SubscriptionService:
          def __init__(self, user):
              self.user = user

          def active_subscription(self):
              subscription = cache.get("subscription:active")
              if subscription is None:
                  subscription = Subscription.objects.filter(user=self.user, active=True).first()
                  cache.set("subscription:active", subscription, 300)
              return subscription
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [11]);
  assert.match(findings[0].message, /depends on self\.user \(line 10\) but the key has no user part/);
  const text = await assertFixIsClean(CODE, files, 'billing/services.py');
  assert.equal(text.split('\n')[7], '        subscription = cache.get(f"subscription:active:{self.user.pk}")');
});

test('a key that names one parameter while the value is fetched from a URL built from another is flagged', async () => {
  const files = {
    'accounts/social.py': py`
      import requests
      from django.core.cache import cache

      def lookup_account(domain, username):
          key = "acct:{}".format(username)
          cached = cache.get(key)
          if cached:
              return cached
          response = requests.get(f"https://{domain}/api/v1/accounts/lookup", params={"acct": username}, timeout=10)
          account_id = str(response.json()["id"])
          cache.set(key, account_id, 300)
          return account_id

      def fetch_feed(url, timeout):
          key = f"feed:{url}"
          feed = cache.get(key)
          if feed is None:
              feed = requests.get(url, timeout=timeout).json()
              cache.set(key, feed, 300)
          return feed
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => finding.range.start.line + 1), [11]);
  assert.match(findings[0].message, /built from domain \(line 9\) but the key has no part for `domain`/);
});

test('quiet on a model method that publishes its own field as the site-wide current value; flagged once the class reads the key back or stores something computed', async () => {
  const publisher = {
    'site/models.py': py`
      from django.core.cache import cache
      from django.db import models

      class BannerRevision(models.Model):
          text = models.TextField()
          active = models.BooleanField(default=False)

          def activate(self):
              cache.set("site:banner", self.text, 3600)
              BannerRevision.objects.exclude(pk=self.pk).update(active=False)
              BannerRevision.objects.filter(pk=self.pk).update(active=True)
    `,
    'site/context_processors.py': py`
      from django.core.cache import cache

      def banner(request):
          return {"banner": cache.get("site:banner", "")}
    `,
  };
  assert.deepEqual(await flagged(CODE, publisher), []);

  // The class reads the key itself: a second instance asking for its text gets the first one's.
  const readBack = {
    'site/models.py': py`
      from django.core.cache import cache
      from django.db import models

      class Profile(models.Model):
          bio = models.TextField()

          def cached_bio(self):
              return cache.get("profile:bio") or self.remember_bio()

          def remember_bio(self):
              text = self.bio
              cache.set("profile:bio", text, 3600)
              return text
    `,
  };
  assert.deepEqual(await flagged(CODE, readBack), ['site/models.py:12']);

  // Computed from the instance (a rendering of it), not the field as it is: still one instance's value under a global key.
  const computed = {
    'site/models.py': py`
      from django.core.cache import cache
      from django.db import models

      class Invoice(models.Model):
          lines = models.JSONField()

          def publish_total(self):
              cache.set("invoice:total", sum_lines(self.lines), 3600)
    `,
    'site/views.py': py`
      from django.core.cache import cache

      def latest_total(request):
          return {"total": cache.get("invoice:total")}
    `,
  };
  assert.deepEqual(await flagged(CODE, computed), ['site/models.py:8']);
});

test('quiet on a key no code in the project reads (a dead write); flagged once a view, a helper, get_or_set or get_many reads it', async () => {
  const writer = py`
    from django.core.cache import cache

    class AlertSerializer:
        def get_previous_metadata(self, alert):
            metadata = load_metadata(alert, alert.summary.previous_push)
            cache.set("previous_metadata", metadata, 3600)
            return metadata
  `;
  // Written for every alert, read by nobody: no caller can be served another alert's metadata.
  assert.deepEqual(await flagged(CODE, { 'perf/serializers.py': writer }), []);
  // Deleting or overwriting it elsewhere is still not a read; neither is a longer key that only starts with its text.
  const cleanup = py`
    from django.core.cache import cache

    def reset():
        cache.delete("previous_metadata")
        cache.set_many({"previous_metadata": None}, 60)
        return cache.get("previous_metadata:v2")
  `;
  assert.deepEqual(await flagged(CODE, { 'perf/serializers.py': writer, 'perf/maintenance.py': cleanup }), []);
  // A key the project computes entirely at run time (`f"{root}_{name}"`) is another cache, not a read of this one.
  const summaries = py`
    from django.core.cache import cache

    class SummaryCache:
        def __init__(self, root):
            self.root = root

        def lookup(self, name):
            return cache.get(f"{self.root}_{name}")
  `;
  assert.deepEqual(await flagged(CODE, { 'perf/serializers.py': writer, 'perf/summaries.py': summaries }), []);

  const readers: Record<string, string> = {
    'a view': py`
      from django.core.cache import cache

      def profile_link(request):
          return {"metadata": cache.get("previous_metadata", {})}
    `,
    'a project helper that reads the key it is given': py`
      from django.core.cache import cache

      def get_cached(key):
          return cache.get(key)

      def profile_link(request):
          return get_cached("previous_metadata")
    `,
    'get_or_set': py`
      from django.core.cache import cache

      def profile_link(request):
          return cache.get_or_set('previous_metadata', dict, 60)
    `,
    'get_many of a literal list': py`
      from django.core.cache import cache

      def profile_links(request):
          return cache.get_many(["previous_metadata", "current_metadata"])
    `,
    'cache_memoize': py`
      from django.core.cache import cache

      from .utils import cache_memoize

      def profile_link(request):
          return cache_memoize("previous_metadata", lambda: {})
    `,
    'a membership test': py`
      from django.core.cache import cache

      def has_metadata(request):
          return "previous_metadata" in cache
    `,
    'a key held in a constant': py`
      from django.core.cache import cache

      METADATA_KEY = "previous_metadata"

      def profile_link(request):
          return cache.get(METADATA_KEY)
    `,
    'a key built at run time that can spell it': py`
      from django.core.cache import cache

      def profile_link(request, which):
          return cache.get(f"{which}_metadata")
    `,
  };
  for (const [reader, text] of Object.entries(readers)) {
    assert.deepEqual(await flagged(CODE, { 'perf/serializers.py': writer, 'perf/views.py': text }), ['perf/serializers.py:6'], `read through ${reader}`);
  }
});
