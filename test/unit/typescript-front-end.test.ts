import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/analysis/config.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import { importsLibrary, LIBRARY_PACKAGES } from '../../server/src/analysis/typescript/libraries.js';
import { isPackageJsonPath, isTypeScriptPath } from '../../server/src/analysis/typescript/load.js';
import { isAnalysedPath } from '../../server/src/node/files.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';
import { findingsOf, flagged, py, type Files } from '../helpers/engine.js';
import { js } from './rules/ts-support.js';

/** A store whose `EX` is in milliseconds: CACHE203 fires exactly when `redis` is traced to a Redis client. */
const consumer = (importLine: string, receiver = 'redis'): string => js`
  ${importLine}

  export async function store(key: string, value: string) {
    await ${receiver}.set(key, value, 'EX', 60 * 1000);
  }
`;

async function traced(files: Files, path = 'src/consumer.ts'): Promise<boolean> {
  const found = await flagged('CACHE203', files);
  assert.ok(found.every((label) => label === `${path}:4`), `unexpected findings: ${found.join(', ')}`);
  return found.length === 1;
}

// ---- receivers traced to a cache library ----

test('a client created in one module and imported in another (named, default, renamed, .js specifier, namespace)', async () => {
  const named = js`
    import Redis from 'ioredis';
    export const redis = new Redis(process.env.REDIS_URL ?? '');
  `;
  assert.ok(await traced({ 'src/redis.ts': named, 'src/consumer.ts': consumer("import { redis } from './redis';") }), 'named export');
  assert.ok(await traced({ 'src/redis.ts': named, 'src/consumer.ts': consumer("import { redis } from './redis.js';") }), '.js specifier of a .ts file');
  assert.ok(await traced({ 'src/redis.ts': named, 'src/consumer.ts': consumer("import * as clients from './redis';", 'clients.redis') }), 'namespace import');
  const defaults = js`
    import { Redis } from 'ioredis';
    export default new Redis();
  `;
  assert.ok(await traced({ 'src/redis.ts': defaults, 'src/consumer.ts': consumer("import client from './redis';", 'client') }), 'default export of a new expression');
  const renamed = js`
    import IORedis from 'ioredis';
    const connection = new IORedis({ host: 'redis' });
    export { connection as redis };
    export default connection;
  `;
  assert.ok(await traced({ 'src/redis.ts': renamed, 'src/consumer.ts': consumer("import { redis } from './redis';") }), 'export { x as y }');
  assert.ok(await traced({ 'src/redis.ts': renamed, 'src/consumer.ts': consumer("import redis from './redis';") }), 'export default identifier');
});

test('clients re-exported through barrels (export * / export { } from) and index files', async () => {
  const redis = js`
    import Redis from 'ioredis';
    export const redis = new Redis();
  `;
  assert.ok(await traced({ 'src/lib/redis.ts': redis, 'src/lib/index.ts': "export * from './redis';\n", 'src/consumer.ts': consumer("import { redis } from './lib';") }), 'export *');
  assert.ok(await traced({ 'src/lib/redis.ts': redis, 'src/lib/index.ts': "export { redis } from './redis';\n", 'src/consumer.ts': consumer("import { redis } from './lib/index';") }), 'export { } from');
});

test('CommonJS: module.exports = client, module.exports = { client }, exports.client, require() destructuring', async () => {
  const direct = "const Redis = require('ioredis');\nmodule.exports = new Redis();\n";
  assert.ok(await traced({ 'src/redis.js': direct, 'src/consumer.js': consumer("const redis = require('./redis');") }, 'src/consumer.js'), 'module.exports = client');
  const object = "const Redis = require('ioredis');\nconst redis = new Redis();\nmodule.exports = { redis };\n";
  assert.ok(await traced({ 'src/redis.js': object, 'src/consumer.js': consumer("const { redis } = require('./redis');") }, 'src/consumer.js'), 'module.exports = { client }');
  const named = "const { Redis } = require('ioredis');\nexports.redis = new Redis();\n";
  assert.ok(await traced({ 'src/redis.js': named, 'src/consumer.js': consumer("const clients = require('./redis');", 'clients.redis') }, 'src/consumer.js'), 'exports.client');
  assert.ok(await traced({ 'src/redis.cjs': named, 'src/consumer.mjs': consumer("import { redis } from './redis.cjs';") }, 'src/consumer.mjs'), '.mjs importing .cjs');
});

