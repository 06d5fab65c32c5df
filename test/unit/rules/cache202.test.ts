import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { assertFixesUnsafe, assertTsFixIsClean, js } from './ts-support.js';

const CODE = 'CACHE202';

const CACHE = js`
  import { createCache } from 'cache-manager';

  export const cache = createCache({ ttl: 60_000 });
`;

// ---- flagged: the stored value flows from something the key does not mention ----

test('a value computed from a function parameter under a constant key is flagged; the span is the key', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/recommendations.ts': js`
      import { cache } from './cache';

      export async function recommendationsFor(userId: string) {
        const recs = await computeRecommendations(userId);
        await cache.set('recommendations', recs);
        return recs;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/recommendations.ts:5']);
  assert.deepEqual(await spans(CODE, files), ["'recommendations'"]);
});

test('a value read from req.user in an Express handler is flagged (Keyv)', async () => {
  const files = {
    'src/routes.js': js`
      import Keyv from 'keyv';

      const keyv = new Keyv({ ttl: 60_000 });

      app.get('/basket', async (req, res) => {
        let basket = await keyv.get('basket');
        if (!basket) {
          basket = await loadBasket(req.user.id);
          await keyv.set('basket', basket);
        }
        res.json(basket);
      });
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/routes.js:9']);
  const [finding] = (await findingsOf(files)).filter((item) => item.code === CODE);
  assert.match(finding.message, /depends on `req\.user`/);
});

test('a value read from req.query through destructuring and several locals is flagged (lru-cache)', async () => {
  const files = {
    'src/search.ts': js`
      import { LRUCache } from 'lru-cache';

      const results = new LRUCache<string, object>({ max: 100, ttl: 30_000 });

      export async function search(req: Request) {
        const { q } = req.query;
        const terms = String(q).split(' ');
        const hits = await index.search(terms);
        results.set('search:last', hits);
        return hits;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/search.ts:9']);
});

test('a value read from this.request in a request-scoped class is flagged (node-cache)', async () => {
  const files = {
    'src/basket.ts': js`
      import NodeCache from 'node-cache';

      const local = new NodeCache({ stdTTL: 60 });

      export class BasketService {
        constructor(private readonly request: IncomingRequest) {}

        async basket() {
          const basket = await loadBasket(this.request.user);
          local.set('basket', basket);
          return basket;
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/basket.ts:10']);
});

test('wrap() with a function that closes over a parameter is flagged', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/tenant.ts': js`
      import { cache } from './cache';

      export function tenantSettings(tenantId: string) {
        return cache.wrap('tenant:settings', () => loadSettings(tenantId));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/tenant.ts:4']);
});

test('a constant key held in a constant (even imported) is still constant', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/keys.ts': js`
      export const RECS_KEY = 'recommendations';
      export const KEYS = { profile: 'profile' } as const;
    `,
    'src/recommendations.ts': js`
      import { cache } from './cache';
      import { KEYS, RECS_KEY } from './keys';

      export async function recommendationsFor(user: User) {
        await cache.set(RECS_KEY, await computeRecommendations(user));
        await cache.set(KEYS.profile, await loadProfile(user.id));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/recommendations.ts:5', 'src/recommendations.ts:6']);
  assert.deepEqual(await spans(CODE, files), ['RECS_KEY', 'KEYS.profile']);
});

/** A Redis cache-aside read and write of one constant key, the value built from a parameter. */
const REDIS_CACHE_ASIDE = js`
  import Redis from 'ioredis';

  const redis = new Redis();

  export async function dashboard(userId: string) {
    const cached = await redis.get('dashboard');
    if (cached) return JSON.parse(cached);
    const data = await buildDashboard(userId);
    await redis.set('dashboard', JSON.stringify(data), 'EX', 60);
    return data;
  }
`;

test('a Redis client in the cache-aside shape with a constant key is flagged', async () => {
  const files = {
    'src/dashboard.ts': REDIS_CACHE_ASIDE,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/dashboard.ts:9']);
});

// ---- quiet ----

test('quiet on global data under a constant key: site settings, exchange rates', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/services.ts': js`
      import { cache } from './cache';

      export async function siteSettings() {
        const settings = await db.settings.findFirst();
        await cache.set('site:settings', settings);
        return settings;
      }

      export const rates = async (_req: Request, res: Response) => {
        const fx = await fetchRatesFromEcb();
        await cache.set('fx:rates', fx);
        res.json(fx);
      };
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when a parameter only guards the refresh or only sets the TTL', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/fx.ts': js`
      import { cache } from './cache';

      export async function rates(force = false) {
        let rates = await cache.get('fx:rates');
        if (!rates || force) {
          rates = await fetchRatesFromEcb();
          await cache.set('fx:rates', rates);
        }
        return rates;
      }

      export async function cacheRates(ttl: number) {
        await cache.set('fx:rates', await fetchRatesFromEcb(), ttl);
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when the key includes the distinguishing value (template literal, concatenation, local, helper)', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/recommendations.ts': js`
      import { cache } from './cache';

      const recsKey = (userId: string) => \`recommendations:#{userId}\`;

      export async function direct(userId: string) {
        await cache.set(\`recommendations:#{userId}\`, await computeRecommendations(userId));
      }
      export async function concatenated(userId: string) {
        await cache.set('recommendations:' + userId, await computeRecommendations(userId));
      }
      export async function throughLocal(userId: string) {
        const key = \`recommendations:#{userId}\`;
        await cache.set(key, await computeRecommendations(userId));
      }
      export async function throughHelper(userId: string) {
        await cache.set(recsKey(userId), await computeRecommendations(userId));
      }
      export async function handler(req: Request) {
        await cache.set(\`dashboard:#{req.user.id}\`, await buildDashboard(req.user));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on an opaque key, at module level, and on instance state other than this.request', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/other.ts': js`
      import { cache } from './cache';
      import { makeKey } from 'third-party-keys';

      export async function opaque(user: User) {
        await cache.set(makeKey(user), await computeRecommendations(user));
      }

      const defaultUser = await loadDefaultUser();
      await cache.set('default-user', defaultUser);

      export class RateService {
        constructor(private readonly client: RatesClient) {}

        async refresh() {
          const rates = await this.client.fetch();
          await cache.set('fx:rates', rates);
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a parameter of an outer function (an injected dependency of a factory)', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/refresh.ts': js`
      import { cache } from './cache';

      export function createRatesRefresher(ratesApi: RatesApi) {
        return async () => {
          const rates = await ratesApi.fetchAll();
          await cache.set('fx:rates', rates);
        };
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a setter that stores exactly the value it was given', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/flags.ts': js`
      import { cache } from './cache';

      export async function saveFeatureFlags(flags: FeatureFlags) {
        await cache.set('feature-flags', JSON.stringify(flags));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on Redis used as a datastore and on stores that are not cache clients', async () => {
  const files = {
    'src/state.ts': js`
      import Redis from 'ioredis';

      const redis = new Redis();
      const memo = new Map<string, unknown>();

      export async function setMaintenance(reason: string) {
        await redis.set('maintenance', JSON.stringify({ reason, since: Date.now() }));
      }

      export async function remember(user: User, headers: Headers, res: any) {
        memo.set('current-user', await loadProfile(user));
        headers.set('x-user', String(user.id));
        res.set('x-user', String(user.id));
        localStorage.setItem('profile', JSON.stringify(await loadProfile(user)));
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- the fix ----

test('the fix puts the parameter into the key as a template literal; the result parses and is quiet', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/recommendations.ts': js`
      import { cache } from './cache';

      export async function recommendationsFor(userId: string) {
        const recs = await computeRecommendations(userId);
        await cache.set('recommendations', recs);
        return recs;
      }
    `,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/recommendations.ts');
  assert.equal(text.split('\n')[4], '  await cache.set(`recommendations:${userId}`, recs);');
  await assertFixesUnsafe(CODE, files);
});

test('the fix for req.user keys on req.user.id, and for an object parameter on its id', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/views.ts': js`
      import { cache } from './cache';

      export async function dashboard(req: Request) {
        await cache.set("dashboard", await buildDashboard(req.user));
      }

      export async function orders(customer: Customer) {
        await cache.set('orders', await customer.orders.list());
      }
    `,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/views.ts');
  assert.equal(text.split('\n')[3], '  await cache.set(`dashboard:${req.user.id}`, await buildDashboard(req.user));');
  assert.equal(text.split('\n')[7], '  await cache.set(`orders:${customer.id}`, await customer.orders.list());');
});

test('the fix escapes backticks, backslashes and ${ of the old key', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/odd.ts': js`
      import { cache } from './cache';

      export async function odd(userId: string) {
        await cache.set('a\`b\\\\c#{d}', await load(userId));
      }
    `,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/odd.ts');
  assert.equal(text.split('\n')[3], '  await cache.set(`a\\`b\\\\c\\${d}:${userId}`, await load(userId));');
});

test('no fix is offered when the key is a name, not a literal', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/recommendations.ts': js`
      import { cache } from './cache';

      const RECS_KEY = 'recommendations';

      export async function recommendationsFor(userId: string) {
        await cache.set(RECS_KEY, await computeRecommendations(userId));
      }
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0].fixes, []);
});

test('the fix changes the key in the reads and deletes of the same function too, so the handler still finds what it stored', async () => {
  const files = {
    'src/routes.js': js`
      import Keyv from 'keyv';

      const keyv = new Keyv({ ttl: 60_000 });

      app.get('/basket', async (req, res) => {
        if (req.query.refresh) await keyv.delete('basket');
        let basket = await keyv.get("basket");
        if (!basket) {
          basket = await loadBasket(req.user.id);
          await keyv.set('basket', basket);
        }
        res.json(basket);
      });
    `,
  };
  const [finding] = (await findingsOf(files)).filter((item) => item.code === CODE);
  assert.equal(finding.fixes[0].title, 'Put `req.user.id` into the key (here and in its 2 other uses)');
  assert.equal(finding.fixes[0].safety, 'unsafe');
  const text = await assertTsFixIsClean(CODE, files, 'src/routes.js');
  assert.deepEqual(text.split('\n').slice(5, 11), [
    '  if (req.query.refresh) await keyv.delete(`basket:${req.user.id}`);',
    '  let basket = await keyv.get(`basket:${req.user.id}`);',
    '  if (!basket) {',
    '    basket = await loadBasket(req.user.id);',
    '    await keyv.set(`basket:${req.user.id}`, basket);',
    '  }',
  ]);
});

test('the fix changes the get of the Redis cache-aside shape with the set', async () => {
  const files = {
    'src/dashboard.ts': REDIS_CACHE_ASIDE,
  };
  const text = await assertTsFixIsClean(CODE, files, 'src/dashboard.ts');
  assert.equal(text.split('\n')[5], '  const cached = await redis.get(`dashboard:${userId}`);');
  assert.equal(text.split('\n')[8], "  await redis.set(`dashboard:${userId}`, JSON.stringify(data), 'EX', 60);");
});

test('no fix when the key is used where the value it needs is not at hand: another function, another module, a constant', async () => {
  const handler = js`
    import { cache } from './cache';

    export async function recommendationsFor(userId: string) {
      const recs = await computeRecommendations(userId);
      await cache.set('recommendations', recs);
      return recs;
    }
  `;
  const variants: Record<string, string>[] = [
    { 'src/recommendations.ts': `${handler}\nexport async function clearRecommendations() {\n  await cache.del('recommendations');\n}\n` },
    { 'src/recommendations.ts': handler, 'src/jobs.ts': "import { cache } from './cache';\n\nexport const warm = () => cache.get('recommendations');\n" },
    { 'src/recommendations.ts': handler, 'src/keys.ts': "export const RECOMMENDATIONS = 'recommendations';\n" },
    { 'src/recommendations.ts': handler.replace('return recs;', "items.forEach(async (item) => cache.get('recommendations'));\n  return recs;") },
  ];
  for (const variant of variants) {
    const findings = (await findingsOf({ 'src/cache.ts': CACHE, ...variant })).filter((finding) => finding.code === CODE);
    assert.equal(findings.length, 1, JSON.stringify(variant));
    assert.deepEqual(findings[0].fixes, [], JSON.stringify(variant));
  }
});

test('a shadowed name at the read keeps the fix from being offered', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/profile.ts': js`
      import { cache } from './cache';

      export async function profile(userId: string, others: string[]) {
        for (const userId of others) await cache.get('profile');
        await cache.set('profile', await loadProfile(userId));
      }
    `,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0].fixes, []);
});

test('a parameter every caller passes the same constant for is no variant; callers that differ are flagged', async () => {
  const service = js`
    import { cache } from './cache';

    export class SitemapService {
      async pages(section?: string, deep?: boolean) {
        const pages = await listPages(section, deep);
        await cache.set('sitemap', pages);
        return pages;
      }
    }
  `;
  const controller = (calls: string): string => js`
    import { SitemapService } from './sitemap.service';

    export class SitemapController {
      constructor(private readonly sitemap: SitemapService) {}
      ${calls}
    }
  `;
  const same = {
    'src/cache.ts': CACHE,
    'src/sitemap.service.ts': service,
    'src/sitemap.controller.ts': controller("index() { return this.sitemap.pages(undefined, true); }\n  feed() { return this.sitemap.pages(undefined, true); }"),
  };
  assert.deepEqual(await flagged(CODE, same), []);
  const different = { ...same, 'src/sitemap.controller.ts': controller("index() { return this.sitemap.pages(undefined, true); }\n  docs() { return this.sitemap.pages('docs', false); }") };
  assert.deepEqual(await flagged(CODE, different), ['src/sitemap.service.ts:6']);
});

// ---- NestJS handlers cached by an interceptor under a key without the caller ----

const NEST_CACHE_MODULE = js`
  import { Injectable, NestInterceptor, ExecutionContext, CallHandler, SetMetadata } from '@nestjs/common';
  import { Reflector } from '@nestjs/core';
  import { of } from 'rxjs';
  import { mergeMap } from 'rxjs/operators';
  import Redis from 'ioredis';

  const redis = new Redis();

  export const CacheResult = (key: string[], args?: string[]) => SetMetadata('cache-result', [key, args]);
  export const ForgetResult = (key: string[], args?: string[]) => SetMetadata('forget-result', [key, args]);

  @Injectable()
  export class ResultCacheInterceptor implements NestInterceptor {
    constructor(private readonly reflector: Reflector) {}
    async intercept(ctx: ExecutionContext, next: CallHandler) {
      const config = this.reflector.get('cache-result', ctx.getHandler());
      if (!config) return next.handle();
      const key = config[0].join(':');
      const hit = await redis.get(key);
      if (hit) return of(JSON.parse(hit));
      return next.handle().pipe(mergeMap(async (result) => { await redis.set(key, JSON.stringify(result), 'EX', 60); return result; }));
    }
  }
`;

test('a resolver cached by a SetMetadata cache decorator keyed without the user, that reads @CurrentUser(), is flagged on the decorator', async () => {
  const files = {
    'src/cache/result-cache.ts': NEST_CACHE_MODULE,
    'src/files/files.resolver.ts': js`
      import { Args, Query, Resolver } from '@nestjs/graphql';
      import { CacheResult } from '../cache/result-cache';
      import { CurrentUser } from '../auth/current-user';

      @Resolver()
      export class FilesResolver {
        constructor(private readonly access: AccessService, private readonly files: FileStore) {}

        @Query(() => [String])
        @CacheResult(['files'], ['folderId'])
        async listFiles(@CurrentUser() user: SessionUser, @Args('folderId') folderId: string) {
          await this.access.assertCanRead(folderId, user.id);
          return this.files.list(folderId);
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/files/files.resolver.ts:10']);
  const [finding] = (await findingsOf(files)).filter((found) => found.code === CODE);
  assert.match(finding.message, /`listFiles` is cached by @CacheResult\(\['files'\], \['folderId'\]\) under a key without `user`/);
});

test("Nest's own @CacheKey and a GET cached by CacheInterceptor (keyed by the URL) that read the caller are flagged", async () => {
  const files = {
    'src/basket.controller.ts': js`
      import { Controller, Get, Req, UseInterceptors } from '@nestjs/common';
      import { CacheInterceptor, CacheKey } from '@nestjs/cache-manager';

      @Controller('basket')
      @UseInterceptors(CacheInterceptor)
      export class BasketController {
        constructor(private readonly baskets: BasketService) {}

        @Get()
        @CacheKey('basket')
        mine(@Req() req: { user: { id: string } }) {
          return this.baskets.forUser(req.user.id);
        }

        @Get('recent')
        recent(@Req() req: { user: { id: string } }) {
          return this.baskets.recentFor(req.user.id);
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/basket.controller.ts:10', 'src/basket.controller.ts:15']);
  assert.deepEqual(await spans(CODE, files), ["'basket'", "Get('recent')"]);
});

test('quiet on cached handlers that do not read the caller, key on the user, only clear the cache, or use an interceptor that is not a cache', async () => {
  const resolver = (decorator: string, parameters: string, body: string): Record<string, string> => ({
    'src/cache/result-cache.ts': NEST_CACHE_MODULE,
    'src/files/files.resolver.ts': js`
      import { Args, Query, Mutation, Resolver } from '@nestjs/graphql';
      import { CacheResult, ForgetResult } from '../cache/result-cache';
      import { CurrentUser } from '../auth/current-user';

      @Resolver()
      export class FilesResolver {
        constructor(private readonly files: FileStore) {}

        @Query(() => [String])
        ${decorator}
        async listFiles(${parameters}) {
          ${body}
        }
      }
    `,
  });
  const cases = [
    // Public data: the caller is not a parameter.
    resolver("@CacheResult(['files'], ['folderId'])", "@Args('folderId') folderId: string", 'return this.files.list(folderId);'),
    // The caller is injected but never read.
    resolver("@CacheResult(['files'], ['folderId'])", "@CurrentUser() _user: SessionUser, @Args('folderId') folderId: string", 'return this.files.list(folderId);'),
    // The key names the user.
    resolver("@CacheResult(['files'], ['folderId', 'userId'])", "@CurrentUser() user: SessionUser, @Args('folderId') folderId: string, @Args('userId') userId: string", 'return this.files.listFor(folderId, user.id);'),
    // A decorator that clears the cache, not one that caches.
    resolver("@ForgetResult(['files'], ['folderId'])", "@CurrentUser() user: SessionUser, @Args('folderId') folderId: string", 'return this.files.remove(folderId, user.id);'),
    // Not a cache decorator at all.
    resolver('@UseGuards(AuthGuard)', "@CurrentUser() user: SessionUser, @Args('folderId') folderId: string", 'return this.files.listFor(folderId, user.id);'),
  ];
  for (const files of cases) assert.deepEqual(await flagged(CODE, files), [], files['src/files/files.resolver.ts'].split('\n')[9]);
  const projectInterceptor = {
    'src/public.controller.ts': js`
      import { Controller, Get, Req, UseInterceptors } from '@nestjs/common';
      import { PublicProjectCacheInterceptor } from './public-cache.interceptor';

      @Controller('stats')
      @UseInterceptors(PublicProjectCacheInterceptor)
      export class StatsController {
        @Get()
        stats(@Req() req: { user: { id: string } }) {
          return loadStats(req.user.id);
        }
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, projectInterceptor), []);
  // A SetMetadata decorator named for caching that no interceptor in the project reads does nothing.
  const unread = resolver("@CacheResult(['files'], ['folderId'])", "@CurrentUser() user: SessionUser, @Args('folderId') folderId: string", 'return this.files.listFor(folderId, user.id);');
  unread['src/cache/result-cache.ts'] = unread['src/cache/result-cache.ts'].replace("this.reflector.get('cache-result'", "this.reflector.get('other-key'");
  assert.deepEqual(await flagged(CODE, unread), []);
});

// ---- keys with holes that leave the caller out ----

test('a key built from the page but not the user, for a value read for req.user or a userId parameter, is flagged', async () => {
  const files = {
    'src/cache.ts': CACHE,
    'src/orders.ts': js`
      import { cache } from './cache';

      export async function ordersPage(userId: string, page: number) {
        const key = \`orders:page:#{page}\`;
        const hit = await cache.get(key);
        if (hit) return hit;
        const orders = await db.order.findMany({ where: { userId }, skip: page * 20, take: 20 });
        await cache.set(key, orders, 60_000);
        return orders;
      }
    `,
    'src/routes.ts': js`
      import { cache } from './cache';

      app.get('/feed', async (req, res) => {
        const feed = await buildFeed(req.user.id, req.query.tab);
        await cache.set(\`feed:#{req.query.tab}\`, feed, 30_000);
        res.json(feed);
      });
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['src/orders.ts:8', 'src/routes.ts:5']);
  const messages = (await findingsOf(files)).filter((found) => found.code === CODE).map((found) => found.message);
  assert.match(messages[0], /"orders:page:\{\}" does not name the caller, but the stored value depends on `userId`/);
  assert.match(messages[1], /depends on `req\.user`/);
});

test('quiet when a key with holes names the caller, may name it, or the value does not depend on the caller', async () => {
  const page = (keyExpression: string, load: string): Record<string, string> => ({
    'src/cache.ts': CACHE,
    'src/orders.ts': js`
      import { cache } from './cache';

      export async function ordersPage(userId: string, page: number) {
        const key = ${keyExpression};
        const orders = ${load};
        await cache.set(key, orders, 60_000);
        return orders;
      }
    `,
  });
  const cases = [
    page('`orders:#{userId}:#{page}`', 'await db.order.findMany({ where: { userId }, skip: page * 20 })'),
    page('ordersKey(userId, page)', 'await db.order.findMany({ where: { userId }, skip: page * 20 })'),
    page('`orders:#{this.scope}:#{page}`', 'await db.order.findMany({ where: { userId }, skip: page * 20 })'),
    page('`orders:#{tokenOf(page)}`', 'await db.order.findMany({ where: { userId }, skip: page * 20 })'),
    // The caller is not what the value depends on: public data by page.
    page('`products:#{page}`', 'await db.product.findMany({ skip: page * 20 })'),
  ];
  for (const files of cases) assert.deepEqual(await flagged(CODE, files), [], files['src/orders.ts'].split('\n')[3]);
  // A project id is the resource, not the caller: a per-project value cached per project stays quiet.
  const project = {
    'src/cache.ts': CACHE,
    'src/stats.ts': js`
      import { cache } from './cache';

      export async function projectStats(projectId: string, range: string) {
        const stats = await computeStats(projectId, range);
        await cache.set(\`stats:#{projectId}:#{range}\`, stats, 60_000);
        return stats;
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, project), []);
});
