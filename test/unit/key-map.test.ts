/** buildKeyMap on small in-memory projects: what the key map must list, and what it must leave out. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildKeyMap, type KeyEntry, type KeyMap, type KeySite } from '../../server/src/engine/key-map.js';
import { py, workspaceOf, type Files } from '../helpers/engine.js';
import { js } from './rules/ts-support.js';

async function mapOf(files: Files): Promise<KeyMap> {
  return buildKeyMap(await workspaceOf(files));
}

function entry(map: KeyMap, key: string, kind: KeyEntry['kind'] = 'key'): KeyEntry {
  const found = map.keys.filter((candidate) => candidate.key === key && candidate.kind === kind);
  assert.equal(found.length, 1, `one ${kind} "${key}" in ${map.keys.map((candidate) => `${candidate.kind} ${candidate.key}`).join(', ')}`);
  return found[0];
}

/** `path:line method` of each site, with its timeout or how, for readable assertions. */
function where(sites: KeySite[]): string[] {
  return sites.map((site) => {
    const timeout = site.timeout ? ` ${JSON.stringify(site.timeout)}` : '';
    const how = site.how ? ` (${site.how})` : '';
    return `${site.path}:${site.line} ${site.method}${timeout}${how}`;
  });
}

const SETTINGS = py`
  CACHES = {
      "default": {
          "BACKEND": "django.core.cache.backends.redis.RedisCache",
          "LOCATION": "redis://cache:6379/0",
          "TIMEOUT": 900,
      },
      "sessions": {
          "BACKEND": "django.core.cache.backends.redis.RedisCache",
          "LOCATION": "redis://cache:6379/1",
      },
  }
`;

test('a key written with None, read, and deleted by a signal receiver: writes, reads and invalidations with lines', async () => {
  const map = await mapOf({
    'shop/keys.py': 'PRODUCT_KEY = "shop:product:%s"\n',
    'shop/services.py': py`
      from django.core.cache import cache

      from .keys import PRODUCT_KEY


      def product(pk):
          value = cache.get(PRODUCT_KEY % pk)
          if value is None:
              value = load(pk)
              cache.set(PRODUCT_KEY % pk, value, None)
          return value
    `,
    'shop/signals.py': py`
      from django.core.cache import cache
      from django.dispatch import receiver

      from .keys import PRODUCT_KEY


      @receiver(post_save, sender=Product)
      def forget(sender, instance, **kwargs):
          cache.delete_many([PRODUCT_KEY % instance.pk, "shop:menu"])
    `,
  });
  const product = entry(map, 'shop:product:{}');
  assert.equal(product.language, 'python');
  assert.equal(product.alias, 'default');
  assert.deepEqual(where(product.writes), ['shop/services.py:10 set {"kind":"never"}']);
  assert.deepEqual(where(product.reads), ['shop/services.py:7 get']);
  assert.deepEqual(where(product.invalidations), ['shop/signals.py:9 delete_many (delete_many)']);
  assert.equal(product.expires, 'never');
  assert.equal(product.invalidated, true);
  assert.deepEqual(product.problems, []);
  // The site is the whole call, 1-based, end exclusive.
  assert.deepEqual([product.writes[0].column, product.writes[0].endLine, product.writes[0].endColumn], [9, 10, 49]);
  // A key only deleted here is listed too: the project removes it, something else writes it.
  const menu = entry(map, 'shop:menu');
  assert.deepEqual(menu.writes, []);
  assert.deepEqual(where(menu.invalidations), ['shop/signals.py:9 delete_many (delete_many)']);
});

