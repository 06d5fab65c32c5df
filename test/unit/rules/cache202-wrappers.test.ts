import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagged, spans } from '../../helpers/engine.js';
import { js } from './ts-support.js';

const CODE = 'CACHE202';

/** A NestJS service over the injected cache-manager client, with a default TTL of its own. */
const CACHE_SERVICE = js`
  import { CACHE_MANAGER, Cache } from '@nestjs/cache-manager';
  import { Inject, Injectable } from '@nestjs/common';

  @Injectable()
  export class AppCacheService {
    public constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

    public async get(key: string) {
      return this.cache.get<string>(key);
    }

    public async set(key: string, value: string, ttl?: number) {
      return this.cache.set(key, value, ttl ?? 60_000);
    }
  }
`;

test('a constant key stored through a wrapper service, with a value from a parameter, is flagged at the key', async () => {
  const files = {
    'src/cache/app-cache.service.ts': CACHE_SERVICE,
    'src/feed/feed.service.ts': js`
      import { AppCacheService } from '../cache/app-cache.service';

      export class FeedService {
        public constructor(private readonly appCacheService: AppCacheService) {}

        public async feedFor(userId: string) {
          const feed = await this.buildFeed(userId);
          await this.appCacheService.set('feed', JSON.stringify(feed));
          return feed;
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/feed/feed.service.ts:8']);
  assert.deepEqual(await spans(CODE, files), ["'feed'"]);
});

test('quiet when the key through the wrapper names the parameter', async () => {
  const files = {
    'src/cache/app-cache.service.ts': CACHE_SERVICE,
    'src/feed/feed.service.ts': js`
      import { AppCacheService } from '../cache/app-cache.service';

      export class FeedService {
        public constructor(private readonly appCacheService: AppCacheService) {}

        public async feedFor(userId: string) {
          const feed = await this.buildFeed(userId);
          await this.appCacheService.set(\`feed:#{userId}\`, JSON.stringify(feed));
          return feed;
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});
