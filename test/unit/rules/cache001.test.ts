import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagged, py, spans, workspaceOf } from '../../helpers/engine.js';
import { assertFixIsClean, fixedWith } from './support.js';

const CODE = 'CACHE001';

// ---- flagged: timeout None by keyword or position, every store method ----

test('set() with a positional None timeout is flagged, the span is the None', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          summary = build_summary(order)
          cache.set(f"order:{order.pk}", summary, None)
          return summary
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('set() with timeout=None by keyword is flagged, the span is the value', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", build_summary(order), timeout=None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('add() with a None timeout is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def remember_banner(banner):
          cache.add("site:banner", banner, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test('get_or_set(k, default, None) is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def catalogue():
          return cache.get_or_set("catalogue:all", load_catalogue, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('set_many(d, None) is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def warm(stats):
          cache.set_many({"stats:visits": stats.visits, "stats:orders": stats.orders}, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('touch(k, None) is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def keep(pk):
          cache.touch(f"invoice:{pk}", None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['None']);
});

test('the async API (aset) is flagged too', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      async def order_summary(order):
          await cache.aset(f"order:{order.pk}", order.total, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test('a None timeout through caches["alias"] is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import caches

      def order_summary(order):
          caches["orders"].set(f"order:{order.pk}", order.total, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test('a None timeout through a local caches["alias"] variable is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import caches

      def order_summary(order):
          store = caches["orders"]
          store.set(f"order:{order.pk}", order.total, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:5']);
});

test('a None timeout through "from django.core.cache import cache as c" is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache as c

      def order_summary(order):
          c.set(f"order:{order.pk}", order.total, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test('a None timeout held in a module constant is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      FOREVER = None

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, FOREVER)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
  assert.deepEqual(await spans(CODE, files), ['FOREVER']);
});

test('a key that is deleted only under another template is still flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)

      def forget_invoice(invoice):
          cache.delete(f"invoice:{invoice.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test('several None stores in one project are each flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)
    `,
    'blog/views.py': py`
      from django.core.cache import cache

      def post(post):
          cache.add(f"post:{post.slug}", post.body, timeout=None)
    `,
  };
  assert.deepEqual((await flagged(CODE, files)).sort(), ['blog/views.py:4', 'shop/views.py:4']);
});

// ---- quiet: finite or default timeouts ----

test('a finite or default timeout is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, 300)
          cache.set(f"order:{order.pk}:lines", order.lines, timeout=60 * 15)
          cache.set(f"order:{order.pk}:notes", order.notes)
          cache.add("visits", 0)
          cache.get_or_set("catalogue", load_catalogue)
          cache.touch(f"order:{order.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('None as a value (not the timeout) is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def forget(order):
          cache.set(f"order:{order.pk}", None, 300)
          cache.get_or_set(f"order:{order.pk}:total", None, 300)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the key is a parameter (a store helper): its template is unknown', async () => {
  const files = {
    'shop/cache_utils.py': py`
      from django.core.cache import cache

      def store_forever(key, value):
          cache.set(key, value, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- quiet: the key is deleted or re-set somewhere in the project ----

test('quiet when the same module deletes the key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)

      def forget(order):
          cache.delete(f"order:{order.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when delete_many() lists the key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)

      def forget(order):
          cache.delete_many([f"order:{order.pk}", f"basket:{order.pk}"])
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a post_save receiver in another module deletes the key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)
    `,
    'shop/signals.py': py`
      from django.core.cache import cache
      from django.db.models.signals import post_save
      from django.dispatch import receiver

      from .models import Order


      @receiver(post_save, sender=Order)
      def forget_order(sender, instance, **kwargs):
          cache.delete(f"order:{instance.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a post_save receiver in another module re-sets the key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          return cache.get_or_set(f"order:{order.pk}", order.compute_total, None)
    `,
    'shop/signals.py': py`
      from django.core.cache import cache
      from django.db.models.signals import post_save
      from django.dispatch import receiver

      from .models import Order


      @receiver(post_save, sender=Order)
      def refresh_order(sender, instance, **kwargs):
          cache.set(f"order:{instance.pk}", instance.compute_total(), None)
    `,
  };
  // The receiver's own set(..., None) is the refresh of the view's entry and vice versa: nothing is flagged.
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a write-through store in a @receiver handler, the only writer of its key', async () => {
  const files = {
    'shop/signals.py': py`
      from django.core.cache import cache
      from django.db.models.signals import post_save
      from django.dispatch import receiver

      from .models import Order


      @receiver(post_save, sender=Order)
      def store_order_total(sender, instance, **kwargs):
          cache.set(f"order:{instance.pk}:total", instance.total, None)
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      def order_total(request, pk):
          return cache.get(f"order:{pk}:total")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a function merely named like a receiver is not a signal handler', async () => {
  const files = {
    'shop/signals.py': py`
      from django.core.cache import cache

      def receiver(*args, **kwargs):
          return lambda fn: fn


      @receiver("post_save")
      def store_order_total(sender, instance, **kwargs):
          cache.set(f"order:{instance.pk}:total", instance.total, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/signals.py:9']);
});

test('quiet when another module re-sets the key (a refresh job with a finite timeout)', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set("order:%s" % order.pk, order.total, None)
    `,
    'shop/management/commands/refresh_orders.py': py`
      from django.core.cache import cache
      from django.core.management.base import BaseCommand


      class Command(BaseCommand):
          def handle(self, *args, **options):
              for order in Order.objects.all():
                  cache.set(f"order:{order.pk}", order.total, 300)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a set(..., None) that is the only set of its key is not its own refresh', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)
          return cache.get(f"order:{order.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

const KEY_SPELLINGS: [string, string][] = [
  ['concatenation with str()', '"order:" + str(i)'],
  ['an f-string', 'f"order:{i}"'],
  ['%-formatting', '"order:%s" % i'],
  ['str.format()', '"order:{}".format(i)'],
];

for (const [storeName, storeKey] of KEY_SPELLINGS) {
  for (const [deleteName, deleteKey] of KEY_SPELLINGS) {
    test(`quiet when a key stored with ${storeName} is deleted with ${deleteName}`, async () => {
      const files = {
        'shop/views.py': py`
          from django.core.cache import cache

          def order_summary(i, total):
              cache.set(${storeKey}, total, None)
        `,
        'shop/signals.py': py`
          from django.core.cache import cache

          def forget_order(sender, instance, **kwargs):
              i = instance.pk
              cache.delete(${deleteKey})
        `,
      };
      assert.deepEqual(await flagged(CODE, files), []);
    });
  }
}

test('quiet when the key comes from a constant imported from another module and is deleted with an f-string', async () => {
  const files = {
    'shop/keys.py': py`
      ORDER_KEY = "order:%s"
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      from shop.keys import ORDER_KEY

      def order_summary(order):
          cache.set(ORDER_KEY % order.pk, order.total, None)
    `,
    'shop/signals.py': py`
      from django.core.cache import cache

      def forget_order(sender, instance, **kwargs):
          cache.delete(f"order:{instance.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the store uses an f-string and the delete uses the imported constant (relative import)', async () => {
  const files = {
    'shop/constants.py': py`
      ORDER_KEY = "order:%s"
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)
    `,
    'shop/signals.py': py`
      from django.core.cache import cache

      from .constants import ORDER_KEY

      def forget_order(sender, instance, **kwargs):
          cache.delete(ORDER_KEY % instance.pk)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('the imported constant is resolved: deleting another template leaves the finding', async () => {
  const files = {
    'shop/keys.py': py`
      ORDER_KEY = "order:%s"
      INVOICE_KEY = "invoice:%s"
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      from shop import keys

      def order_summary(order):
          cache.set(keys.ORDER_KEY % order.pk, order.total, None)

      def forget_invoice(invoice):
          cache.delete(keys.INVOICE_KEY % invoice.pk)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
});

test('quiet when a key helper function builds the key for both store and delete', async () => {
  const files = {
    'shop/keys.py': py`
      def order_key(pk):
          return f"order:{pk}"
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      from shop.keys import order_key

      def order_summary(order):
          cache.set(order_key(order.pk), order.total, None)
    `,
    'shop/signals.py': py`
      from django.core.cache import cache

      from .keys import order_key

      def forget_order(sender, instance, **kwargs):
          cache.delete(order_key(instance.pk))
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the store uses a key helper and the delete spells the key out', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_key(pk):
          return f"order:{pk}"

      def order_summary(order):
          cache.set(order_key(order.pk), order.total, None)

      def forget(order):
          cache.delete("order:%s" % order.pk)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a key helper is followed: a store through it with nothing deleting it is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_key(pk):
          return f"order:{pk}"

      def order_summary(order):
          cache.set(order_key(order.pk), order.total, None)

      def forget_invoice(invoice):
          cache.delete(f"invoice:{invoice.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:7']);
});

test('quiet when a delete helper in the same module is called with the key', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def invalidate(key):
          cache.delete(key)

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)

      def save_order(order):
          order.save()
          invalidate(f"order:{order.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a delete helper is imported and called from a module that does not mention the cache', async () => {
  const files = {
    'shop/cache_utils.py': py`
      from django.core.cache import cache

      def invalidate(key):
          cache.delete(key)
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)
    `,
    'shop/signals.py': py`
      from django.db.models.signals import post_save
      from django.dispatch import receiver

      from .cache_utils import invalidate
      from .models import Order


      @receiver(post_save, sender=Order)
      def forget_order(sender, instance, **kwargs):
          invalidate(f"order:{instance.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a delete helper only invalidates what it is called with', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def invalidate(key):
          cache.delete(key)

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)

      def save_invoice(invoice):
          invalidate(f"invoice:{invoice.pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:7']);
});

// ---- quiet: content-addressed keys ----

test('quiet on content-addressed keys (hash, digest, checksum, version)', async () => {
  const files = {
    'shop/views.py': py`
      import hashlib

      from django.core.cache import cache

      def render_markdown(text):
          digest = hashlib.sha256(text.encode()).hexdigest()
          cache.set(f"markdown:{digest}", to_html(text), None)

      def thumbnail(image):
          cache.set(f"thumb:{image.checksum}", make_thumb(image), None)

      def asset(path, content_hash):
          cache.set(f"asset:{path}:{content_hash}", read(path), None)

      def schema(version):
          cache.set(f"schema:v{version}", load_schema(version), timeout=None)

      def report(report):
          cache.set("report:%s:%s" % (report.pk, report.version), report.render(), None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- quiet: not Django's cache ----

test('a local object with a .set() method is not Django\'s cache', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      class Inventory:
          def __init__(self, store):
              self.store = store

          def remember(self, sku, count):
              self.store.set(f"sku:{sku}", count, None)
              cache.get("inventory:warm")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a redis client is not Django\'s cache', async () => {
  const files = {
    'shop/jobs.py': py`
      import redis

      from django.core.cache import cache

      redis_client = redis.Redis()

      def track(job):
          redis_client.set(f"job:{job.pk}:status", "running", None)
          cache.get("jobs:enabled")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a module-level name "cache" rebound to something else is not Django\'s cache', async () => {
  const files = {
    'shop/memo.py': py`
      from cachetools import LRUCache

      cache = LRUCache(maxsize=100)

      def remember(pk, value):
          cache.set(f"order:{pk}", value, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- the fix ----

test('the fix replaces None with the default timeout (300) and the result parses and is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, None)
          cache.touch(f"order:{order.pk}:lines", timeout=None)
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.core.cache import cache

      def order_summary(order):
          cache.set(f"order:{order.pk}", order.total, 300)
          cache.touch(f"order:{order.pk}:lines", timeout=300)
    `,
  );
});

test('the fix uses the configured default-timeout', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def catalogue():
          return cache.get_or_set("catalogue:all", load_catalogue, None)
    `,
  };
  const text = await fixedWith(CODE, files, 'shop/views.py', { config: { defaultTimeout: 3600 } });
  assert.equal(text.split('\n')[3], '    return cache.get_or_set("catalogue:all", load_catalogue, 3600)');
  await assertFixIsClean(CODE, files, 'shop/views.py', { config: { defaultTimeout: 3600 } });
});

test('the fix of a set_many() None timeout parses and is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def warm(stats):
          cache.set_many(
              {"stats:visits": stats.visits, "stats:orders": stats.orders},
              None,
          )
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.match(text, /^ {8}300,$/m);
});

test('quiet when the key names its content through local variables (checksum = md5(...).hexdigest(); key = "render:" + checksum)', async () => {
  const files = {
    'shop/rendering.py': py`
      import hashlib

      from django.core.cache import cache

      def render_markdown(payload):
          checksum = hashlib.md5(payload.encode()).hexdigest()
          key = "render:" + checksum
          html = cache.get(key)
          if html is None:
              html = markdown_to_html(payload)
              cache.set(key, html, None)
          return html

      def render_snippet(snippet):
          digest = hashlib.sha256(snippet.body.encode()).hexdigest()
          parts = ("snippet", digest)
          cache_key = ":".join(parts)
          cache.set(cache_key, snippet.render(), timeout=None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a local key built from an identifier, not a digest, is still flagged (and a later hash does not count)', async () => {
  const files = {
    'shop/rendering.py': py`
      import hashlib

      from django.core.cache import cache

      def render_page(page):
          key = "page:" + str(page.pk)
          cache.set(key, page.render(), None)
          key = "page:" + hashlib.md5(page.body.encode()).hexdigest()
          return key
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/rendering.py:7']);
});

test('quiet when the stored value is the moment of writing (a record of when something happened)', async () => {
  const files = {
    'shop/jobs.py': py`
      import time

      from django.core.cache import cache
      from django.utils import timezone

      def mark_import_started():
          cache.set("import:last_started", int(time.time()), None)

      def reset_counters():
          now = timezone.now()
          cache.set("counters:last_reset", now, None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a management command or a Celery task writes the key: every run overwrites it', async () => {
  const files = {
    'shop/management/commands/refresh_rates.py': py`
      from django.core.cache import cache
      from django.core.management.base import BaseCommand

      class Command(BaseCommand):
          def handle(self, *args, **options):
              cache.set("rates:latest", fetch_rates(), None)
    `,
    'shop/tasks.py': py`
      from celery import shared_task
      from django.core.cache import cache

      @shared_task
      def rebuild_sitemap():
          cache.set("sitemap:xml", build_sitemap(), None)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test("quiet when the project's own task decorator (a name ending in _task) writes the key; a look-alike name is not a task", async () => {
  const task = {
    'shop/tasks.py': py`
      from django.core.cache import cache

      from shop.celery import acks_late_long_task

      @acks_late_long_task
      def rebuild_catalogue_index():
          cache.set("catalogue:index", build_index(), timeout=None)
    `,
  };
  assert.deepEqual(await flagged(CODE, task), []);
  const notATask = {
    'shop/views.py': py`
      from django.core.cache import cache

      from shop.decorators import multitask

      @multitask
      def catalogue_index(request):
          cache.set("catalogue:index", build_index(), timeout=None)
    `,
  };
  assert.deepEqual(await flagged(CODE, notATask), ['shop/views.py:7']);
});

test('a computed value stored forever from a view (not a job, not a time) is still flagged', async () => {
  const files = {
    'shop/views.py': py`
      import time

      from django.core.cache import cache

      def rates_page(request):
          rates = fetch_rates(time.time())
          cache.set("rates:latest", rates, None)
          return rates
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:7']);
});

test("a key re-set or deleted through the project's own cache object (a request-local proxy) is refreshed, not stale", async () => {
  const files = {
    'maps/updates.py': py`
      from django.core.cache import cache

      from maps.local_cache import per_request_cache

      def finish(update):
          cache.set("maps:last_update", update.as_tuple(), None)

      def last_update():
          value = per_request_cache.get("maps:last_update", None)
          if value is None:
              value = compute()
              per_request_cache.set("maps:last_update", value, None)
          return value
    `,
  };
  assert.deepEqual(await flagged('CACHE001', files), []);
  // Without the proxy's write, nothing refreshes the key: flagged.
  const alone = { 'maps/updates.py': files['maps/updates.py'].replace('per_request_cache.set("maps:last_update", value, None)', 'pass') };
  assert.deepEqual(await flagged('CACHE001', alone), ['maps/updates.py:6']);
});

// ---- a memo of an outside lookup, keyed by all of its inputs ----

const GEOCODER = py`
  import re

  import requests
  from django.core.cache import caches


  class Geocoder:
      def __init__(self, api_key):
          self.api_key = api_key

      def lookup(self, **query):
          response = requests.get("https://geo.example.com/v1/search", params={**query, "key": self.api_key}, timeout=5)
          response.raise_for_status()
          return response.json()

      def region_code(self, country, region):
          clean = re.sub(r"[^a-z]+", "", region.lower())
          key = f"geo.region.{country}.{clean}"
          code = caches["geo"].get(key)
          if code is None:
              result = self.lookup(country=country, region=region)
              try:
                  code = result["matches"][0].get("code") or region
              except (KeyError, IndexError):
                  code = region
              caches["geo"].set(key, code, timeout=None)
          return code
`;

test('quiet on a permanent memo of an outside lookup keyed by every input (a geocoded region name never changes)', async () => {
  assert.deepEqual(await flagged(CODE, { 'shop/geo.py': GEOCODER }), []);
  // The HTTP client called directly in the function counts the same.
  const direct = py`
    import requests
    from django.core.cache import cache

    def currency_name(code):
        name = cache.get(f"currency:{code}")
        if name is None:
            name = requests.get(f"https://fx.example.com/currencies/{code}", timeout=5).json()["name"]
            cache.set(f"currency:{code}", name, None)
        return name
  `;
  assert.deepEqual(await flagged(CODE, { 'shop/fx.py': direct }), []);
});

test('a memo look-alike stays flagged: a key missing an input, a lookup that reads the ORM, an object\'s state, an imported helper, no inputs at all', async () => {
  const variants: [string, string][] = [
    ['the key leaves out the language the lookup takes', GEOCODER.replace('def region_code(self, country, region):', 'def region_code(self, country, region, language="en"):').replace('self.lookup(country=country, region=region)', 'self.lookup(country=country, region=region, language=language)')],
    ['the helper reads the database', GEOCODER.replace('response = requests.get(', 'Region.objects.filter(name=query["region"]).first()\n        response = requests.get(')],
    ['the value is an attribute of a parameter (an object that changes)', GEOCODER.replace('code = result["matches"][0].get("code") or region', 'code = country.default_region or region')],
    ['an imported helper it cannot see', GEOCODER.replace('result = self.lookup(country=country, region=region)', 'result = lookup_region(country, region)').replace('import re\n', 'import re\n\nfrom shop.regions import lookup_region\n')],
    ['no outside service at all: the value is computed from a module table', GEOCODER.replace('result = self.lookup(country=country, region=region)', 'result = REGIONS[country]')],
  ];
  for (const [what, text] of variants) {
    assert.deepEqual(await flagged(CODE, { 'shop/geo.py': text }), [`shop/geo.py:${text.split('\n').findIndex((line) => line.includes('timeout=None')) + 1}`], what);
  }
  // With no inputs, a read-through memo of a service is filled once and never asked again.
  const noInputs = py`
    import requests
    from django.core.cache import cache

    def exchange_rates():
        rates = cache.get("fx:rates")
        if rates is None:
            rates = requests.get("https://fx.example.com/latest", timeout=5).json()
            cache.set("fx:rates", rates, None)
        return rates
  `;
  assert.deepEqual(await flagged(CODE, { 'shop/fx.py': noInputs }), ['shop/fx.py:8']);
});

// ---- a write-through copy of an outside service: every call asks again and overwrites ----

const FEED_IMPORTER = py`
  import requests
  from django.core.cache import cache
  from django.utils.translation import gettext_lazy as _


  class FeedImporter:
      def cache_key(self, url):
          return f"feed:{url}"

      def fetch(self, url, timeout=5):
          try:
              result = requests.get(url, timeout=timeout)
          except requests.RequestException as exc:
              return {"error": str(exc)}
          try:
              data = result.json()
          except ValueError:
              data = {"error": _("No JSON could be parsed")}
              return data
          if data and not data.get("error"):
              cache.set(self.cache_key(url), data, timeout=None)
          return data

      def fetch_cached(self, url):
          return cache.get(self.cache_key(url)) or {"error": _("No cached copy")}
`;

test('quiet on a write-through copy of a feed: each fetch asks the service and overwrites the last good copy', async () => {
  // `timeout` is not in the key: that matters only for a memo read before it is filled.
  assert.deepEqual(await flagged(CODE, { 'feeds/importer.py': FEED_IMPORTER }), []);
  const noInputs = py`
    import requests
    from django.core.cache import cache

    def refresh_exchange_rates():
        rates = requests.get("https://fx.example.com/latest", timeout=5).json()
        cache.set("fx:rates", rates, None)
  `;
  assert.deepEqual(await flagged(CODE, { 'shop/fx.py': noInputs }), []);
});

test('a write-through look-alike stays flagged: the stored value reads the database, or the function reads the key first', async () => {
  const fromDatabase = FEED_IMPORTER.replace('data = result.json()', 'data = {"members": list(Member.objects.values())}');
  assert.deepEqual(await flagged(CODE, { 'feeds/importer.py': fromDatabase }), ['feeds/importer.py:21']);
  const readFirst = FEED_IMPORTER.replace('        try:\n            result = requests.get(', '        if cache.get(self.cache_key(url)):\n            return cache.get(self.cache_key(url))\n        try:\n            result = requests.get(');
  assert.notEqual(readFirst, FEED_IMPORTER);
  assert.deepEqual(await flagged(CODE, { 'feeds/importer.py': readFirst }), ['feeds/importer.py:23']);
});

// ---- jobs: a function a task or command calls is refreshed by it; tests are not the project ----

const FEATURED = py`
  from django.core.cache import cache

  from catalog.models import Course


  def create_featured_items():
      ids = list(Course.objects.filter(featured=True).values_list("id", flat=True))
      cache.set("catalog:featured", ids, timeout=None)
      return ids


  def featured_courses():
      return Course.objects.filter(id__in=cache.get("catalog:featured") or [])
`;

test('quiet when a Celery task or a management command calls the writing function: each run re-sets the key', async () => {
  const task = py`
    from celery import shared_task

    from catalog.api import create_featured_items


    @shared_task
    def refresh_featured_items():
        create_featured_items()
  `;
  assert.deepEqual(await flagged(CODE, { 'catalog/api.py': FEATURED, 'catalog/tasks.py': task }), []);
  const command = py`
    from django.core.management.base import BaseCommand

    from catalog.api import create_featured_items


    class Command(BaseCommand):
        def handle(self, *args, **options):
            create_featured_items()
  `;
  assert.deepEqual(await flagged(CODE, { 'catalog/api.py': FEATURED, 'catalog/management/commands/feature_courses.py': command }), []);
});

test('flagged when only a view calls the writing function, or only a test deletes the key', async () => {
  const view = py`
    from django.http import JsonResponse

    from catalog.api import create_featured_items


    def rebuild(request):
        return JsonResponse({"ids": create_featured_items()})
  `;
  assert.deepEqual(await flagged(CODE, { 'catalog/api.py': FEATURED, 'catalog/views.py': view }), ['catalog/api.py:8']);
  const test = py`
    from django.core.cache import cache
    from django.test import TestCase

    from catalog.api import create_featured_items


    class FeaturedTests(TestCase):
        def tearDown(self):
            cache.delete("catalog:featured")

        def test_create(self):
            self.assertEqual(create_featured_items(), [])
  `;
  for (const path of ['catalog/tests.py', 'catalog/api_test.py', 'catalog/tests/test_api.py', 'conftest.py']) {
    assert.deepEqual(await flagged(CODE, { 'catalog/api.py': FEATURED, [path]: test }), ['catalog/api.py:8'], path);
  }
  // The same delete in the project's own code is an invalidation.
  assert.deepEqual(await flagged(CODE, { 'catalog/api.py': FEATURED, 'catalog/admin_actions.py': test }), []);
});

test('in an open workspace, adding the task that calls the writing function clears the finding, and removing it brings it back', async () => {
  const files: Record<string, string> = { 'catalog/api.py': FEATURED, 'catalog/views.py': py`
    def home(request):
        return None
  ` };
  const workspace = await workspaceOf(files);
  const flaggedNow = () => workspace.check().filter((finding) => finding.code === CODE).map((finding) => `${finding.path}:${finding.range.start.line + 1}`);
  assert.deepEqual(flaggedNow(), ['catalog/api.py:8']);
  workspace.update('catalog/tasks.py', py`
    from celery import shared_task

    from catalog.api import create_featured_items


    @shared_task
    def refresh_featured_items():
        create_featured_items()
  `);
  assert.deepEqual(flaggedNow(), []);
  // An edit elsewhere keeps the answer; the task's file losing its decorator changes it.
  workspace.update('catalog/views.py', py`
    def home(request):
        return "home"
  `);
  assert.deepEqual(flaggedNow(), []);
  workspace.update('catalog/tasks.py', py`
    from catalog.api import create_featured_items


    def refresh_featured_items():
        create_featured_items()
  `);
  assert.deepEqual(flaggedNow(), ['catalog/api.py:8']);
});