test('timeouts: literal and computed seconds, None, the alias default from settings with its line, Django\'s default, and an expression it cannot evaluate', async () => {
  const map = await mapOf({
    'project/settings.py': SETTINGS,
    'shop/views.py': py`
      from django.core.cache import cache, caches

      HOUR = 60 * 60


      def fill(request, ttl):
          cache.set("a", 1, 30)
          cache.set("b", 1, timeout=2 * HOUR)
          cache.set("c", 1, timeout=None)
          cache.set("d", 1)
          caches["sessions"].set("e", 1)
          cache.set("f", 1, ttl)
    `,
  });
  assert.deepEqual(entry(map, 'a').writes[0].timeout, { kind: 'seconds', seconds: 30 });
  assert.deepEqual(entry(map, 'b').writes[0].timeout, { kind: 'seconds', seconds: 7200 });
  assert.deepEqual(entry(map, 'c').writes[0].timeout, { kind: 'never' });
  assert.deepEqual(entry(map, 'd').writes[0].timeout, { kind: 'default', seconds: 900, from: 'project/settings.py:5' });
  assert.deepEqual(entry(map, 'e').writes[0].timeout, { kind: 'default', seconds: 300, from: 'Django default (300 s)' });
  assert.equal(entry(map, 'e').alias, 'sessions');
  assert.deepEqual(entry(map, 'f').writes[0].timeout, { kind: 'unknown', text: 'ttl' });
  assert.equal(entry(map, 'a').expires, 'always');
  assert.equal(entry(map, 'f').expires, 'unknown');
});

test('"TIMEOUT": None on the alias: writes without their own timeout never expire, and CACHE007 is attached to the key it names', async () => {
  const map = await mapOf({
    'project/settings.py': py`
      CACHES = {
          "default": {
              "BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": "redis://cache:6379/0",
              "TIMEOUT": None,
          },
      }
    `,
    'shop/views.py': py`
      from django.core.cache import cache


      def banner():
          text = cache.get("shop:banner")
          if text is None:
              text = load_banner()
              cache.set("shop:banner", text)
          return text
    `,
  });
  const banner = entry(map, 'shop:banner');
  assert.deepEqual(banner.writes[0].timeout, { kind: 'default', seconds: null, from: 'project/settings.py:5' });
  assert.equal(banner.expires, 'never');
  assert.deepEqual(banner.findings.map((finding) => `${finding.code} ${finding.path}:${finding.line}`), ['CACHE007 project/settings.py:5']);
  assert.deepEqual(banner.problems, ['never-invalidated']);
});

test('re-sets: a signal receiver and a Celery task count as invalidations; a cache-aside fill alone does not', async () => {
  const map = await mapOf({
    'shop/services.py': py`
      from django.core.cache import cache


      def menu():
          value = cache.get("shop:menu")
          if value is None:
              value = build_menu()
              cache.set("shop:menu", value, None)
          return value


      def rates():
          value = cache.get("shop:rates")
          if value is None:
              value = fetch_rates()
              cache.set("shop:rates", value, None)
          return value
    `,
    'shop/signals.py': py`
      from django.core.cache import cache
      from django.dispatch import receiver


      @receiver(post_save, sender=MenuItem)
      def rebuild_menu(sender, **kwargs):
          cache.set("shop:menu", build_menu(), None)
    `,
    'shop/tasks.py': py`
      from celery import shared_task
      from django.core.cache import cache


      @shared_task
      def refresh_rates():
          cache.set("shop:rates", fetch_rates(), None)
    `,
  });
  assert.deepEqual(where(entry(map, 'shop:menu').invalidations), ['shop/signals.py:7 set (signal)']);
  assert.deepEqual(where(entry(map, 'shop:rates').invalidations), ['shop/tasks.py:7 set (overwrite)']);
  // The receiver's set is a write as well, with its timeout.
  assert.deepEqual(where(entry(map, 'shop:menu').writes), ['shop/services.py:8 set {"kind":"never"}', 'shop/signals.py:7 set {"kind":"never"}']);

  const alone = await mapOf({
    'shop/services.py': py`
      from django.core.cache import cache


      def menu():
          value = cache.get("shop:menu")
          if value is None:
              value = build_menu()
              cache.set("shop:menu", value, None)
          return value
    `,
  });
  const menu = entry(alone, 'shop:menu');
  assert.equal(menu.invalidated, false);
  assert.deepEqual(menu.invalidations, []);
  assert.deepEqual(menu.problems, ['never-invalidated']);
  assert.equal(alone.keys[0], menu);
});

