import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { assertFixesUnsafe, assertTsFixIsClean, js } from './ts-support.js';

const CODE = 'CACHE203';

const packageJson = (range: string): string => JSON.stringify({ name: 'api', dependencies: { 'cache-manager': range } }, null, 2);

// ---- flagged: seconds where milliseconds are expected ----

test('lru-cache ttl under 1000 (constructor and set option) is flagged; the span is the TTL', async () => {
  const files = {
    'src/lru.ts': js`
      import { LRUCache } from 'lru-cache';

      const products = new LRUCache<string, object>({ max: 500, ttl: 60 });

      export function remember(id: string, product: object) {
        products.set(id, product, { ttl: 30 });
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/lru.ts:3', 'src/lru.ts:6']);
  assert.deepEqual(await spans(CODE, files), ['60', '30']);
});

test('Keyv ttl under 1000 (constructor and set) is flagged', async () => {
  const files = {
    'src/keyv.js': js`
      const Keyv = require('keyv');

      const sessions = new Keyv('redis://localhost', { ttl: 300 });

      async function touch(id, session) {
        await sessions.set(id, session, 60);
      }
      module.exports = { touch };
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/keyv.js:3', 'src/keyv.js:6']);
});

test('cache-manager v5 (from package.json): a ttl under 1000 in caching(), set() and wrap() is flagged', async () => {
  const files = {
    'services/api/package.json': packageJson('^5.2.3'),
    'services/api/src/cache.ts': js`
      import { caching } from 'cache-manager';

      export const cache = await caching('memory', { max: 100, ttl: 600 });

      export async function category(slug: string) {
        await cache.set(\`category:#{slug}\`, await load(slug), 120);
        return cache.wrap(\`tree:#{slug}\`, () => load(slug), 60);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['services/api/src/cache.ts:3', 'services/api/src/cache.ts:6', 'services/api/src/cache.ts:7']);
});

test('cache-manager createCache (v6 and later) is taken as milliseconds without a package.json', async () => {
  const files = {
    'src/cache.ts': js`
      import { createCache } from 'cache-manager';

      export const cache = createCache({ ttl: 60 });
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/cache.ts:3']);
});

test('a small TTL held in a constant (imported) is flagged at its use; a name in seconds is flagged whatever its value', async () => {
  const files = {
    'src/config.ts': js`
      export const CACHE_TTL = 5 * 60;
      export const TTL_SECONDS = readTtlFromEnv();
    `,
    'src/lru.ts': js`
      import { LRUCache } from 'lru-cache';
      import { CACHE_TTL, TTL_SECONDS } from './config';

      export const a = new LRUCache({ max: 10, ttl: CACHE_TTL });
      export const b = new LRUCache({ max: 10, ttl: TTL_SECONDS });
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/lru.ts:4', 'src/lru.ts:5']);
  assert.deepEqual(await spans(CODE, files), ['CACHE_TTL', 'TTL_SECONDS']);
});

// ---- flagged: milliseconds where seconds are expected ----

test('Redis EX with a * 1000 factor is flagged (ioredis and node-redis)', async () => {
  const files = {
    'src/redis.ts': js`
      import Redis from 'ioredis';
      import { createClient } from 'redis';

      const redis = new Redis();
      const client = createClient();

      export async function store(key: string, value: string) {
        await redis.set(key, value, 'EX', 5 * 60 * 1000);
        await client.set(key, value, { EX: 1000 * 60 });
        await redis.setex(key, 60 * 1000, value);
        await redis.expire(key, 60 * 1000);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/redis.ts:8', 'src/redis.ts:9', 'src/redis.ts:10', 'src/redis.ts:11']);
  const [finding] = (await findingsOf(files)).filter((item) => item.code === CODE);
  assert.match(finding.message, /ioredis takes `EX` in seconds, but `5 \* 60 \* 1000` multiplies by 1000, which reads as milliseconds \(as seconds, 300000 is 3\.5 days\)/);
});

test('node-cache stdTTL and set ttl in milliseconds (factor, name, a large round number) are flagged', async () => {
  const files = {
    'src/local.js': js`
      const NodeCache = require('node-cache');

      const TTL_MS = 10 * 60 * 1000;
      const cache = new NodeCache({ stdTTL: 60 * 1000 });

      function put(key, value, ttlMs) {
        cache.set(key, value, TTL_MS);
        cache.set(key, value, ttlMs);
        cache.set(key, value, 86400000);
      }
      module.exports = { put };
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/local.js:4', 'src/local.js:7', 'src/local.js:8', 'src/local.js:9']);
});

test('cache-manager v4 (seconds): a * 1000 TTL is flagged', async () => {
  const files = {
    'package.json': packageJson('~4.1.0'),
    'src/cache.js': js`
      const cacheManager = require('cache-manager');

      const cache = cacheManager.caching({ store: 'memory', max: 100, ttl: 10 * 1000 });
      module.exports = cache;
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/cache.js:3']);
});

// ---- quiet ----

test('quiet on TTLs in the right unit', async () => {
  const files = {
    'package.json': packageJson('^5.0.0'),
    'src/ok.ts': js`
      import Redis from 'ioredis';
      import { LRUCache } from 'lru-cache';
      import Keyv from 'keyv';
      import NodeCache from 'node-cache';
      import { caching } from 'cache-manager';

      const redis = new Redis();
      const lru = new LRUCache({ max: 10, ttl: 1000 * 60 * 5 });
      const keyv = new Keyv({ ttl: 60_000 });
      const local = new NodeCache({ stdTTL: 600 });
      const manager = await caching('memory', { ttl: 10 * 60 * 1000 });
      const ONE_DAY = 24 * 60 * 60;

      export async function ok(key: string, value: string, ttlMs: number) {
        await redis.set(key, value, 'EX', 3600);
        await redis.set(key, value, 'EX', ONE_DAY);
        await redis.set(key, value, 'EX', 2592000);
        await redis.set(key, value, 'PX', 60_000);
        await redis.set(key, value, 'PX', ttlMs);
        await keyv.set(key, value, 0);
        lru.set(key, value, { ttl: 1500 });
        local.set(key, value, 60);
        await manager.set(key, value, 30_000);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on cache-manager when its version is unknown, and seconds on v4', async () => {
  const unknown = {
    'src/cache.ts': js`
      import { caching } from 'cache-manager';

      export const cache = await caching('memory', { ttl: 60 });
      export const store = (key: string, value: string) => cache.set(key, value, 30);
    `,
  };
  assert.deepEqual(await flagged(CODE, unknown), []);
  assert.deepEqual(await flagged(CODE, { ...unknown, 'package.json': packageJson('latest') }), []);
  assert.deepEqual(await flagged(CODE, { ...unknown, 'package.json': packageJson('>=4') }), []);
  assert.deepEqual(await flagged(CODE, { ...unknown, 'package.json': packageJson('^4.1.0') }), []);
});

test('the nearest package.json listing cache-manager decides', async () => {
  const files = {
    'package.json': packageJson('^4.0.0'),
    'services/api/package.json': packageJson('^5.0.0'),
    'services/api/src/cache.ts': js`
      import { caching } from 'cache-manager';

      export const cache = await caching('memory', { ttl: 60 });
    `,
    'services/legacy/src/cache.ts': js`
      import { caching } from 'cache-manager';

      export const cache = await caching('memory', { ttl: 60 });
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['services/api/src/cache.ts:3']);
});

test('quiet on look-alikes: setTimeout, cookies, headers, res.set, Map.set and untraced objects', async () => {
  const files = {
    'src/lookalikes.ts': js`
      import Redis from 'ioredis';

      const redis = new Redis();
      const memo = new Map<string, number>();

      export function handler(req: any, res: any, options: { ttl: number }) {
        setTimeout(() => redis.ping(), 60);
        res.cookie('session', 'x', { maxAge: 60 });
        res.set('Cache-Control', 'max-age=60');
        memo.set('ttl', 60);
        const other = { set: (key: string, value: string, mode: string, ttl: number) => [key, value, mode, ttl] };
        other.set('k', 'v', 'EX', 60 * 1000);
        options.ttl = 60;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- fixes ----

test('the milliseconds fix multiplies by 1000; the result parses and is quiet', async () => {
  const files = {
    'src/lru.ts': js`
      import { LRUCache } from 'lru-cache';
      import Keyv from 'keyv';

      const TTL = 60;
      export const products = new LRUCache<string, object>({ max: 500, ttl: 60 });
      export const keyv = new Keyv({ ttl: TTL });
      export const other = new LRUCache<string, object>({ max: 5, ttl: 60 + 30 });
    `,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/lru.ts');
  assert.deepEqual(text.split('\n').slice(4, 7), [
    'export const products = new LRUCache<string, object>({ max: 500, ttl: 60 * 1000 });',
    'export const keyv = new Keyv({ ttl: TTL * 1000 });',
    'export const other = new LRUCache<string, object>({ max: 5, ttl: (60 + 30) * 1000 });',
  ]);
  await assertFixesUnsafe(CODE, files);
});

test('the seconds fix switches Redis to PX / psetex / pexpire, or drops the * 1000 factor', async () => {
  const files = {
    'src/store.ts': js`
      import Redis from 'ioredis';
      import { createClient } from 'redis';
      import NodeCache from 'node-cache';

      const redis = new Redis();
      const client = createClient();
      const local = new NodeCache({ stdTTL: 60 * 1000 });

      export async function store(key: string, value: string, ttlMs: number) {
        await redis.set(key, value, 'ex', 60 * 1000);
        await client.set(key, value, { EX: 60 * 1000 });
        await client.setEx(key, 60 * 1000, value);
        await redis.expire(key, 60 * 1000);
        local.set(key, value, ttlMs);
      }
    `,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/store.ts');
  assert.deepEqual(text.split('\n').slice(6, 14), [
    'const local = new NodeCache({ stdTTL: 60 });',
    '',
    'export async function store(key: string, value: string, ttlMs: number) {',
    "  await redis.set(key, value, 'px', 60 * 1000);",
    '  await client.set(key, value, { PX: 60 * 1000 });',
    '  await client.pSetEx(key, 60 * 1000, value);',
    '  await redis.pexpire(key, 60 * 1000);',
    '  local.set(key, value, ttlMs / 1000);',
  ]);
});
