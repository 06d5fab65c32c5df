import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagged } from '../../helpers/engine.js';
import { js } from './ts-support.js';

const CODE = 'CACHE201';

/** A NestJS service wrapping ioredis: the TTL is the caller's, when it passes one. */
const REDIS_CACHE_SERVICE = js`
  import { Injectable } from '@nestjs/common';
  import Redis from 'ioredis';

  @Injectable()
  export class RedisCacheService {
    private readonly client = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');

    public async get(key: string): Promise<string | null> {
      return this.client.get(key);
    }

    public async set(key: string, value: string, ttlSeconds?: number) {
      if (ttlSeconds) return this.client.set(key, value, 'EX', ttlSeconds);
      return this.client.set(key, value);
    }

    public async remove(key: string) {
      return this.client.del(key);
    }
  }
`;

function portfolioService(setArguments: string): string {
  return js`
    import { Injectable } from '@nestjs/common';
    import { RedisCacheService } from '../redis-cache/redis-cache.service';

    @Injectable()
    export class PortfolioService {
      public constructor(private readonly redisCacheService: RedisCacheService) {}

      public async getDetails(userId: string) {
        const cached = await this.redisCacheService.get(\`portfolio:#{userId}\`);
        if (cached) return JSON.parse(cached);
        const details = await this.computeDetails(userId);
        await this.redisCacheService.set(${setArguments});
        return details;
      }
    }
  `;
}

test('a NestJS wrapper service injected by constructor: a set through it with no TTL, never removed, is flagged', async () => {
  const files = {
    'src/redis-cache/redis-cache.service.ts': REDIS_CACHE_SERVICE,
    'src/portfolio/portfolio.service.ts': portfolioService('`portfolio:#{userId}`, JSON.stringify(details)'),
  };
  assert.deepEqual(await flagged(CODE, files), ['src/portfolio/portfolio.service.ts:12']);
});

test('quiet when the caller passes the wrapper a TTL', async () => {
  const files = {
    'src/redis-cache/redis-cache.service.ts': REDIS_CACHE_SERVICE,
    'src/portfolio/portfolio.service.ts': portfolioService('`portfolio:#{userId}`, JSON.stringify(details), 3600'),
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the key is removed through the wrapper elsewhere', async () => {
  const files = {
    'src/redis-cache/redis-cache.service.ts': REDIS_CACHE_SERVICE,
    'src/portfolio/portfolio.service.ts': portfolioService('`portfolio:#{userId}`, JSON.stringify(details)'),
    'src/orders/orders.service.ts': js`
      import { RedisCacheService } from '../redis-cache/redis-cache.service';

      export class OrdersService {
        public constructor(private readonly redisCacheService: RedisCacheService) {}

        public async createOrder(userId: string, order: unknown) {
          await this.db.order.create({ data: order });
          await this.redisCacheService.remove(\`portfolio:#{userId}\`);
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the wrapper gives a default TTL itself, or its client has one', async () => {
  const files = {
    'src/redis-cache/redis-cache.service.ts': js`
      import Redis from 'ioredis';

      export class RedisCacheService {
        private readonly client = new Redis();

        public async get(key: string) {
          return this.client.get(key);
        }

        public async set(key: string, value: string, ttlSeconds = 300) {
          return this.client.set(key, value, 'EX', ttlSeconds);
        }
      }
    `,
    'src/portfolio/portfolio.service.ts': portfolioService('`portfolio:#{userId}`, JSON.stringify(details)'),
    'src/lib/cache.ts': js`
      import Keyv from 'keyv';

      const store = new Keyv({ ttl: 60_000 });

      export const cache = {
        get: (key: string) => store.get(key),
        set: (key: string, value: unknown) => store.set(key, value),
      };
    `,
    'src/lib/links.ts': js`
      import { cache } from './cache';

      export async function linkPreview(url: string) {
        await cache.set(\`preview:#{url}\`, await fetchPreview(url));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('an object of functions forwarding to a client with no default TTL is a wrapper too', async () => {
  const files = {
    'src/lib/cache.ts': js`
      import Keyv from 'keyv';

      const store = new Keyv();

      export const cache = {
        get: (key: string) => store.get(key),
        set: (key: string, value: unknown) => store.set(key, value),
      };
    `,
    'src/lib/links.ts': js`
      import { cache } from './cache';

      export async function linkPreview(url: string) {
        await cache.set(\`preview:#{url}\`, await fetchPreview(url));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/lib/links.ts:4']);
});

test('a method that does not forward its key parameter to the client is not a cache wrapper', async () => {
  const files = {
    'src/redis-cache/redis-cache.service.ts': js`
      import Redis from 'ioredis';

      export class RedisCacheService {
        private readonly client = new Redis();

        public async get(key: string) {
          return this.client.get(key);
        }

        public async set(name: string, value: string) {
          await this.audit(name);
          return this.client.set('last-report', value);
        }
      }
    `,
    'src/portfolio/portfolio.service.ts': portfolioService('`portfolio:#{userId}`, JSON.stringify(details)'),
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a wrapper instance made with `new` and imported, or a module of wrapper functions, is followed', async () => {
  const files = {
    'src/lib/cache-service.ts': js`
      import Keyv from 'keyv';

      class CacheService {
        private readonly store = new Keyv();

        async put(key: string, value: unknown, ttlMs?: number) {
          await this.store.set(key, value, ttlMs);
        }
      }

      export const cacheService = new CacheService();
    `,
    'src/lib/cache-functions.ts': js`
      import Keyv from 'keyv';

      const store = new Keyv();

      export function save(key: string, value: unknown) {
        return store.set(key, value);
      }
    `,
    'src/lib/links.ts': js`
      import { cacheService } from './cache-service';
      import * as cacheFunctions from './cache-functions';

      export async function linkPreview(url: string) {
        const preview = await fetchPreview(url);
        await cacheService.put(\`preview:#{url}\`, preview);
        await cacheService.put(\`preview-short:#{url}\`, preview, 60_000);
        await cacheFunctions.save(\`favicon:#{url}\`, preview.favicon);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/lib/links.ts:6', 'src/lib/links.ts:8']);
});

test('a wrapper function imported and called by name is followed, in the cache-aside shape for Redis', async () => {
  const files = {
    'src/lib/cache.ts': js`
      import Redis from 'ioredis';

      const redis = new Redis();

      export async function getCached(key: string) {
        const raw = await redis.get(key);
        return raw ? JSON.parse(raw) : null;
      }

      export async function setCached(key: string, value: unknown, seconds?: number) {
        if (seconds) return redis.set(key, JSON.stringify(value), 'EX', seconds);
        return redis.set(key, JSON.stringify(value));
      }
    `,
    'src/teams.ts': js`
      import { getCached, setCached } from './lib/cache';

      export async function teamStats(teamId: string) {
        const hit = await getCached(\`team-stats:#{teamId}\`);
        if (hit) return hit;
        const stats = await computeStats(teamId);
        await setCached(\`team-stats:#{teamId}\`, stats);
        return stats;
      }

      export async function teamMembers(teamId: string) {
        const hit = await getCached(\`team-members:#{teamId}\`);
        if (hit) return hit;
        const members = await loadMembers(teamId);
        await setCached(\`team-members:#{teamId}\`, members, 600);
        return members;
      }

      export async function markSeen(teamId: string) {
        await setCached(\`team-seen:#{teamId}\`, Date.now());
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/teams.ts:7']);
});