test('a delete helper called with a key, a version bump, a key naming its content, and clear() on one alias only', async () => {
  const map = await mapOf({
    'shop/cache_utils.py': py`
      from django.core.cache import cache


      def forget(key):
          cache.delete(key)
    `,
    'shop/services.py': py`
      from django.core.cache import cache, caches

      from .cache_utils import forget


      def save_order(order):
          cache.set(f"order:{order.pk}", order, None)
          caches["sessions"].set(f"cart:{order.user_id}", [], None)


      def cancel(order):
          forget(f"order:{order.pk}")


      def bump():
          cache.incr_version("catalog:index")


      def page(text):
          digest = hash_of(text)
          cache.set(f"render:{digest}", render(text), None)


      def reset_sessions():
          caches["sessions"].clear()
    `,
  });
  assert.deepEqual(where(entry(map, 'order:{}').invalidations), ['shop/services.py:12 forget() (delete)']);
  assert.deepEqual(where(entry(map, 'catalog:index').invalidations), ['shop/services.py:16 incr_version (version)']);
  assert.deepEqual(where(entry(map, 'render:{}').invalidations), ['shop/services.py:21 key (content)']);
  assert.deepEqual(where(entry(map, 'cart:{}').invalidations), ['shop/services.py:25 clear (clear)']);
  // Listed, but a flush of everything is not an invalidation of this key when its data changes.
  assert.equal(entry(map, 'cart:{}').invalidated, false);
  // clear() on "sessions" does not touch the default alias.
  assert.ok(!entry(map, 'order:{}').invalidations.some((site) => site.how === 'clear'));
});

test('a key the analysis cannot read (a bare parameter) is not listed; test modules are not read', async () => {
  const map = await mapOf({
    'shop/services.py': py`
      from django.core.cache import cache


      def put(key, value):
          cache.set(key, value, 60)
    `,
    'shop/tests/test_cache.py': py`
      from django.core.cache import cache


      def test_set():
          cache.set("test:key", 1, None)
    `,
  });
  assert.deepEqual(map.keys, []);
});