test('factories and connect(): createClient from a require, await createClient().connect(), a getter function', async () => {
  const files = {
    'src/redis.ts': js`
      import type { RedisClientType } from 'redis';
      const { createClient } = require('redis');

      export const client = await createClient({ url: process.env.REDIS_URL }).connect();

      let shared: RedisClientType | undefined;
      export function getRedis() {
        if (!shared) shared = createClient();
        return shared;
      }
    `,
    'src/consumer.ts': js`
      import { client, getRedis } from './redis';

      export async function store(key: string, value: string) {
        await client.set(key, value, { EX: 60 * 1000 });
        await getRedis().set(key, value, { EX: 60 * 1000 });
      }
    `,
  };
  assert.deepEqual(await flagged('CACHE203', files), ['src/consumer.ts:4', 'src/consumer.ts:5']);
});

test('class members: a field initialiser, this.x = new ... in the constructor, a typed constructor parameter property, a typed parameter', async () => {
  const files = {
    'src/service.ts': js`
      import Redis, { Cluster } from 'ioredis';
      import { createClient } from 'redis';
      import * as IORedis from 'ioredis';

      export class ProductService {
        private readonly cache = new Redis();
        private client;
        private readonly cluster = new IORedis.Cluster([]);

        constructor(private readonly injected: Redis, private other: Cluster) {
          this.client = createClient();
        }

        async store(key: string, value: string) {
          await this.cache.set(key, value, 'EX', 60 * 1000);
          await this.client.set(key, value, { EX: 60 * 1000 });
          await this.injected.set(key, value, 'EX', 60 * 1000);
          await this.other.set(key, value, 'EX', 60 * 1000);
          await this.cluster.set(key, value, 'EX', 60 * 1000);
        }
      }

      export async function helper(redis: Redis, key: string) {
        await redis.set(key, '1', 'EX', 60 * 1000);
      }
    `,
  };
  assert.deepEqual(await flagged('CACHE203', files), ['src/service.ts:15', 'src/service.ts:16', 'src/service.ts:17', 'src/service.ts:18', 'src/service.ts:19', 'src/service.ts:24']);
});

test('a subclass of a library class: new Subclass(), a static singleton getter (new this()), a parameter typed with the subclass', async () => {
  const files = {
    'src/storage/redis.ts': js`
      import Redis from 'ioredis';

      export default class RedisAdapter extends Redis {
        private static client: RedisAdapter;

        public static get defaultClient(): RedisAdapter {
          return this.client || (this.client = new this(process.env.REDIS_URL ?? ''));
        }
      }
    `,
    'src/consumer.ts': js`
      import Redis from './storage/redis';

      const local = new Redis();

      export async function store(key: string, value: string, client: Redis) {
        await Redis.defaultClient.set(key, value, 'EX', 60 * 1000);
        await local.set(key, value, 'EX', 60 * 1000);
        await client.set(key, value, 'EX', 60 * 1000);
      }
    `,
  };
  assert.deepEqual(await flagged('CACHE203', files), ['src/consumer.ts:6', 'src/consumer.ts:7', 'src/consumer.ts:8']);
});

