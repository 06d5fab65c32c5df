import { STORE_METHODS } from '../analysis/python/project.js';
import { Q } from '../analysis/python/qualified-names.js';
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
      'Keys are matched by their template (`f"order:{pk}"`, `"order:%s" % pk` and `ORDER_KEY % pk` are all `order:{}`); a key built in a way it cannot follow (a computed string passed through several helpers, keys from another package) keeps the rule quiet rather than guessing. `cache.clear()` and expiry set by other tools are not counted as invalidation. A store inside a `@receiver` signal handler, a management command or a Celery task (`@shared_task`, `@app.task`, or a project decorator whose name ends in `_task`) is taken as the refresh itself (it runs again and overwrites the key), and a stored write time (`time.time()`, `timezone.now()`) is a record, not a copy that can go stale. A memo of an outside lookup keyed by all of its inputs (the key holds every parameter of the function, and the value comes only from them through this module\'s own code or an HTTP client asking a service, reading no ORM or cache: a geocoded address) is not flagged: nothing the project changes makes it stale; a helper imported from elsewhere, a module global or an attribute of a parameter keeps the finding. Keys that name their content (a hash, digest, checksum or version, also through local variables: `checksum = md5(payload).hexdigest(); key = "render:" + checksum`) are never flagged.',
  },
  checkPython({ module, project, config, report }) {
    for (const call of module.facts.cacheCalls) {
      if (!STORE_METHODS.has(call.method)) continue;
      const timeout = timeoutArgument(call);
      if (!timeout) continue;
      const scope = project.keyScope(module, call.functionIndex, call.span.start);
      const isNone = timeout.kind === 'none' || scope.valueOf(timeout)?.expr.kind === 'none';
      if (!isNone) continue;
      // A store in a signal receiver (`@receiver(post_save, ...)`) runs where the data changes: it is the refresh.
      const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
      if (fn?.decorators.some((decorator) => decorator.qualified === Q.receiver || decorator.qualified === 'django.dispatch.dispatcher.receiver')) continue;
      if (storesWriteTime(module, call) || writtenByJob(module, call) || memoOfExternalLookup(module, call)) continue;
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