test('template fragments: timeout, the alias, make_template_fragment_key deletes; a collision is a problem', async () => {
  const map = await mapOf({
    'project/settings.py': py`
      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
    'shop/templates/shop/home.html': '{% load cache %}\n<main>\n{% cache None bestsellers %}{{ books }}{% endcache %}\n{% cache 300 sidebar %}<nav>{{ categories }}</nav>{% endcache %}\n{% cache 60 stats using="local" %}{{ stats }}{% endcache %}\n{% cache timeout promo %}x{% endcache %}\n</main>\n',
    'shop/templates/shop/list.html': '{% load cache %}\n{% cache 300 sidebar %}<aside>{{ publishers }}</aside>{% endcache %}\n',
    'shop/signals.py': py`
      from django.core.cache import cache
      from django.core.cache.utils import make_template_fragment_key


      def forget_bestsellers(sender, **kwargs):
          cache.delete(make_template_fragment_key("bestsellers"))
    `,
  });
  const bestsellers = entry(map, 'bestsellers', 'fragment');
  assert.equal(bestsellers.language, 'template');
  assert.equal(bestsellers.alias, 'template_fragments');
  assert.deepEqual(where(bestsellers.writes), ['shop/templates/shop/home.html:3 {% cache %} {"kind":"never"}']);
  assert.deepEqual(where(bestsellers.invalidations), ['shop/signals.py:6 make_template_fragment_key (fragment-key)']);
  assert.deepEqual(bestsellers.problems, []);
  assert.equal(entry(map, 'stats', 'fragment').alias, 'local');
  // The same name in two templates with different bodies: one entry, two writes, CACHE102 on each.
  const sidebar = entry(map, 'sidebar', 'fragment');
  assert.deepEqual(sidebar.writes.map((site) => `${site.path}:${site.line}`), ['shop/templates/shop/home.html:4', 'shop/templates/shop/list.html:2']);
  assert.deepEqual(sidebar.findings.map((finding) => finding.code), ['CACHE102', 'CACHE102']);
  assert.deepEqual(sidebar.problems, ['collision']);
  assert.deepEqual(entry(map, 'promo', 'fragment').writes[0].timeout, { kind: 'unknown', text: 'timeout' });
});

test('pages: one entry per cached view, with its timeout, alias and the headers it varies on; CACHE004 makes it a per-user leak', async () => {
  const map = await mapOf({
    'project/settings.py': py`
      CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
      CACHE_MIDDLEWARE_SECONDS = 120
    `,
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie, vary_on_headers


      @cache_page(60 * 15, cache="pages")
      @vary_on_headers("Accept-Language")
      def catalogue(request):
          return render(request, "shop/catalogue.html", {})


      @cache_page(60)
      @vary_on_cookie
      def basket(request):
          return render(request, "shop/basket.html", {"n": request.user.basket.count()})


      @cache_page(None)
      def about(request):
          return render(request, "shop/about.html", {})


      @cache_page(300)
      def me(request):
          return render(request, "shop/me.html", {"name": request.user.username})
    `,
  });
  const catalogue = entry(map, 'shop.views.catalogue', 'page');
  assert.equal(catalogue.alias, 'pages');
  assert.deepEqual(catalogue.writes.map((site) => [site.line, site.method, site.timeout, site.vary]), [[6, 'cache_page', { kind: 'seconds', seconds: 900 }, ['Accept-Language']]]);
  assert.deepEqual(entry(map, 'shop.views.basket', 'page').writes[0].vary, ['Cookie']);
  assert.deepEqual(entry(map, 'shop.views.about', 'page').writes[0].timeout, { kind: 'default', seconds: 120, from: 'project/settings.py:2' });
  const me = entry(map, 'shop.views.me', 'page');
  assert.deepEqual(me.problems, ['per-user-leak']);
  assert.deepEqual(me.findings.map((finding) => finding.code), ['CACHE004']);
  assert.equal(entry(map, 'shop.views.basket', 'page').problems.length, 0);
  assert.equal(map.keys[0], me);
});

test('TS/JS keys: TTL in seconds (EX, ms TTLs divided), no TTL, a client default, deletes elsewhere; a Map.delete is not an invalidation', async () => {
  const map = await mapOf({
    'src/redis.ts': js`
      import Redis from 'ioredis';

      export const redis = new Redis();
    `,
    'src/memory.ts': js`
      import { LRUCache } from 'lru-cache';
      import NodeCache from 'node-cache';

      export const lru = new LRUCache({ max: 100 });
      export const local = new NodeCache({ stdTTL: 120 });
    `,
    'src/products.ts': js`
      import { redis } from './redis';
      import { local, lru } from './memory';

      export async function product(id: string) {
        const cached = await redis.get(\`product:#{id}\`);
        if (cached) return JSON.parse(cached);
        const value = await load(id);
        await redis.set(\`product:#{id}\`, JSON.stringify(value));
        await redis.set(\`price:#{id}\`, value.price, 'EX', 60);
        lru.set(\`badge:#{id}\`, value.badge, { ttl: 5000 });
        local.set(\`stock:#{id}\`, value.stock);
        return value;
      }
    `,
    'src/admin.ts': js`
      import { redis } from './redis';

      const seen = new Map<string, number>();

      export async function saved(id: string) {
        await redis.del(\`product:#{id}\`);
        seen.delete(\`price:#{id}\`);
      }
    `,
  });
  const product = entry(map, 'product:{}');
  assert.equal(product.language, 'typescript');
  assert.equal(product.alias, 'redis');
  assert.deepEqual(where(product.writes), ['src/products.ts:8 redis.set {"kind":"never"}']);
  assert.deepEqual(where(product.reads), ['src/products.ts:5 redis.get']);
  assert.deepEqual(where(product.invalidations), ['src/admin.ts:6 redis.del (delete)']);
  assert.deepEqual(entry(map, 'price:{}').writes[0].timeout, { kind: 'seconds', seconds: 60 });
  assert.deepEqual(entry(map, 'price:{}').invalidations, []);
  assert.deepEqual(entry(map, 'badge:{}').writes[0].timeout, { kind: 'seconds', seconds: 5 });
  assert.deepEqual(entry(map, 'stock:{}').writes[0].timeout, { kind: 'default', seconds: 120, from: 'src/memory.ts:5' });
  assert.equal(entry(map, 'stock:{}').alias, 'local');
});