test('every library\'s constructor or factory is recognised, however it is imported', async () => {
  const files = {
    'package.json': JSON.stringify({ dependencies: { 'cache-manager': '5.2.0' } }),
    'src/all.ts': js`
      import cacheManager from 'cache-manager';
      import * as manager from 'cache-manager';
      import { Keyv } from 'keyv';
      import LRU from 'lru-cache';
      import NodeCache from 'node-cache';

      export const a = cacheManager.caching('memory', { ttl: 60 });
      export const b = manager.caching('memory', { ttl: 60 });
      export const c = new Keyv({ ttl: 60 });
      export const d = new LRU({ max: 1, ttl: 60 });
      export const e = new NodeCache({ stdTTL: 60 * 1000 });
    `,
  };
  assert.deepEqual(await flagged('CACHE203', files), ['src/all.ts:7', 'src/all.ts:8', 'src/all.ts:9', 'src/all.ts:10', 'src/all.ts:11']);
});

test('not traced: a parameter shadowing an imported client, a Map named redis, an untyped parameter, a path alias', async () => {
  const redis = js`
    import Redis from 'ioredis';
    export const redis = new Redis();
  `;
  assert.equal(await traced({ 'src/redis.ts': redis, 'src/consumer.ts': js`
    import { redis } from './redis';

    export async function store(redis: Map<string, unknown>, key: string) {
      await redis.set(key, 'EX', 60 * 1000);
    }
  ` }), false, 'shadowing parameter');
  assert.equal(await traced({ 'src/consumer.ts': consumer("import Redis from 'ioredis';\nconst redis = new Map();") }), false, 'a Map named redis');
  assert.equal(await traced({ 'src/redis.ts': redis, 'src/consumer.ts': consumer("import { redis } from '@/redis';") }), false, 'a path alias');
});

// ---- look-alikes are never flagged ----

test('Map.set, URLSearchParams.set, headers.set, localStorage.setItem, res.set and untraced objects are never flagged', async () => {
  const files = {
    'src/redis.ts': js`
      import Redis from 'ioredis';
      export const redis = new Redis();
    `,
    'src/handlers.ts': js`
      import { redis } from './redis';

      const memo = new Map<string, string>();
      const store = createStore();

      export async function handler(req: any, res: any, userId: string) {
        const params = new URLSearchParams(req.url);
        const headers = new Headers();
        const hit = memo.get('profile');
        if (!hit) memo.set('profile', await loadProfile(userId));
        params.set('page', await loadPage(userId));
        headers.set('Cache-Control', await policyFor(userId));
        localStorage.setItem('profile', await loadProfile(userId));
        res.set('Cache-Control', 'max-age=60');
        res.set('x-ttl', 60 * 1000);
        const cached = await store.get('profile');
        if (!cached) await store.set('profile', await loadProfile(userId));
        await store.set('x', 'y', 'EX', 60 * 1000);
        await redis.ping();
      }
    `,
  };
  assert.deepEqual(await findingsOf(files), []);
});

// ---- lazy loading ----

function spyLoader(): { load: () => ReturnType<typeof loadTypeScript>; calls: () => number } {
  let count = 0;
  return {
    load: () => {
      count++;
      return loadTypeScript();
    },
    calls: () => count,
  };
}

async function workspace(files: Files, load?: () => ReturnType<typeof loadTypeScript>): Promise<Workspace> {
  return Workspace.create({ wasm: loadPythonWasm(), source: { read: (path) => files[path] }, paths: Object.keys(files), configFor: () => DEFAULT_CONFIG, loadTypeScript: load });
}

test('a Python-only project never loads typescript', async () => {
  const spy = spyLoader();
  const space = await workspace(
    {
      'shop/views.py': py`
        from django.core.cache import cache

        def profile(user):
            cache.set("profile", load_profile(user), None)
      `,
      'package.json': '{"dependencies": {"ioredis": "^5.0.0"}}',
    },
    spy.load,
  );
  assert.ok(space.check().length > 0);
  for (const _ of space.warmUp());
  assert.equal(spy.calls(), 0);
  assert.equal(space.typescript.loaded, false);
});

test('TS/JS files that import no cache library (directly or through a project module) never load typescript', async () => {
  const spy = spyLoader();
  const space = await workspace({ 'web/app.ts': "import React from 'react';\nconst memo = new Map();\nmemo.set('a', 1);\n", 'web/util.js': "export const redis = 'not a client';\n" }, spy.load);
  assert.deepEqual(space.check(), []);
  assert.equal(spy.calls(), 0);
});

