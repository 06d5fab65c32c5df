import { invalidates, isContentAddressed, isOpaque } from '../analysis/keys.js';
import { defaultExpiry } from '../analysis/typescript/calls.js';
import { isCacheAside, isConfigurationValue } from '../analysis/typescript/flow.js';
import { isRedis, LIBRARY_LABEL } from '../analysis/typescript/libraries.js';
import { isTestPath } from '../analysis/typescript/load.js';
import { ownerOf } from '../analysis/typescript/project.js';
import { spanOf } from '../analysis/typescript/syntax.js';
import { mirroredData, uncoveredWrites } from '../analysis/typescript/writes.js';
import type { Rule } from './rule.js';

export const cache201: Rule = {
  code: 'CACHE201',
  name: 'js-no-ttl-never-invalidated',
  severity: 'warning',
  span: 'the call',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'timeouts',
  docs: {
    summary:
      'A TS/JS cache store with no TTL (and no default TTL on the client) whose key is never deleted anywhere in the project: ioredis and node-redis in the cache-aside shape, cache-manager, Keyv and node-cache.',
    why:
      'Without a TTL the entry lives until something deletes it or the cache evicts it. If nothing deletes the key when the data changes, every reader gets the old value: prices, permissions and feature flags go stale silently, and Redis memory grows until eviction starts throwing out the keys you wanted to keep.',
    example:
      "async function getProduct(id: string) {\n  const cached = await redis.get(`product:${id}`);\n  if (cached) return JSON.parse(cached);\n  const product = await db.product.findUnique({ where: { id } });\n  await redis.set(`product:${id}`, JSON.stringify(product));\n  return product;\n}",
    useInstead:
      "await redis.set(`product:${id}`, JSON.stringify(product), 'EX', 300);\n\n// or keep it and delete the key where the data changes:\nasync function updateProduct(id: string, data: ProductInput) {\n  await db.product.update({ where: { id }, data });\n  await redis.del(`product:${id}`);\n}",
    cannotSee:
      "Receivers are traced through imports (relative, tsconfig `paths` aliases such as `@/lib/redis`, workspace packages by name and their barrels), requires, constructors, factories, class fields and type annotations, without a type checker. A project wrapper (a class, object or module whose method passes its key parameter, and its value and TTL parameters, straight to the client's get/set/expire, such as a NestJS `RedisCacheService` injected by constructor) is read as the client at its call sites, with the caller's TTL argument, the wrapper's default TTL or the client's; a client passed around untyped, or a wrapper that rewrites the key (a namespace prefix) or builds the value from several parameters, is not seen. A plain Redis client is only judged in the cache-aside shape (an earlier `get` of the same key in the same function, tested for a miss, and a computed value): Redis used as a datastore is left alone, and so is a value read from configuration only (`process.env.X || 'default'`). Keys are matched by template (`` `product:${id}` ``, `'product:' + id` and `productKey(id)` are all `product:{}`); deletes (`del`, `unlink`, `delete`, `getdel`, `take`, `expire`, `keys`/`scan` patterns) count from any receiver, and a key set at another call site is taken as refreshed, unless that delete or set sits in a function nothing calls (its name occurs once in the project, and it is not exported from a module no file imports, such as a route file). A key deleted somewhere is still flagged when it copies a database row (`prisma.event.create(...)`, `Teams.findById(id)`) or fields of an entity parameter its key names by id (`user.roleIds` under `` `actions:${user._id}` ``) and some update of that model (`prisma.event.update`, `models.Users.updateOne` writing one of those fields) neither deletes nor re-sets it, in its function, in a function calling it, or through a function that deletes the key: a rename or a webhook that skips the delete. Models are matched by name (`prisma.event`, `Events`, `eventRepository` are all `event`); tests, migrations and seeds are not counted, and a delete in a data hook or event listener (`schema.post(...)`, `@OnEvent`), or an update that emits an event, is taken as clearing every write. `flushall`, `clear()` and eviction policies are not counted. lru-cache is bounded by `max` and never flagged. A client whose default TTL lives in options it cannot read (a variable, NestJS `CacheModule.register`) is taken as having one. Keys that name their content (hash, digest, version) are never flagged. Test files (`*.test.ts`, `*.spec.js`, `__tests__/`) are not checked: tests use tiny TTLs and throw-away clients on purpose.",
  },
  checkTypeScript({ module, project, config, report }) {
    if (isTestPath(module.path)) return;
    const ts = module.ts;
    let facts: ReturnType<typeof project.facts> | undefined;
    for (const call of module.calls) {
      // A method of a client or a wrapper, or a wrapper function called by name (`setCached(key, value)`).
      if (!ts.isCallExpression(call) || !(ts.isPropertyAccessExpression(call.expression) || ts.isIdentifier(call.expression))) continue;
      const found = project.cacheCall(module, call);
      const client = found?.client;
      if (!client || client.library === 'lru-cache') continue;
      const operation = found.operation;
      if (operation?.kind !== 'store' || operation.expiry !== 'none') continue;
      if (defaultExpiry(project, client) !== 'none') continue;
      if (isConfigurationValue(ts, operation.value)) continue;
      const template = project.keyTemplate(module, operation.key);
      if (isOpaque(template) || isContentAddressed(template) || isContentAddressed(operation.key.getText())) continue;
      facts ??= project.facts();
      // A delete or re-set in a function nothing calls is dead code, unless it sits beside this store.
      const owner = ownerOf(module, call);
      const live = (site: string | undefined): boolean => site === undefined || site === owner || !facts!.dead.has(site);
      const redis = isRedis(client.library);
      const where = redis ? 'Redis keeps it' : `${LIBRARY_LABEL[client.library]} keeps it`;
      const fix = operation.addExpiry?.(config.defaultTimeout);
      const fixes = fix ? [{ title: fix.title, safety: 'unsafe' as const, edits: fix.edits }] : [];
      const cleared = facts.invalidated.some((deleted) => live(deleted.owner) && invalidates(deleted.template, template)) || (facts.refreshSites.get(template) ?? []).filter(live).length > (operation.refresh ? 1 : 0);
      if (!cleared) {
        if (redis && !isCacheAside(project, module, call, client, operation.key, operation.value)) continue;
        report({
          span: spanOf(call),
          message: `"${template}" is stored with no TTL and nothing in the project deletes it: ${where} until it is evicted, so readers get a stale value after the data changes.`,
          fixes,
        });
        continue;
      }
      // Cleared somewhere: still stale if some update of the data it copies clears nothing.
      const data = mirroredData(module, call, operation.key, operation.value);
      // A Redis value computed from an entity's fields is only a cache in the cache-aside shape; a copied model row always is.
      if (!data || (data.fields && redis && !isCacheAside(project, module, call, client, operation.key, operation.value))) continue;
      const writes = uncoveredWrites(project, data, template);
      if (writes.length === 0) continue;
      // Paths may be absolute (the language server's): the file's own name is enough to find the line.
      const named = writes.slice(0, 2).map((write) => {
        const line = write.module.lines.positionAt(write.call.getStart()).line + 1;
        return `\`${write.text}\` (${write.module === module ? `line ${line}` : `${write.module.path.split('/').pop()}:${line}`})`;
      });
      const more = writes.length > 2 ? ` and ${writes.length - 2} more` : '';
      const changes = data.fields ? data.fields.map((field) => `${data.model}.${field}`).join(', ') : `the ${data.model} data`;
      report({
        span: spanOf(call),
        message: `"${template}" is stored with no TTL and cleared on some changes of ${changes}, but not by ${named.join(' or ')}${more}: ${where} until it is evicted, so readers get a stale value after that change.`,
        fixes,
      });
    }
  },
};
