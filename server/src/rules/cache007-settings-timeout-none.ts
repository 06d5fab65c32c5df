import type { Rule } from './rule.js';
import { assignmentsInForce, cacheAliases } from './settings-helpers.js';

export const cache007: Rule = {
  code: 'CACHE007',
  name: 'settings-timeout-none',
  severity: 'info',
  span: 'the TIMEOUT value',
  fix: 'unsafe',
  lessonSection: 'timeouts',
  docs: {
    summary: '`"TIMEOUT": None` on a cache alias in production settings.',
    why:
      'The alias\'s default timeout applies to every `set()` that does not pass its own. With `None`, all of those entries live until evicted, so any key the code forgets to invalidate is stale for good.',
    example: 'CACHES = {\n    "default": {\n        "BACKEND": "django.core.cache.backends.redis.RedisCache",\n        "LOCATION": REDIS_URL,\n        "TIMEOUT": None,\n    },\n}',
    useInstead: 'CACHES = {\n    "default": {\n        "BACKEND": "django.core.cache.backends.redis.RedisCache",\n        "LOCATION": REDIS_URL,\n        "TIMEOUT": 300,\n    },\n}\n# and pass timeout=None only for keys that are deleted when their data changes',
    cannotSee: 'Only literal CACHES dicts in settings modules judged to be production (see CACHE003) are read.',
  },
  checkPython({ module, settings, config, report }) {
    if (!settings.isSettingsModule(module)) return;
    for (const assignment of assignmentsInForce(module, 'CACHES')) {
      if (!settings.reachesProduction(module, assignment)) continue;
      for (const alias of cacheAliases(assignment.value)) {
        const timeout = alias.entry('TIMEOUT');
        if (timeout?.kind !== 'none') continue;
        report({
          span: timeout,
          message: `"TIMEOUT": None makes every entry of the "${alias.alias}" cache without its own timeout live forever.`,
          fixes: [{ title: `Default to ${config.defaultTimeout} seconds`, safety: 'unsafe', edits: [{ span: timeout, newText: String(config.defaultTimeout) }] }],
        });
      }
    }
  },
};
