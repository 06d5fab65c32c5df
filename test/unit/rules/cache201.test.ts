import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { assertFixesUnsafe, assertTsFixIsClean, js } from './ts-support.js';

const CODE = 'CACHE201';

const REDIS = js`
  import Redis from 'ioredis';

  export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
`;

const CACHE_ASIDE = js`
  import { redis } from './redis';

  export async function getProduct(id: string) {
    const cached = await redis.get(\`product:#{id}\`);
    if (cached) return JSON.parse(cached);
    const product = await db.product.findUnique({ where: { id } });
    await redis.set(\`product:#{id}\`, JSON.stringify(product));
    return product;
  }
`;

// ---- flagged ----

test('ioredis in the cache-aside shape with no EX, never deleted: flagged, the span is the call', async () => {
  const files = { 'src/redis.ts': REDIS, 'src/products.ts': CACHE_ASIDE };
  assert.deepEqual(await flagged(CODE, files), ['src/products.ts:7']);
  assert.deepEqual(await spans(CODE, files), ['redis.set(`product:${id}`, JSON.stringify(product))']);
});

test('the key held in a local, a miss tested with === null, and a require()d client (CommonJS) are followed', async () => {
  const files = {
    'lib/redis.js': js`
      const Redis = require('ioredis');
      const client = new Redis();
      module.exports = client;
    `,
    'lib/profiles.js': js`
      const redis = require('./redis');

      async function profile(userId) {
        const key = 'profile:' + userId;
        const hit = await redis.get(key);
        if (hit !== null) return JSON.parse(hit);
        const fresh = await loadProfile(userId);
        await redis.set(key, JSON.stringify(fresh));
        return fresh;
      }
      module.exports = { profile };
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['lib/profiles.js:8']);
});

test('node-redis (createClient) in the cache-aside shape with no { EX } is flagged', async () => {
  const files = {
    'src/cache.ts': js`
      import { createClient } from 'redis';

      const client = createClient({ url: process.env.REDIS_URL });
      await client.connect();

      export async function rates(currency: string) {
        const cached = await client.get(\`fx:#{currency}\`);
        if (cached) return JSON.parse(cached);
        const fresh = await fetchRates(currency);
        await client.set(\`fx:#{currency}\`, JSON.stringify(fresh));
        return fresh;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/cache.ts:10']);
});

test('cache-manager v5 (caching with no ttl): a set with no ttl is flagged', async () => {
  const files = {
    'package.json': JSON.stringify({ dependencies: { 'cache-manager': '^5.4.0' } }),
    'src/cache.ts': js`
      import { caching } from 'cache-manager';

      export const cache = await caching('memory', { max: 500 });
    `,
    'src/catalog.ts': js`
      import { cache } from './cache';

      export async function category(slug: string) {
        const tree = await buildCategoryTree(slug);
        await cache.set(\`category:#{slug}\`, tree);
        return tree;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/catalog.ts:5']);
});

test('cache-manager v6 (createCache with no ttl): set and wrap with no ttl are flagged', async () => {
  const files = {
    'src/cache.ts': js`
      import { createCache } from 'cache-manager';

      const cache = createCache();

      export async function settings(tenant: string) {
        return cache.wrap(\`settings:#{tenant}\`, () => loadSettings(tenant));
      }

      export async function menu(tenant: string) {
        await cache.set(\`menu:#{tenant}\`, await loadMenu(tenant));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/cache.ts:6', 'src/cache.ts:10']);
});

test('Keyv with no ttl (constructor or set) is flagged', async () => {
  const files = {
    'src/keyv.ts': js`
      import Keyv from 'keyv';

      const keyv = new Keyv('redis://localhost:6379');

      export async function remember(id: string) {
        await keyv.set(\`order:#{id}\`, await loadOrder(id));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/keyv.ts:6']);
});

test('node-cache with stdTTL 0 (default or explicit) and no per-key ttl, or a per-key ttl of 0, is flagged', async () => {
  const files = {
    'src/local.js': js`
      const NodeCache = require('node-cache');

      const plain = new NodeCache();
      const explicit = new NodeCache({ stdTTL: 0, checkperiod: 120 });

      function a(id) {
        plain.set(\`a:#{id}\`, compute(id));
      }
      function b(id) {
        explicit.set(\`b:#{id}\`, compute(id));
      }
      function c(id) {
        plain.set(\`c:#{id}\`, compute(id), 0);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/local.js:7', 'src/local.js:10', 'src/local.js:13']);
});

test('a key built by a key helper in another module is followed', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/keys.ts': js`
      export const productKey = (id: string) => \`product:#{id}\`;
    `,
    'src/products.ts': js`
      import { redis } from './redis';
      import { productKey } from './keys';

      export async function getProduct(id: string) {
        const cached = await redis.get(productKey(id));
        if (!cached) {
          const product = await loadProduct(id);
          await redis.set(productKey(id), JSON.stringify(product));
          return product;
        }
        return JSON.parse(cached);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/products.ts:8']);
});

test('key helpers with a local before the return, key-builder objects and rest-argument joins are followed to their template', async () => {
  const keys = js`
    export const Keys = { Product: { id(id: string): string { return \`product:#{id}\`; } } };
    export function productKey(id: string) {
      const key = \`product:#{id}\`;
      return key;
    }
    export const cacheKey = (...parts: string[]) => parts.join(':');
  `;
  const store = (keyExpression: string, deleted?: string): Record<string, string> => ({
    'src/redis.ts': REDIS,
    'src/keys.ts': keys,
    'src/products.ts': js`
      import { redis } from './redis';
      import { Keys, productKey, cacheKey } from './keys';

      export async function getProduct(id: string) {
        const cached = await redis.get(${keyExpression});
        if (cached) return JSON.parse(cached);
        const product = await loadProduct(id);
        await redis.set(${keyExpression}, JSON.stringify(product));
        return product;
      }
    `,
    ...(deleted ? { 'src/admin.ts': `import { redis } from './redis';\nimport { Keys, productKey, cacheKey } from './keys';\nexport const forget = (id: string) => redis.del(${deleted});\n` } : {}),
  });
  for (const keyExpression of ['Keys.Product.id(id)', 'productKey(id)', "cacheKey('product', id)"]) {
    assert.deepEqual(await flagged(CODE, store(keyExpression)), ['src/products.ts:8'], keyExpression);
    // Deleted through another helper that builds the same template: quiet.
    assert.deepEqual(await flagged(CODE, store(keyExpression, '`product:${id}`')), [], keyExpression);
  }
  // A helper whose returns build different keys is not guessed at: its key is unknown, and the store stays quiet.
  const branching = store('variantKey(id)');
  branching['src/products.ts'] = branching['src/products.ts'].replace("import { Keys, productKey, cacheKey } from './keys';", "function variantKey(id: string) {\n  if (id.startsWith('x')) return `legacy:${id}`;\n  return `product:${id}`;\n}");
  assert.deepEqual(await flagged(CODE, branching), []);
});

test('a client imported through a tsconfig `paths` alias or a workspace package name is traced', async () => {
  const aliased = {
    'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
    'src/lib/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE.replace("from './redis'", "from '@/lib/redis'"),
  };
  assert.deepEqual(await flagged(CODE, aliased), ['src/products.ts:7']);
  const workspace = {
    'packages/redis/package.json': JSON.stringify({ name: '@shop/redis', main: './dist/index.js', types: './dist/index.d.ts' }),
    'packages/redis/src/index.ts': REDIS,
    'apps/api/src/products.ts': CACHE_ASIDE.replace("from './redis'", "from '@shop/redis'"),
  };
  assert.deepEqual(await flagged(CODE, workspace), ['apps/api/src/products.ts:7']);
  // Through the package's barrel (`export * from './client'`).
  const barrel = { ...workspace, 'packages/redis/src/index.ts': "export * from './client';\n", 'packages/redis/src/client.ts': REDIS };
  assert.deepEqual(await flagged(CODE, barrel), ['apps/api/src/products.ts:7']);
  // An alias that resolves nowhere leaves the receiver untraced: quiet.
  const unresolved = { 'src/products.ts': CACHE_ASIDE.replace("from './redis'", "from '@/lib/redis'") };
  assert.deepEqual(await flagged(CODE, unresolved), []);
});

test('one alias in two apps of a monorepo names each app\'s own file', async () => {
  const app = (name: string, redis: string): Record<string, string> => ({
    [`apps/${name}/tsconfig.json`]: '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
    [`apps/${name}/src/lib/redis.ts`]: redis,
    [`apps/${name}/src/products.ts`]: CACHE_ASIDE.replace("from './redis'", "from '@/lib/redis'"),
  });
  // The web app's `redis` is an in-memory Map, not a cache client: only the API's store is flagged, whichever
  // app's import is resolved first.
  const files = { ...app('api', REDIS), ...app('web', 'export const redis = new Map<string, string>();\n') };
  assert.deepEqual(await flagged(CODE, files), ['apps/api/src/products.ts:7']);
  const reversed = { ...app('web', 'export const redis = new Map<string, string>();\n'), ...app('api', REDIS) };
  assert.deepEqual(await flagged(CODE, reversed), ['apps/api/src/products.ts:7']);
});

test('a key deleted only under another template is still flagged', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE,
    'src/admin.ts': js`
      import { redis } from './redis';

      export async function forget(id: string) {
        await redis.del(\`category:#{id}\`);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/products.ts:7']);
});

// ---- quiet: a TTL is given ----

test('quiet when the store has a TTL, in every library\'s form', async () => {
  const files = {
    'package.json': JSON.stringify({ dependencies: { 'cache-manager': '5.7.6' } }),
    'src/all.ts': js`
      import Redis from 'ioredis';
      import { createClient } from 'redis';
      import { caching } from 'cache-manager';
      import Keyv from 'keyv';
      import NodeCache from 'node-cache';

      const redis = new Redis();
      const client = createClient();
      const manager = await caching('memory');
      const keyv = new Keyv();
      const local = new NodeCache();

      export async function all(id: string) {
        const a = await redis.get(\`a:#{id}\`);
        if (!a) await redis.set(\`a:#{id}\`, await compute(id), 'EX', 60);
        const b = await redis.get(\`b:#{id}\`);
        if (!b) await redis.set(\`b:#{id}\`, await compute(id), 'PX', 60_000, 'NX');
        const c = await redis.get(\`c:#{id}\`);
        if (!c) await redis.set(\`c:#{id}\`, await compute(id), 'KEEPTTL');
        const d = await redis.get(\`d:#{id}\`);
        if (!d) await redis.setex(\`d:#{id}\`, 60, await compute(id));
        const e = await client.get(\`e:#{id}\`);
        if (!e) await client.set(\`e:#{id}\`, await compute(id), { EX: 60 });
        const f = await client.get(\`f:#{id}\`);
        if (!f) await client.setEx(\`f:#{id}\`, 60, await compute(id));
        await manager.set(\`g:#{id}\`, await compute(id), 60_000);
        await manager.wrap(\`h:#{id}\`, () => compute(id), 60_000);
        await keyv.set(\`i:#{id}\`, await compute(id), 60_000);
        local.set(\`j:#{id}\`, await compute(id), 60);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the client has a default TTL, or options it cannot read', async () => {
  const files = {
    'src/defaults.ts': js`
      import { caching, createCache } from 'cache-manager';
      import Keyv from 'keyv';
      import NodeCache from 'node-cache';

      const manager = await caching('memory', { max: 100, ttl: 10 * 60 * 1000 });
      const modern = createCache({ ttl: 60_000 });
      const keyv = new Keyv({ ttl: 60_000 });
      const local = new NodeCache({ stdTTL: 600 });
      const configured = new NodeCache(loadCacheOptions());
      const fromOptions = new Keyv(keyvOptions);

      export async function all(id: string) {
        await manager.set(\`a:#{id}\`, await compute(id));
        await modern.set(\`b:#{id}\`, await compute(id));
        await keyv.set(\`c:#{id}\`, await compute(id));
        local.set(\`d:#{id}\`, await compute(id));
        configured.set(\`e:#{id}\`, await compute(id));
        await fromOptions.set(\`f:#{id}\`, await compute(id));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a cache-manager client injected by type (NestJS): its default TTL is configured elsewhere', async () => {
  const files = {
    'src/products.service.ts': js`
      import { Inject, Injectable } from '@nestjs/common';
      import { CACHE_MANAGER } from '@nestjs/cache-manager';
      import type { Cache } from 'cache-manager';

      @Injectable()
      export class ProductsService {
        constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

        async find(id: string) {
          const product = await this.repo.findOne(id);
          await this.cache.set(\`product:#{id}\`, product);
          return product;
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- quiet: the key is invalidated ----

test('quiet when another module deletes the key (del, unlink, getdel, expire)', async () => {
  for (const invalidation of ['redis.del(`product:${id}`)', 'redis.unlink([`product:${id}`, `category:${id}`])', 'redis.getdel(`product:${id}`)', 'redis.expire(`product:${id}`, 10)']) {
    const files = {
      'src/redis.ts': REDIS,
      'src/products.ts': CACHE_ASIDE,
      'src/admin.ts': js`
        import { redis } from './redis';

        export async function updateProduct(id: string, data: unknown) {
          await db.product.update({ where: { id }, data });
          await ${invalidation};
        }
      `,
    };
    assert.deepEqual(await flagged(CODE, files), [], invalidation);
  }
});

test('quiet when expire() follows the set in the same function', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/products.ts': js`
      import { redis } from './redis';

      export async function getProduct(id: string) {
        const cached = await redis.get(\`product:#{id}\`);
        if (cached) return JSON.parse(cached);
        const product = await loadProduct(id);
        await redis.set(\`product:#{id}\`, JSON.stringify(product));
        await redis.expire(\`product:#{id}\`, 300);
        return product;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when keys are listed by pattern (keys / scanStream match) for deletion', async () => {
  for (const listing of ["const keys = await redis.keys('product:*'); if (keys.length) await redis.del(...keys);", "redis.scanStream({ match: 'product:*' }).on('data', (keys: string[]) => redis.del(...keys));"]) {
    const files = {
      'src/redis.ts': REDIS,
      'src/products.ts': CACHE_ASIDE,
      'src/admin.ts': js`
        import { redis } from './redis';

        export async function flushProducts() {
          ${listing}
        }
      `,
    };
    assert.deepEqual(await flagged(CODE, files), [], listing);
  }
});

test('quiet when a delete helper (in a module that never names the library) is called with the key', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE,
    'src/invalidate.ts': js`
      import { redis } from './redis';

      export function invalidate(key: string) {
        return redis.del(key);
      }
    `,
    'src/admin.ts': js`
      import { invalidate } from './invalidate';

      export async function onProductSaved(id: string) {
        await invalidate(\`product:#{id}\`);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when Keyv delete, cache-manager del or node-cache del/take removes the key', async () => {
  const files = {
    'src/stores.ts': js`
      import Keyv from 'keyv';
      import NodeCache from 'node-cache';
      import { createCache } from 'cache-manager';

      const keyv = new Keyv();
      const local = new NodeCache();
      const manager = createCache();

      export async function save(id: string) {
        await keyv.set(\`a:#{id}\`, await compute(id));
        local.set(\`b:#{id}\`, await compute(id));
        local.set(\`c:#{id}\`, await compute(id));
        await manager.set(\`d:#{id}\`, await compute(id));
      }

      export async function drop(id: string) {
        await keyv.delete(\`a:#{id}\`);
        local.del(\`b:#{id}\`);
        local.take(\`c:#{id}\`);
        await manager.del(\`d:#{id}\`);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when another call site re-sets the key (write-through on update)', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE,
    'src/admin.ts': js`
      import { redis } from './redis';

      export async function updateProduct(id: string, data: unknown) {
        const product = await db.product.update({ where: { id }, data });
        await redis.set(\`product:#{id}\`, JSON.stringify(product), 'EX', 3600);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- quiet: Redis as a datastore, look-alikes ----

test('quiet on Redis used as a datastore: job status, state machines, counters, queues', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/jobs.ts': js`
      import { redis } from './redis';

      export async function startJob(id: string, payload: unknown) {
        await redis.set(\`job:#{id}:status\`, 'queued');
        await redis.set(\`job:#{id}:payload\`, JSON.stringify(payload));
        await redis.lpush('jobs', id);
        await redis.incr('jobs:started');
      }

      export async function claim(id: string) {
        const status = await redis.get(\`job:#{id}:status\`);
        if (status === 'queued') await redis.set(\`job:#{id}:status\`, 'running');
      }

      export async function init(id: string) {
        const status = await redis.get(\`job:#{id}:status\`);
        if (!status) await redis.set(\`job:#{id}:status\`, 'new');
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on lru-cache: it is bounded by max', async () => {
  const files = {
    'src/lru.ts': js`
      import { LRUCache } from 'lru-cache';

      const cache = new LRUCache<string, object>({ max: 500 });

      export async function remember(id: string) {
        cache.set(\`a:#{id}\`, await compute(id));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on look-alikes: Map.set, URLSearchParams.set, headers.set, localStorage.setItem, res.set', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/lookalikes.ts': js`
      import { redis } from './redis';

      const memo = new Map<string, unknown>();

      export async function handler(req: Request, res: any, id: string) {
        const hit = memo.get(\`product:#{id}\`);
        if (!hit) memo.set(\`product:#{id}\`, await loadProduct(id));
        const params = new URLSearchParams();
        params.set('page', String(req.url));
        const headers = new Headers();
        headers.set('Cache-Control', 'max-age=60');
        localStorage.setItem(\`draft:#{id}\`, JSON.stringify(await loadDraft(id)));
        res.set('Cache-Control', 'public, max-age=300');
        await redis.ping();
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on content-addressed and opaque keys', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/assets.ts': js`
      import { redis } from './redis';

      export async function render(hash: string, key: string) {
        const cached = await redis.get(\`render:#{hash}\`);
        if (cached) return cached;
        const html = await renderTemplate(hash);
        await redis.set(\`render:#{hash}\`, html);
        const other = await redis.get(key);
        if (!other) await redis.set(key, await compute(key));
        return html;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a noqa comment on the first line of the call silences it; skip-file silences the file', async () => {
  const suppressed = { 'src/redis.ts': REDIS, 'src/products.ts': CACHE_ASIDE.replace('JSON.stringify(product));', 'JSON.stringify(product)); // noqa: CACHE201') };
  assert.deepEqual(await flagged(CODE, suppressed), []);
  assert.deepEqual(await flagged('CACHE900', suppressed), []);
  const skipped = { 'src/redis.ts': REDIS, 'src/products.ts': `// cache-coach: skip-file\n${CACHE_ASIDE}` };
  assert.deepEqual(await findingsOf(skipped), []);
});

// ---- the fix ----

test('the ioredis fix adds "EX", <default-timeout> in the file\'s quotes; the result parses and is quiet', async () => {
  const files = { 'src/redis.ts': REDIS, 'src/products.ts': CACHE_ASIDE };
  const text = await assertTsFixIsClean(CODE, files, 'src/products.ts');
  assert.equal(text.split('\n')[6], "  await redis.set(`product:${id}`, JSON.stringify(product), 'EX', 300);");
  const doubleQuoted = { 'src/redis.ts': REDIS.replace(/'/g, '"'), 'src/products.ts': CACHE_ASIDE.replace("'./redis'", '"./redis"') };
  const fixedDouble = await assertTsFixIsClean(CODE, doubleQuoted, 'src/products.ts');
  assert.equal(fixedDouble.split('\n')[6], '  await redis.set(`product:${id}`, JSON.stringify(product), "EX", 300);');
  await assertFixesUnsafe(CODE, files);
});

test('the fix uses the configured default-timeout and the file\'s quotes', async () => {
  const files = { 'src/redis.ts': REDIS, 'src/products.ts': CACHE_ASIDE.replace('const cached = await redis.get(`product:${id}`);', "const cached = await redis.get('product:' + id);").replace('await redis.set(`product:${id}`,', "await redis.set('product:' + id,") };
  const text = await assertTsFixIsClean(CODE, files, 'src/products.ts', { config: { defaultTimeout: 120 } });
  assert.equal(text.split('\n')[6], "  await redis.set('product:' + id, JSON.stringify(product), 'EX', 120);");
});

test('the node-redis, cache-manager, Keyv and node-cache fixes use each library\'s own form', async () => {
  const files = {
    'package.json': JSON.stringify({ dependencies: { 'cache-manager': '^5.2.0' } }),
    'src/all.ts': js`
      import { createClient } from 'redis';
      import { caching } from 'cache-manager';
      import Keyv from 'keyv';
      import NodeCache from 'node-cache';

      const client = createClient();
      const manager = await caching('memory');
      const keyv = new Keyv();
      const local = new NodeCache();

      export async function all(id: string) {
        const e = await client.get(\`e:#{id}\`);
        if (!e) await client.set(\`e:#{id}\`, await compute(id));
        await manager.set(\`g:#{id}\`, await compute(id));
        await keyv.set(\`i:#{id}\`, await compute(id));
        local.set(\`j:#{id}\`, compute(id));
        local.set(\`k:#{id}\`, compute(id), 0);
      }
    `,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/all.ts');
  assert.deepEqual(text.split('\n').slice(12, 18), [
    '  if (!e) await client.set(`e:${id}`, await compute(id), { EX: 300 });',
    '  await manager.set(`g:${id}`, await compute(id), 300 * 1000);',
    '  await keyv.set(`i:${id}`, await compute(id), 300 * 1000);',
    '  local.set(`j:${id}`, compute(id), 300);',
    '  local.set(`k:${id}`, compute(id), 300);',
    '}',
  ]);
});

test('quiet on a value read from configuration only (process.env with a literal fallback): nothing to invalidate', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/host.ts': js`
      import { redis } from './redis';

      export async function publicHost() {
        const host = await redis.get('public-host');
        if (!host) await redis.set('public-host', process.env.PUBLIC_HOST || 'http://localhost:3000');
        return host;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a clearing function that nothing calls does not count as invalidation; once called (or an entry point) it does', async () => {
  const orgs = js`
    import { redis } from './redis';

    export const organizationsCache = async () => {
      const value = await redis.get('organizations');
      let organizations = value ? JSON.parse(value) : [];
      if (organizations.length === 0) {
        organizations = await db.organization.findMany();
        await redis.set('organizations', JSON.stringify(organizations));
      }
      return organizations;
    };

    export const clearOrganizationsCache = () => redis.set('organizations', '');
    export function forgetOrganizations() {
      return redis.del('organizations');
    }
  `;
  const files = {
    'src/redis.ts': REDIS,
    'src/orgs.ts': orgs,
    'src/hosts.ts': "import { organizationsCache } from './orgs';\nexport const isKnownHost = async (host: string) => (await organizationsCache()).some((org: { host: string }) => org.host === host);\n",
  };
  assert.deepEqual(await flagged(CODE, files), ['src/orgs.ts:8']);
  const called = { ...files, 'src/admin.ts': "import { forgetOrganizations } from './orgs';\nexport const onOrganizationCreated = () => forgetOrganizations();\n" };
  assert.deepEqual(await flagged(CODE, called), []);
  // A module nothing imports is an entry point (a route file): its exported functions are called by the framework.
  const entry = { 'src/redis.ts': REDIS, 'src/orgs.ts': orgs };
  assert.deepEqual(await flagged(CODE, entry), []);
});

// ---- cleared on some changes of the data, not on others ----

const PRODUCT_ADMIN = js`
  import { redis } from './redis';

  export async function updateProduct(id: string, data: unknown) {
    await db.product.update({ where: { id }, data });
    await redis.del(\`product:#{id}\`);
  }
`;

test('a copied row cleared by one update but not by another update of the same model is flagged, naming the update', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE,
    'src/admin.ts': PRODUCT_ADMIN,
    'src/pricing.ts': js`
      export async function reprice(id: string, price: number) {
        await db.product.update({ where: { id }, data: { price } });
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/products.ts:7']);
  const [finding] = (await findingsOf(files)).filter((found) => found.code === CODE);
  assert.match(finding.message, /not by `db\.product\.update` \(pricing\.ts:2\)/);
});

test('a write-through of a created row (no get before it) is flagged when a rename skips the delete; Mongoose models too', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/events.ts': js`
      import { redis } from './redis';

      export async function track(projectId: string, name: string) {
        const event = await prisma.event.create({ data: { projectId, name } });
        await redis.set(\`event:#{event.id}\`, JSON.stringify(event));
        return event;
      }

      export async function removeEvent(id: string) {
        await prisma.event.delete({ where: { id } });
        await redis.del(\`event:#{id}\`);
      }
    `,
    'src/templates.ts': js`
      export async function renameTemplateEvents(templateId: string, subject: string) {
        const events = await prisma.event.findMany({ where: { templateId } });
        await Promise.all(events.map((e) => prisma.event.update({ where: { id: e.id }, data: { name: subject } })));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/events.ts:5']);
  const mongoose = {
    'src/redis.ts': REDIS,
    'src/teams.ts': js`
      import { redis } from './redis';

      export async function team(id: string) {
        const hit = await redis.get(\`team:#{id}\`);
        if (hit) return JSON.parse(hit);
        const found = await Teams.findById(id).lean();
        await redis.set(\`team:#{id}\`, JSON.stringify(found));
        return found;
      }

      export async function renameTeam(id: string, name: string) {
        await Teams.updateOne({ _id: id }, { $set: { name } });
        await redis.del(\`team:#{id}\`);
      }

      export async function archiveTeam(id: string) {
        await Teams.findByIdAndUpdate(id, { archived: true });
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, mongoose), ['src/teams.ts:7']);
  const archiveClears = { ...mongoose, 'src/teams.ts': mongoose['src/teams.ts'].replace('{ archived: true });', '{ archived: true });\n  await redis.del(`team:${id}`);') };
  assert.deepEqual(await flagged(CODE, archiveClears), []);
});

const PERMISSIONS = js`
  import { redis } from './redis';

  export async function actionsOf(user: IUserDocument) {
    const key = \`user_actions:#{user._id}\`;
    const cached = await redis.get(key);
    if (cached) return JSON.parse(cached);
    const actions = await resolveActions(user.roleIds || [], user.extraPermissions || []);
    await redis.set(key, JSON.stringify(actions));
    return actions;
  }

  export async function clearActions(userId: string) {
    await redis.del(\`user_actions:#{userId}\`);
  }
`;

const ROLE_MUTATIONS = js`
  import { clearActions } from './permissions';

  export const mutations = {
    async userSetRoles(_root: unknown, { userId, roleIds }: { userId: string; roleIds: string[] }) {
      await models.Users.updateOne({ _id: userId }, { $set: { roleIds } });
      await clearActions(userId);
    },
  };
`;

test('a value computed from fields of an entity parameter is flagged when one writer of those fields skips the clearing helper', async () => {
  const files = {
    'src/redis.ts': REDIS,
    'src/permissions.ts': PERMISSIONS,
    'src/mutations.ts': ROLE_MUTATIONS,
    'src/queries.ts': js`
      export const queries = {
        async currentPermissions(_root: unknown, _args: unknown, { user }: { user: IUserDocument }) {
          if ((user.roleIds || []).length === 0) {
            await models.Users.updateOne({ _id: user._id }, { $set: { roleIds: ['viewer'] } });
          }
          return user.roleIds;
        },
      };
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/permissions.ts:8']);
  const [finding] = (await findingsOf(files)).filter((found) => found.code === CODE);
  assert.match(finding.message, /cleared on some changes of user\.roleIds, user\.extraPermissions, but not by `models\.Users\.updateOne` \(queries\.ts:4\)/);
});

test('quiet when every update of the copied data clears the key: directly, through a clearing or re-setting helper, or in the function calling it', async () => {
  const service = js`
    export async function setPrice(id: string, price: number) {
      await db.product.update({ where: { id }, data: { price } });
    }
  `;
  const files = {
    'src/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE,
    'src/admin.ts': PRODUCT_ADMIN,
    'src/service.ts': service,
    'src/controller.ts': js`
      import { redis } from './redis';
      import { setPrice } from './service';

      export async function priceHandler(req: { params: { id: string }; body: { price: number } }) {
        await setPrice(req.params.id, req.body.price);
        await redis.del(\`product:#{req.params.id}\`);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
  const rewritten = {
    'src/redis.ts': REDIS,
    'src/products.ts': CACHE_ASIDE,
    'src/admin.ts': PRODUCT_ADMIN,
    'src/pricing.ts': js`
      import { redis } from './redis';

      async function remember(product: { id: string }) {
        await redis.set(\`product:#{product.id}\`, JSON.stringify(product));
      }

      export async function reprice(id: string, price: number) {
        const product = await db.product.update({ where: { id }, data: { price } });
        await remember(product);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, rewritten), []);
  const permissions = { 'src/redis.ts': REDIS, 'src/permissions.ts': PERMISSIONS, 'src/mutations.ts': ROLE_MUTATIONS };
  assert.deepEqual(await flagged(CODE, permissions), []);
});

test('quiet when the uncleared write is elsewhere: another model, another field of the entity, a test, a migration or a seed', async () => {
  const base = { 'src/redis.ts': REDIS, 'src/permissions.ts': PERMISSIONS, 'src/mutations.ts': ROLE_MUTATIONS };
  const writers = {
    'src/login.ts': 'export async function touch(id: string) { await models.Users.updateOne({ _id: id }, { $set: { lastLoginAt: new Date() } }); }\n',
    'src/orders.ts': 'export async function tag(id: string, roleIds: string[]) { await models.Orders.updateOne({ _id: id }, { $set: { roleIds } }); }\n',
    'src/permissions.test.ts': "export async function reset() { await models.Users.updateMany({}, { $set: { roleIds: [] } }); }\n",
    'src/migrations/002-roles.ts': "export async function up() { await models.Users.updateMany({}, { $set: { roleIds: ['member'] } }); }\n",
    'prisma/seed.ts': "export async function seed() { await models.Users.updateOne({ _id: 'admin' }, { $set: { roleIds: ['admin'] } }); }\n",
  };
  for (const [path, text] of Object.entries(writers)) assert.deepEqual(await flagged(CODE, { ...base, [path]: text }), [], path);
  const products = { 'src/redis.ts': REDIS, 'src/products.ts': CACHE_ASIDE, 'src/admin.ts': PRODUCT_ADMIN };
  assert.deepEqual(await flagged(CODE, { ...products, 'src/orders.ts': 'export const ship = (id: string) => db.order.update({ where: { id }, data: { shipped: true } });\n' }), []);
});

test('quiet when the delete runs in a data hook or event listener, or the uncleared write announces an event', async () => {
  const products = { 'src/redis.ts': REDIS, 'src/products.ts': CACHE_ASIDE };
  const reprice = 'export async function reprice(id: string, price: number) {\n  await db.product.update({ where: { id }, data: { price } });\n}\n';
  const hooks = {
    'src/hooks.ts': js`
      import { redis } from './redis';

      productSchema.post('updateOne', async function (doc: { id: string }) {
        await redis.del(\`product:#{doc.id}\`);
      });
    `,
    'src/listener.ts': js`
      import { redis } from './redis';

      export class ProductCacheListener {
        @OnEvent('product.updated')
        async forget(payload: { id: string }) {
          await redis.del(\`product:#{payload.id}\`);
        }
      }
    `,
  };
  for (const [path, text] of Object.entries(hooks)) assert.deepEqual(await flagged(CODE, { ...products, 'src/admin.ts': PRODUCT_ADMIN, 'src/pricing.ts': reprice, [path]: text }), [], path);
  const emitting = 'export async function reprice(id: string, price: number) {\n  await db.product.update({ where: { id }, data: { price } });\n  events.emit(\'product.updated\', { id });\n}\n';
  assert.deepEqual(await flagged(CODE, { ...products, 'src/admin.ts': PRODUCT_ADMIN, 'src/pricing.ts': emitting }), []);
});