test('CACHE201 and CACHE202 findings are attached to their TS keys as problems; a TTL-bound key stays clean', async () => {
  const map = await mapOf({
    'src/redis.ts': js`
      import Redis from 'ioredis';

      export const redis = new Redis();
    `,
    'src/products.ts': js`
      import { redis } from './redis';

      export async function product(id: string) {
        const cached = await redis.get(\`product:#{id}\`);
        if (cached) return JSON.parse(cached);
        const value = await load(id);
        await redis.set(\`product:#{id}\`, JSON.stringify(value));
        return value;
      }

      export async function recommendations(customerId: string) {
        const cached = await redis.get('recommendations');
        if (cached) return JSON.parse(cached);
        const value = await recommend(customerId);
        await redis.set('recommendations', JSON.stringify(value), 'EX', 300);
        return value;
      }
    `,
  });
  const recommendations = entry(map, 'recommendations');
  assert.deepEqual(recommendations.findings.map((finding) => finding.code), ['CACHE202']);
  assert.deepEqual(recommendations.problems, ['per-user-leak']);
  const product = entry(map, 'product:{}');
  assert.deepEqual(product.findings.map((finding) => `${finding.code} ${finding.path}:${finding.line}:${finding.column}`), ['CACHE201 src/products.ts:7:9']);
  assert.deepEqual(product.problems, ['never-invalidated']);
});

test('findings given are reused (the rules are not run again); paths keep only keys with a site in those files', async () => {
  const files = {
    'a/views.py': 'from django.core.cache import cache\n\ndef f(pk):\n    cache.set(f"a:{pk}", 1, None)\n',
    'b/views.py': 'from django.core.cache import cache\n\ndef g(pk):\n    cache.set(f"b:{pk}", 1, 60)\n',
  };
  const workspace = await workspaceOf(files);
  assert.deepEqual(buildKeyMap(workspace).keys.map((key) => [key.key, key.problems]), [['a:{}', ['never-invalidated']], ['b:{}', []]]);
  assert.deepEqual(buildKeyMap(workspace, { findings: [] }).keys.map((key) => [key.key, key.problems]), [['a:{}', []], ['b:{}', []]]);
  assert.deepEqual(buildKeyMap(workspace, { paths: ['b/views.py'] }).keys.map((key) => key.key), ['b:{}']);
});

test('bad input: a file that does not parse, an unclosed {% cache %}, and an empty project give a partial or empty map, never a crash', async () => {
  assert.deepEqual((await mapOf({})).keys, []);
  const map = await mapOf({
    'shop/broken.py': 'from django.core.cache import cache\n\ndef f(:\n    cache.set("broken:key", 1, None\n',
    'shop/ok.py': 'from django.core.cache import cache\n\ndef g():\n    cache.set("ok:key", 1, 60)\n',
    'shop/templates/shop/x.html': '{% load cache %}{% cache 60 open_fragment %}never closed',
    'src/bad.ts': 'import Redis from "ioredis";\nconst r = new Redis();\nr.set(`k:${',
  });
  assert.deepEqual(entry(map, 'ok:key').writes.map((site) => site.line), [4]);
  assert.ok(!map.keys.some((candidate) => candidate.key === 'open_fragment'));
});