test('typescript is loaded once, on the first TS/JS file, however many files are checked', async () => {
  const spy = spyLoader();
  const space = await workspace(
    {
      'src/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\n",
      'src/a.ts': consumer("import { redis } from './redis';"),
      'src/b.ts': consumer("import { redis } from './redis';"),
    },
    spy.load,
  );
  assert.equal(spy.calls(), 0, 'nothing is loaded before the first check');
  assert.equal(space.check().length, 2);
  space.update('src/b.ts', consumer("import { redis } from './redis';").replace('60 * 1000', '60'));
  assert.equal(space.check().length, 1);
  assert.equal(spy.calls(), 1);
});

test('without loadTypeScript (a browser build) TS/JS files are simply not analysed', async () => {
  const space = await workspace({ 'src/redis.ts': "import Redis from 'ioredis';\nconst redis = new Redis();\nredis.set('k', 'v', 'EX', 60 * 1000);\n" });
  assert.deepEqual(space.check(), []);
});

// ---- files, edits, comments ----

test('TS/JS file kinds, package.json and tsconfig files are analysed paths; declaration files are not', () => {
  for (const path of ['a.ts', 'a.tsx', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs', 'services/api/package.json', 'package.json', 'tsconfig.json', 'apps/web/tsconfig.base.json']) assert.ok(isAnalysedPath(path), path);
  for (const path of ['a.d.ts', 'a.json', 'my-tsconfig.json', 'a.ts.map']) assert.equal(isAnalysedPath(path), false, path);
  assert.ok(isTypeScriptPath('x/y.tsx') && isPackageJsonPath('x/package.json') && !isPackageJsonPath('x/my-package.json'));
});

test('.tsx and .jsx files parse with JSX', async () => {
  const files = {
    'src/Page.tsx': js`
      import { LRUCache } from 'lru-cache';
      const cache = new LRUCache<string, string>({ max: 10, ttl: 30 });
      export const Page = ({ id }: { id: string }) => <div title={cache.get(id)}>{id}</div>;
    `,
    'src/Old.jsx': js`
      import Keyv from 'keyv';
      const keyv = new Keyv({ ttl: 30 });
      export const Old = () => <span>{String(keyv)}</span>;
    `,
  };
  assert.deepEqual(await flagged('CACHE203', files), ['src/Old.jsx:2', 'src/Page.tsx:2']);
});

test('edits to the module that creates the client, and to package.json, are picked up', async () => {
  const files = {
    'src/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\n",
    'src/consumer.ts': consumer("import { redis } from './redis';"),
    'src/cache.ts': "import { caching } from 'cache-manager';\nexport const cache = caching('memory', { ttl: 60 });\n",
  };
  const space = await workspace(files, loadTypeScript);
  assert.deepEqual(space.check().map((finding) => finding.path), ['src/consumer.ts']);
  space.update('src/redis.ts', "export const redis = new Map();\n");
  assert.deepEqual(space.check(), []);
  space.update('package.json', JSON.stringify({ dependencies: { 'cache-manager': '^5.0.0' } }));
  assert.deepEqual(space.check().map((finding) => finding.path), ['src/cache.ts']);
  space.remove('package.json');
  assert.deepEqual(space.check(), []);
});

test('noqa in line and block comments; an unused TS noqa is CACHE900 with a fix that removes it', async () => {
  const files = {
    'src/lru.ts': js`
      import { LRUCache } from 'lru-cache';
      export const a = new LRUCache({ max: 1, ttl: 60 }); // noqa: CACHE203
      export const b = new LRUCache({ max: 1, ttl: 60 }); /* noqa: CACHE203 */
      export const c = new LRUCache({ max: 1, ttl: 60_000 }); // noqa: CACHE203
    `,
  };
  const findings = await findingsOf(files);
  assert.deepEqual(findings.map((finding) => `${finding.code}:${finding.range.start.line + 1}`), ['CACHE900:4']);
  assert.deepEqual(findings[0].fixes[0].edits.map((edit) => edit.newText), ['']);
});

test('a file with a syntax error mid-edit is still analysed', async () => {
  const files = {
    'src/lru.ts': js`
      import { LRUCache } from 'lru-cache';
      export const a = new LRUCache({ max: 1, ttl: 60 });
      export function broken( {
    `,
  };
  assert.deepEqual(await flagged('CACHE203', files), ['src/lru.ts:2']);
});

test('the TS/JS rules\' documentation examples parse as TypeScript', async () => {
  const { RULES } = await import('../../server/src/rules/index.js');
  const { tsSyntaxErrors } = await import('./rules/ts-support.js');
  const rules = RULES.filter((rule) => rule.checkTypeScript);
  assert.deepEqual(rules.map((rule) => rule.code), ['CACHE201', 'CACHE202', 'CACHE203']);
  for (const rule of rules) {
    for (const [label, text] of [['example', rule.docs.example], ['useInstead', rule.docs.useInstead]]) {
      assert.deepEqual(tsSyntaxErrors('example.ts', `async function wrapper() {\n${text}\n}`), [], `${rule.code} ${label}`);
    }
    assert.ok(['timeouts', 'key-design'].includes(rule.lessonSection));
  }
});

test('test files (*.test.*, *.spec.*, __tests__/) are not checked; a test/ folder in the path is not a test file', async () => {
  const source = js`
    import { LRUCache } from 'lru-cache';
    export const a = new LRUCache({ max: 1, ttl: 60 });
  `;
  const files = { 'src/cache.test.ts': source, 'src/cache.spec.js': source, 'src/__tests__/cache.ts': source, 'test/fixtures/app/src/cache.ts': source };
  assert.deepEqual(await flagged('CACHE203', files), ['test/fixtures/app/src/cache.ts:2']);
});

test('cache-manager major versions from package.json ranges; anything ambiguous is unknown', async () => {
  const { majorOfRange } = await import('../../server/src/analysis/typescript/libraries.js');
  const cases: [string, number | undefined][] = [
    ['^5.2.0', 5], ['~4.1.0', 4], ['5.x', 5], ['5', 5], ['6.0.0-beta.1', 6], ['>=5', 5], ['>= 5.0.0', 5], ['npm:cache-manager@^5.4.0', 5], ['v5.1.0', 5],
    ['>=4', undefined], ['*', undefined], ['latest', undefined], ['workspace:*', undefined], ['^4 || ^5', undefined], ['>=4 <6', undefined], ['github:jaredwray/cacheable', undefined],
  ];
  for (const [range, major] of cases) assert.equal(majorOfRange(range), major, range);
});

test('a typescript module that cannot be loaded leaves TS/JS files unanalysed, not the whole check broken', async () => {
  const space = await workspace(
    {
      'shop/views.py': py`
        from django.core.cache import cache

        def profile(user):
            cache.set("profile", load_profile(user), None)
      `,
      'src/lru.ts': "import { LRUCache } from 'lru-cache';\nexport const a = new LRUCache({ max: 1, ttl: 60 });\n",
    },
    () => {
      throw new Error("Cannot find module 'typescript'");
    },
  );
  const paths = space.check().map((finding) => finding.path);
  assert.ok(paths.length > 0 && paths.every((path) => path === 'shop/views.py'), paths.join(', '));
  assert.equal(space.typescript.loadFailure, "Cannot find module 'typescript'");
});

test('every library package is recognised when imported or required, and look-alike packages are not', () => {
  for (const name of LIBRARY_PACKAGES) {
    assert.ok(importsLibrary(`import Client from '${name}';\n`), name);
    assert.ok(importsLibrary(`const client = require("${name}");\n`), name);
  }
  assert.equal(importsLibrary("import mock from 'redis-mock';\nimport { LRUCache } from './lru-cache-local';\n"), false);
  assert.equal(importsLibrary("// uses redis and a cache\nimport express from 'express';\n"), false);
});
