import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { js } from './ts-support.js';

const CODE = 'CACHE203';

const messages = async (files: Record<string, string>): Promise<string[]> => (await findingsOf(files)).filter((finding) => finding.code === CODE).map((finding) => finding.message);

// A project's own cache helper over ioredis: the TTL reaches `EX` through a parameter.
const remember = js`
  import Redis from 'ioredis';
  import { HOUR_MS } from './durations';

  export const redis = new Redis(process.env.REDIS_URL);

  export async function remember<T>(key: string, load: () => Promise<T>, ttl = HOUR_MS): Promise<T> {
    const cached = await redis.get(key);
    if (cached) return JSON.parse(cached);
    const fresh = await load();
    await redis.set(key, JSON.stringify(fresh), 'EX', ttl);
    return fresh;
  }
`;

test('a wrapper default parameter in milliseconds reaching EX is flagged where it is written, naming the library call', async () => {
  const files = {
    'src/durations.ts': js`
      export const HOUR_MS = 60 * 60 * 1000;
      export const ONE_DAY = 24 * 60 * 60;
    `,
    'src/cache.ts': remember,
    'src/products.ts': js`
      import { remember } from './cache';
      import { ONE_DAY } from './durations';

      export const product = (id: string) => remember('product:' + id, () => db.product.find(id));
      export const catalogue = () => remember('catalogue', () => db.product.all(), ONE_DAY);
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/cache.ts:6']);
  assert.deepEqual(await spans(CODE, files), ['HOUR_MS']);
  const [message] = await messages(files);
  assert.match(message, /ioredis takes `EX` in seconds, but `HOUR_MS` is named in milliseconds/);
  assert.match(message, /reaches `redis\.set\(\)` at src\/cache\.ts:10 through the default of `ttl`/);
});

test('a wrapper called with milliseconds is flagged at the call site; callers passing seconds stay quiet', async () => {
  const files = {
    'src/durations.ts': js`
      export const HOUR_MS = 3600;
      export const FIVE_MINUTES_MS = 5 * 60 * 1000;
      export const TEN_MINUTES = 600;
    `,
    'src/cache.ts': remember,
    'src/reports.ts': js`
      import { remember } from './cache';
      import { FIVE_MINUTES_MS, TEN_MINUTES } from './durations';

      export async function report(id: string) {
        return remember('report:' + id, () => build(id), FIVE_MINUTES_MS);
      }
      export async function summary(id: string) {
        return remember('summary:' + id, () => summarise(id), TEN_MINUTES);
      }
    `,
  };
  // HOUR_MS is named in milliseconds (its value notwithstanding), so the default is flagged too.
  assert.deepEqual(await flagged(CODE, files), ['src/cache.ts:6', 'src/reports.ts:5']);
  assert.deepEqual(await spans(CODE, files), ['HOUR_MS', 'FIVE_MINUTES_MS']);
});

test('a conversion that turns seconds into minutes on the way to EX is flagged at the conversion', async () => {
  const files = {
    'src/redis.ts': js`
      import Redis from 'ioredis';

      const redis = new Redis();
      export const ONE_MINUTE = 60;
      export const DEFAULT_EXPIRY = ONE_MINUTE / 60;
      export const ONE_HOUR_OF_SECONDS = (24 * ONE_MINUTE * 60) / 24;

      export async function put(key: string, value: string, seconds = DEFAULT_EXPIRY) {
        await redis.set(key, value, 'EX', seconds);
      }
      export async function putLong(key: string, value: string, seconds = ONE_HOUR_OF_SECONDS) {
        await redis.set(key, value, 'EX', seconds);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/redis.ts:5']);
  assert.deepEqual(await spans(CODE, files), ['ONE_MINUTE / 60']);
  const [message] = await messages(files);
  assert.match(message, /`ONE_MINUTE \/ 60` divides seconds by 60, which gives 1 \(minutes\)/);
});

test('a method of a wrapper class injected into a service is followed to its call sites', async () => {
  const files = {
    'src/cache.service.ts': js`
      import { Injectable } from '@nestjs/common';
      import Redis from 'ioredis';

      @Injectable()
      export class CacheService {
        private readonly client = new Redis(process.env.REDIS_URL!);

        async putFor(key: string, value: unknown, seconds: number) {
          await this.client.setex(key, seconds, JSON.stringify(value));
        }

        async put(key: string, value: unknown, ttl: number) {
          await this.client.set(key, JSON.stringify(value), 'PX', ttl);
        }
      }
    `,
    'src/users.service.ts': js`
      import { Injectable } from '@nestjs/common';
      import { CacheService } from './cache.service';

      const PROFILE_TTL_MS = 10 * 60 * 1000;
      const FIVE_MINUTES = 5 * 60;

      @Injectable()
      export class UsersService {
        constructor(private readonly cache: CacheService) {}

        async remember(id: string, profile: object) {
          await this.cache.putFor('profile:' + id, profile, PROFILE_TTL_MS);
          await this.cache.put('avatar:' + id, profile, FIVE_MINUTES);
          await this.cache.putFor('settings:' + id, profile, FIVE_MINUTES);
          await this.cache.put('badges:' + id, profile, PROFILE_TTL_MS);
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/users.service.ts:12', 'src/users.service.ts:13']);
  assert.deepEqual(await spans(CODE, files), ['PROFILE_TTL_MS', 'FIVE_MINUTES']);
});

test('a wrapper that converts (ttl / 1000 for EX) expects milliseconds from its callers', async () => {
  const files = {
    'src/cache.js': js`
      const Redis = require('ioredis');
      const redis = new Redis();
      const ONE_HOUR = 60 * 60;

      async function setCached(key, value, ttl) {
        await redis.set(key, JSON.stringify(value), 'EX', Math.floor(ttl / 1000));
      }

      async function refresh(id, value) {
        await setCached('a:' + id, value, ONE_HOUR);
        await setCached('b:' + id, value, ONE_HOUR * 1000);
      }
      module.exports = { setCached, refresh };
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/cache.js:10']);
  assert.deepEqual(await spans(CODE, files), ['ONE_HOUR']);
});

test('quiet on correct conversions: minutes * 60 for EX, seconds * 1000 for PX, a duration divided into a shorter one', async () => {
  const files = {
    'src/cache.ts': js`
      import Redis from 'ioredis';
      import { LRUCache } from 'lru-cache';

      const redis = new Redis();
      const ONE_DAY = 86_400;
      const CACHE_MINUTES = 15;
      const ttlSeconds = 300;

      export const recent = new LRUCache<string, string>({ max: 100, ttl: ttlSeconds * 1000 });

      export async function store(key: string, value: string, minutes = CACHE_MINUTES) {
        await redis.set(key, value, 'EX', minutes * 60);
        await redis.set(key, value, 'PX', ttlSeconds * 1000);
        await redis.set(key, value, 'EX', ONE_DAY / 24);
        await redis.setex(key, ONE_DAY * 7, value);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('call sites in tests are not followed', async () => {
  const files = {
    'src/durations.ts': 'export const HOUR_MS = 3_600_000;\n',
    'src/cache.ts': remember.replace('ttl = HOUR_MS', 'ttl = 3600'),
    'src/cache.test.ts': js`
      import { remember } from './cache';
      import { HOUR_MS } from './durations';

      test('expires', () => remember('k', async () => 1, HOUR_MS));
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- cache-manager's unit from the workspace: @nestjs/cache-manager, sibling packages ----

const nestService = js`
  import { Inject, Injectable } from '@nestjs/common';
  import { CACHE_MANAGER } from '@nestjs/cache-manager';
  import type { Cache } from 'cache-manager';

  @Injectable()
  export class SettingsMiddleware {
    constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}

    async remember(tenantId: string, settings: object) {
      const ttl = 5 * 60; // five minutes
      await this.cacheManager.set('settings:' + tenantId, settings, ttl);
    }
  }
`;

test('@nestjs/cache-manager 2 or 3 alone implies milliseconds (cache-manager 5 and later)', async () => {
  for (const range of ['^2.1.0', '^3.0.1']) {
    const files = {
      'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { '@nestjs/cache-manager': range } }),
      'apps/api/src/settings.middleware.ts': nestService,
    };
    assert.deepEqual(await flagged(CODE, files), ['apps/api/src/settings.middleware.ts:11'], range);
  }
});

test('a workspace package without cache-manager takes the major its sibling packages agree on', async () => {
  const files = {
    'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['packages/*'] }),
    'packages/core/package.json': JSON.stringify({ name: '@acme/core', dependencies: { 'cache-manager': '^6.4.2', '@nestjs/cache-manager': '^3.1.3' } }),
    'packages/plugin/package.json': JSON.stringify({ name: '@acme/plugin', dependencies: { '@acme/core': 'workspace:*' } }),
    'packages/plugin/src/settings.middleware.ts': nestService,
  };
  assert.deepEqual(await flagged(CODE, files), ['packages/plugin/src/settings.middleware.ts:11']);
});

test('quiet when sibling packages disagree on the major, and on cache-manager 4 (seconds) for a TTL in seconds', async () => {
  const disagree = {
    'packages/old/package.json': JSON.stringify({ name: 'old', dependencies: { 'cache-manager': '^4.1.0' } }),
    'packages/new/package.json': JSON.stringify({ name: 'new', dependencies: { 'cache-manager': '^5.2.0' } }),
    'packages/plugin/package.json': JSON.stringify({ name: 'plugin' }),
    'packages/plugin/src/settings.middleware.ts': nestService,
  };
  assert.deepEqual(await flagged(CODE, disagree), []);
  const v4 = {
    'package.json': JSON.stringify({ name: 'api', dependencies: { 'cache-manager': '^4.1.0', '@nestjs/cache-manager': '^1.0.0' } }),
    'src/settings.middleware.ts': nestService,
  };
  assert.deepEqual(await flagged(CODE, v4), []);
  const v4Milliseconds = { ...v4, 'src/settings.middleware.ts': nestService.replace('5 * 60;', '5 * 60 * 1000;') };
  assert.deepEqual(await flagged(CODE, v4Milliseconds), ['src/settings.middleware.ts:10']);
});

// ---- reach: workspace packages by name, tsconfig `paths` aliases ----

test('a TTL crosses a tsconfig `paths` alias and a workspace package import to reach the library call', async () => {
  const monorepo = (ttl: string): Record<string, string> => ({
    'package.json': JSON.stringify({ name: 'acme', private: true, workspaces: ['packages/*', 'apps/*'] }),
    'packages/cache/package.json': JSON.stringify({ name: '@acme/cache', main: 'dist/index.js', dependencies: { ioredis: '^5.4.0' } }),
    'packages/cache/src/index.ts': remember.replace("import { HOUR_MS } from './durations';\n", '').replace('ttl = HOUR_MS', 'ttl = 60'),
    'apps/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@acme/cache': 'workspace:*' } }),
    'apps/api/tsconfig.json': '{\n  // aliases for the app\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] }, },\n}\n',
    'apps/api/src/config/ttl.ts': `export const PRICES_TTL = ${ttl};\n`,
    'apps/api/src/prices.ts': js`
      import { remember } from '@acme/cache';
      import { PRICES_TTL } from '@/config/ttl';

      export const prices = () => remember('prices', () => fetchPrices(), PRICES_TTL);
    `,
  });
  assert.deepEqual(await flagged(CODE, monorepo('15 * 60 * 1000')), ['apps/api/src/prices.ts:4']);
  assert.deepEqual(await flagged(CODE, monorepo('15 * 60')), []);
});

test('a constant defined in a file that never touches the cache is reported at its use, naming where it is defined', async () => {
  const files = {
    'src/config/ttl.ts': 'export const PRICES_TTL = 15 * 60 * 1000;\n',
    'src/prices.ts': js`
      import Redis from 'ioredis';
      import { PRICES_TTL } from './config/ttl';

      const redis = new Redis();
      export const save = (body: string) => redis.set('prices', body, 'EX', PRICES_TTL);
    `,
  };
  const [message] = await messages(files);
  assert.match(message, /`15 \* 60 \* 1000` multiplies by 1000, which reads as milliseconds .*\(`PRICES_TTL` is defined in src\/config\/ttl\.ts\)/);
});

test('node-redis 3 promisified (setexAsync) takes seconds; a parameter named in milliseconds reaching it is flagged', async () => {
  const files = {
    'src/signers.ts': js`
      import * as redis from 'redis';
      import { promisifyAll } from 'bluebird';
      promisifyAll(redis.RedisClient.prototype);

      const client = redis.createClient(process.env.REDIS_URL);

      export async function saveSigners(key: string, signers: string[], ttlMsec: number) {
        await client.setexAsync(key, ttlMsec, JSON.stringify(signers));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/signers.ts:8']);
  assert.deepEqual(await spans(CODE, files), ['ttlMsec']);
  // The v3 client declared by its type (`RedisClient`) and handed in.
  const injected = {
    'src/store.ts': js`
      import { RedisClient } from 'redis';

      export class RedisSignerStore {
        constructor(private cli: RedisClient) {}
        async save(key: string, signers: string[], ttlMsec: number) {
          await this.cli.setexAsync(key, ttlMsec, signers.join(','));
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, injected), ['src/store.ts:6']);
});

test('quiet on short millisecond TTLs that are not round seconds: a placeholder of 1, a 100 ms lock window through a helper', async () => {
  const files = {
    'src/lock.ts': js`
      import Redis from 'ioredis';
      import { LRUCache } from 'lru-cache';

      const redis = new Redis();
      export const entries = new LRUCache<string, object>({ max: 1000, ttl: 1 });

      export async function getLock(key: string, value: string, timeout: number) {
        return (await redis.set(key, value, 'PX', timeout, 'NX')) === 'OK';
      }
      export const dedupe = (hash: string) => getLock('dedupe:' + hash, '1', 100);
      export const slow = (hash: string) => getLock('slow:' + hash, '1', 60);
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/lock.ts:11']);
});

// ---- NestJS: @CacheTTL and CacheModule.register take cache-manager's unit ----

const nestApp = (ttls: { module: string; factory: string; decorator: string }): string => js`
  import { Controller, Get, Module } from '@nestjs/common';
  import { CacheModule, CacheTTL } from '@nestjs/cache-manager';

  @Controller('catalogue')
  export class CatalogueController {
    @Get()
    @CacheTTL(${ttls.decorator})
    list() {
      return listProducts();
    }
  }

  @Module({
    imports: [
      CacheModule.register({ ttl: ${ttls.module}, max: 100 }),
      CacheModule.registerAsync({ useFactory: () => ({ ttl: ${ttls.factory} }) }),
    ],
    controllers: [CatalogueController],
  })
  export class CatalogueModule {}
`;

test('NestJS @CacheTTL and CacheModule.register/registerAsync ttl in seconds are flagged on cache-manager 5 and later', async () => {
  const files = {
    'package.json': JSON.stringify({ name: 'shop', dependencies: { '@nestjs/cache-manager': '^2.2.0', 'cache-manager': '^5.7.0' } }),
    'src/catalogue.module.ts': nestApp({ decorator: '60', module: '300', factory: '5 * 60' }),
  };
  assert.deepEqual(await flagged(CODE, files), ['src/catalogue.module.ts:7', 'src/catalogue.module.ts:15', 'src/catalogue.module.ts:16']);
  const right = { ...files, 'src/catalogue.module.ts': nestApp({ decorator: '60_000', module: '300 * 1000', factory: '5 * 60 * 1000' }) };
  assert.deepEqual(await flagged(CODE, right), []);
});

test('NestJS on cache-manager 4 takes seconds: milliseconds there are flagged, seconds are quiet', async () => {
  const v4 = { 'package.json': JSON.stringify({ name: 'shop', dependencies: { '@nestjs/cache-manager': '^1.0.0', 'cache-manager': '^4.1.0' } }) };
  assert.deepEqual(await flagged(CODE, { ...v4, 'src/catalogue.module.ts': nestApp({ decorator: '60', module: '300', factory: '5 * 60' }) }), []);
  assert.deepEqual(await flagged(CODE, { ...v4, 'src/catalogue.module.ts': nestApp({ decorator: '60', module: '300 * 1000', factory: '5 * 60' }) }), ['src/catalogue.module.ts:15']);
});