test('every file of the sample project cut short at several places, as an editor would: the map is still built (a partial map, never a throw)', async () => {
  const root = join(__dirname, '..', 'fixtures', 'sample-project');
  const files: Files = {};
  const walk = (folder: string): void => {
    for (const name of readdirSync(join(root, folder))) {
      const path = folder ? `${folder}/${name}` : name;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else files[path] = readFileSync(join(root, path), 'utf8');
    }
  };
  walk('');
  // One workspace, edited as an editor would (cut, then restored): the map follows each edit.
  const workspace = await workspaceOf(files);
  const whole = buildKeyMap(workspace);
  assert.ok(whole.keys.length > 20);
  for (const path of Object.keys(files).filter((candidate) => /\.(py|html|ts)$/.test(candidate))) {
    for (const fraction of [0.4, 0.8]) {
      const kept = files[path].slice(0, Math.floor(files[path].length * fraction));
      workspace.update(path, kept);
      // Without findings: the rules' own robustness is tested elsewhere, and running them 70 times is slow.
      const map = buildKeyMap(workspace, { findings: [] });
      workspace.update(path, files[path]);
      // No site of the cut file lies past what is left of it.
      const lastLine = kept.split('\n').length;
      for (const entry of map.keys) {
        for (const site of [...entry.writes, ...entry.reads, ...entry.invalidations]) {
          if (site.path === path) assert.ok(site.endLine <= lastLine, `${path} cut at ${fraction}: ${entry.key} has a site at line ${site.line}`);
        }
      }
      // A template defines no key for other files: the keys written elsewhere are all still there.
      if (!path.endsWith('.html')) continue;
      const elsewhere = whole.keys.filter((entry) => entry.writes.length > 0 && entry.writes.every((site) => site.path !== path));
      for (const entry of elsewhere) assert.ok(map.keys.some((candidate) => candidate.key === entry.key && candidate.kind === entry.kind), `${path} cut at ${fraction}: ${entry.kind} ${entry.key} lost`);
    }
  }
});

test('a timeout read from django.conf.settings takes the value the settings give it', async () => {
  const map = await mapOf({
    'project/settings.py': py`
      CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
      CACHE_LONG_TIMEOUT = 60 * 60 * 24
    `,
    'shop/views.py': py`
      from django.conf import settings
      from django.core.cache import cache


      def fill(pk):
          cache.set(f"long:{pk}", 1, settings.CACHE_LONG_TIMEOUT)
          cache.set(f"double:{pk}", 1, settings.CACHE_LONG_TIMEOUT * 2)
          cache.set(f"missing:{pk}", 1, settings.NOT_DEFINED)
    `,
  });
  assert.deepEqual(entry(map, 'long:{}').writes[0].timeout, { kind: 'seconds', seconds: 86400 });
  assert.deepEqual(entry(map, 'double:{}').writes[0].timeout, { kind: 'seconds', seconds: 172800 });
  assert.deepEqual(entry(map, 'missing:{}').writes[0].timeout, { kind: 'unknown', text: 'settings.NOT_DEFINED' });
});

test('a delete whose key has no literal text but separators (f"{name}_{pk}") is listed on its own, not on every key with an underscore', async () => {
  const map = await mapOf({
    'shop/services.py': py`
      from django.core.cache import cache


      def remember(pk, value):
          cache.set(f"premium_until_{pk}", value, None)
          cache.set(f"order_{pk}", value, 60)


      def forget(pk):
          for name in ("premium_until", "donor"):
              cache.delete(f"{name}_{pk}")
          cache.delete(f"order_{pk}")
    `,
  });
  assert.deepEqual(entry(map, 'premium_until_{}').invalidations, []);
  assert.deepEqual(where(entry(map, 'order_{}').invalidations), ['shop/services.py:12 delete (delete)']);
  assert.deepEqual(where(entry(map, '{}_{}').invalidations), ['shop/services.py:11 delete (delete)']);
});

