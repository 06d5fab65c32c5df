import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/analysis/config.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';

/** A small DRF shop: a cached API view (so the REST_FRAMEWORK settings are looked up), templates, plain modules. */
const FILES: Record<string, string> = {
  'shop/settings.py': 'REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}\n',
  'shop/api.py': [
    'from django.core.cache import cache',
    'from django.views.decorators.cache import cache_page',
    'from rest_framework.decorators import api_view',
    'from rest_framework.response import Response',
    '',
    '',
    'def price_key(kind):',
    '    return cache.get(f"price:{kind}")',
    '',
    '',
    '@cache_page(60)',
    '@api_view(["GET"])',
    'def prices(request):',
    '    return Response({"price": price_key("retail")})',
    '',
  ].join('\n'),
  'shop/jobs.py': 'from shop.api import price_key\n\n\ndef nightly():\n    return price_key("wholesale")\n',
  'shop/models.py': 'class Product:\n    pass\n',
  'shop/templates/shop/home.html': '{% load cache %}{% cache 300 home %}<h1>Shop</h1>{% endcache %}\n',
  'shop/templates/shop/about.html': '<p>About us</p>\n',
  'shop/templates/shop/form.html': '<form>{% csrf_token %}</form>\n',
};

function countingSource(files: Record<string, string>) {
  const reads = new Map<string, number>();
  return {
    reads,
    source: {
      read: (path: string) => {
        reads.set(path, (reads.get(path) ?? 0) + 1);
        return files[path];
      },
    },
  };
}

test('a whole-project check reads each Python module and template once', async () => {
  const { reads, source } = countingSource(FILES);
  const workspace = await Workspace.create({ wasm: loadPythonWasm(), source, paths: Object.keys(FILES), configFor: () => DEFAULT_CONFIG });
  workspace.check();
  const again = [...reads].filter(([, count]) => count > 1);
  assert.deepEqual(again, []);
  // Every module was looked at: the settings (REST_FRAMEWORK) and the callers of price_key too.
  assert.deepEqual([...reads.keys()].filter((path) => path.endsWith('.py')).sort(), Object.keys(FILES).filter((path) => path.endsWith('.py')).sort());
});

test('a module changed on disk is read again once the workspace hears of it', async () => {
  const files = { ...FILES };
  const { source } = countingSource(files);
  const workspace = await Workspace.create({ wasm: loadPythonWasm(), source, paths: Object.keys(files), configFor: () => DEFAULT_CONFIG });
  workspace.check();
  assert.equal(workspace.python.textOf('shop/jobs.py'), FILES['shop/jobs.py']);
  files['shop/jobs.py'] = 'from shop.api import price_key\n\n\ndef for_customer(customer):\n    return price_key(customer.tier)\n';
  workspace.update('shop/jobs.py');
  assert.equal(workspace.python.textOf('shop/jobs.py'), files['shop/jobs.py']);
  files['shop/models.py'] = 'class Product:\n    name = "x"\n';
  workspace.remove('shop/models.py');
  workspace.update('shop/models.py');
  assert.equal(workspace.python.textOf('shop/models.py'), files['shop/models.py']);
});

test('a TS/JS check reads each file once, the files a cache client is passed through included', async () => {
  const files: Record<string, string> = {
    'src/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\n",
    // EX takes seconds: 60 * 1000 is 16 hours (CACHE203).
    'src/prices.ts': "import { redis } from './redis';\n\nexport async function savePrice(id: string, price: number) {\n  await redis.set(`price:${id}`, String(price), 'EX', 60 * 1000);\n}\n",
    'src/routes.ts': "import { savePrice } from './prices';\n\nexport const routes = { save: savePrice };\n",
    'src/banner.js': 'export const banner = "Sale";\n',
  };
  const { reads, source } = countingSource(files);
  const workspace = await Workspace.create({ wasm: loadPythonWasm(), source, paths: Object.keys(files), configFor: () => DEFAULT_CONFIG, loadTypeScript });
  assert.ok(workspace.check().some((finding) => finding.path === 'src/prices.ts'));
  assert.deepEqual([...reads].filter(([, count]) => count > 1), []);
});
