import { STORE_METHODS } from '../analysis/python/project.js';
import { timeoutArgument } from './python-helpers.js';
import type { Rule } from './rule.js';
import { memoOfExternalLookup, neverInvalidatedKeys, storesWriteTime, writtenByJob } from './stale-keys.js';

export const cache001: Rule = {
  code: 'CACHE001',
  name: 'no-expiry-never-invalidated',
  severity: 'warning',
  span: 'the timeout argument',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'timeouts',
  docs: {
    summary: 'A value cached with `timeout=None` (no expiry) whose key is never deleted or re-set anywhere in the project.',
    why:
      'With `None` Django keeps the entry until it is evicted. If nothing deletes or overwrites the key when the data changes, every reader gets the old value until the cache restarts: prices, permissions and settings go stale silently.',
    example: 'def order_summary(order):\n    summary = build_summary(order)\n    cache.set(f"order:{order.pk}", summary, None)\n    return summary',
    useInsteadNote: 'Give the entry a finite timeout, or keep `None` and delete the key where the data changes:',
    useInstead:
      '@receiver(post_save, sender=Order)\ndef forget_order(sender, instance, **kwargs):\n    cache.delete(f"order:{instance.pk}")',
    cannotSee:
      'Keys are matched by their template (`f"order:{pk}"`, `"order:%s" % pk` and `ORDER_KEY % pk` are all `order:{}`); a key built in a way it cannot follow (a computed string passed through several helpers, keys from another package) keeps the rule quiet rather than guessing. `cache.clear()` and expiry set by other tools are not counted as invalidation. A store inside a `@receiver` signal handler, a management command or a Celery task (`@shared_task`, `@app.task`, or a project decorator whose name ends in `_task`), or in a function one of them calls by name, is taken as the refresh itself (it runs again and overwrites the key); a method reached through an object is not followed. A stored write time (`time.time()`, `timezone.now()`) is a record, not a copy that can go stale. Deletes and writes in test modules do not count: a test that deletes a key is not the production code invalidating it. A copy of an outside lookup is not flagged when the value comes only from the function\'s parameters through this module\'s own code or an HTTP client asking a service, reading no ORM or cache: nothing the project changes makes it stale. A read-through memo (the function reads the cache first, a geocoded address) must also hold every parameter in its key; a write-through (the function asks the service on every call and overwrites the key: a last-known-good copy) need not; a helper imported from elsewhere, a module global or an attribute of a parameter keeps the finding. Keys that name their content (a hash, digest, checksum or version, also through local variables: `checksum = md5(payload).hexdigest(); key = "render:" + checksum`) are never flagged.',
  },
  checkPython({ module, project, config, report }) {
    for (const call of module.facts.cacheCalls) {
      if (!STORE_METHODS.has(call.method)) continue;
      const timeout = timeoutArgument(call);
      if (!timeout) continue;
      const scope = project.keyScope(module, call.functionIndex, call.span.start);
      const isNone = timeout.kind === 'none' || scope.valueOf(timeout)?.expr.kind === 'none';
      if (!isNone) continue;
      if (storesWriteTime(module, call) || writtenByJob(project, module, call) || memoOfExternalLookup(module, call)) continue;
      const staleKeys = neverInvalidatedKeys(project, module, call);
      if (staleKeys.length === 0) continue;
      const names = staleKeys.map(({ template }) => `"${template}"`).join(', ');
      report({
        span: timeout,
        message: `${names} is cached with no expiry (timeout=None) and nothing in the project deletes or re-sets it: readers will get a stale value until the cache restarts.`,
        fixes: [
          {
            title: `Expire after ${config.defaultTimeout} seconds`,
            safety: 'unsafe',
            edits: [{ span: timeout, newText: String(config.defaultTimeout) }],
          },
        ],
      });
    }
  },
};