test('store and read helpers (`safe_cache_set(key, value, timeout)`) are shown where they are called, with the timeout the caller passes', async () => {
  const map = await mapOf({
    'shop/cache_tools.py': py`
      from django.core.cache import cache

      PROJECT_FORMS = "project-forms-"


      def safe_cache_set(key, value, timeout=300):
          try:
              cache.set(key, value, timeout)
          except ConnectionError:
              pass


      def safe_cache_get(key):
          return cache.get(key)


      def remember_forever(key, value):
          cache.set(key, value, None)
    `,
    'shop/views.py': py`
      from django.core.cache import cache

      from .cache_tools import PROJECT_FORMS, remember_forever, safe_cache_get, safe_cache_set


      def forms(project):
          found = safe_cache_get(f"{PROJECT_FORMS}{project.pk}")
          if found is None:
              found = load(project)
              safe_cache_set(f"{PROJECT_FORMS}{project.pk}", found, 3600)
              safe_cache_set(f"project-owner-{project.pk}", project.owner_id)
              remember_forever(f"project-name-{project.pk}", project.name)
          return found


      def forget(project):
          cache.delete(f"{PROJECT_FORMS}{project.pk}")
    `,
  });
  const forms = entry(map, 'project-forms-{}');
  assert.deepEqual(where(forms.writes), ['shop/views.py:10 safe_cache_set() {"kind":"seconds","seconds":3600}']);
  assert.deepEqual(where(forms.reads), ['shop/views.py:7 safe_cache_get()']);
  assert.deepEqual(where(forms.invalidations), ['shop/views.py:17 delete (delete)']);
  assert.deepEqual(entry(map, 'project-owner-{}').writes[0].timeout, { kind: 'unknown', text: 'the default of safe_cache_set()' });
  assert.deepEqual(entry(map, 'project-name-{}').writes[0].timeout, { kind: 'never' });
});

test('TS/JS helpers that delete, store or read the key they are given are shown where they are called', async () => {
  const map = await mapOf({
    'src/redis.ts': js`
      import Redis from 'ioredis';

      export const redis = new Redis();

      export function cacheSet(key: string, value: string, seconds: number) {
        return redis.set(key, value, 'EX', seconds);
      }

      export function cacheGet(key: string) {
        return redis.get(key);
      }

      export function invalidate(key: string) {
        return redis.del(key);
      }
    `,
    'src/users.ts': js`
      import { cacheGet, cacheSet, invalidate } from './redis';

      export async function profile(id: string) {
        const cached = await cacheGet(\`profile:#{id}\`);
        if (cached) return JSON.parse(cached);
        const value = await load(id);
        await cacheSet(\`profile:#{id}\`, JSON.stringify(value), 120);
        return value;
      }

      export async function renamed(id: string) {
        await invalidate(\`profile:#{id}\`);
      }
    `,
  });
  const profile = entry(map, 'profile:{}');
  assert.deepEqual(where(profile.writes), ['src/users.ts:7 cacheSet() {"kind":"seconds","seconds":120}']);
  assert.deepEqual(where(profile.reads), ['src/users.ts:4 cacheGet()']);
  assert.deepEqual(where(profile.invalidations), ['src/users.ts:12 invalidate() (delete)']);
  assert.equal(profile.alias, 'redis');
});

test('TS/JS: a delete or re-set in a function nothing calls is not an invalidation (as CACHE201 judges it); a live one is', async () => {
  const files = (caller: string): Files => ({
    'src/redis.ts': js`
      import Redis from 'ioredis';

      export const redis = new Redis();
    `,
    'src/products.ts': js`
      import { redis } from './redis';

      export async function product(id: string) {
        const cached = await redis.get(\`product:#{id}\`);
        if (cached) return JSON.parse(cached);
        const value = await load(id);
        await redis.set(\`product:#{id}\`, JSON.stringify(value));
        return value;
      }

      async function forgetProduct(id: string) {
        await redis.set(\`product:#{id}\`, 'null');
        await redis.del(\`product:#{id}\`);
      }
      ${caller}
    `,
  });
  const dead = entry(await mapOf(files('')), 'product:{}');
  assert.deepEqual(dead.invalidations, []);
  assert.equal(dead.invalidated, false);
  assert.deepEqual(dead.problems, ['never-invalidated']);
  const live = entry(await mapOf(files('export const onSaved = (id: string) => forgetProduct(id);')), 'product:{}');
  assert.deepEqual(where(live.invalidations), ['src/products.ts:7 redis.set (overwrite)', 'src/products.ts:12 redis.set (overwrite)', 'src/products.ts:13 redis.del (delete)']);
  assert.deepEqual(live.problems, []);
});
