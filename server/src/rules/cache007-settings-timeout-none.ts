import { STORE_METHODS, type PyModule, type PythonProject } from '../analysis/python/project.js';
import { timeoutArgument } from './python-helpers.js';
import type { Rule } from './rule.js';
import { assignmentsInForce, cacheAliases, constantSetting } from './settings-helpers.js';
import { neverInvalidatedKeys, storesWriteTime, writtenByJob } from './stale-keys.js';

export const cache007: Rule = {
  code: 'CACHE007',
  name: 'settings-timeout-none',
  severity: 'info',
  span: 'the TIMEOUT value',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'timeouts',
  docs: {
    summary: '`"TIMEOUT": None` on a cache alias in production settings, while some write to that alias relies on the default timeout and nothing ever deletes or re-sets its key.',
    why:
      'The alias\'s default timeout applies to every `set()` that does not pass its own. With `None`, all of those entries live until evicted, so a key the code never invalidates is stale for good.',
    example:
      'CACHES = {\n    "default": {\n        "BACKEND": "django.core.cache.backends.redis.RedisCache",\n        "LOCATION": REDIS_URL,\n        "TIMEOUT": None,\n    },\n}\n\n# shop/views.py\ncache.set("homepage:banner", banner)  # no timeout, never deleted',
    useInstead: 'CACHES = {\n    "default": {\n        "BACKEND": "django.core.cache.backends.redis.RedisCache",\n        "LOCATION": REDIS_URL,\n        "TIMEOUT": 300,\n    },\n}\n# and pass timeout=None only for keys that are deleted when their data changes',
    cannotSee:
      'Only literal CACHES dicts in settings modules judged to be production (see CACHE003) are read. Writes are judged like CACHE001: a key deleted or re-set anywhere in the project, a key naming its content (hash, digest, version) or a time window (date, hour, bucket, rate limit), and an alias used for rate limiting need no invalidation. Writes made by third-party packages (thumbnails, sessions, rate-limit libraries) are not seen and do not count.',
  },
  checkPython({ module, project, settings, config, report }) {
    if (!settings.isSettingsModule(module)) return;
    for (const assignment of assignmentsInForce(module, 'CACHES')) {
      for (const alias of cacheAliases(assignment.value)) {
        const timeout = alias.entry('TIMEOUT');
        // Whether the settings reach production is asked once TIMEOUT is None: following their imports may parse every settings module.
        if (timeout?.kind !== 'none' || isRateLimitAlias(project, module, alias.alias) || !settings.reachesProduction(module, assignment)) continue;
        const stale = staleDefaultTimeoutWrite(project, alias.alias);
        if (!stale) continue;
        report({
          span: timeout,
          message: `"TIMEOUT": None makes every entry of the "${alias.alias}" cache written without its own timeout live forever, and "${stale.template}" (${stale.path}:${stale.line}) is written that way and never deleted or re-set: readers get a stale value until the cache restarts.`,
          fixes: [{ title: `Default to ${config.defaultTimeout} seconds`, safety: 'unsafe', edits: [{ span: timeout, newText: String(config.defaultTimeout) }] }],
        });
      }
    }
  },
};

/** A key that embeds a time window (`f"rl:{ip}:{now:%H%M}"`, `"stats:" + day`): a new key per window, nothing to invalidate. */
const TIME_WINDOW = /(^|[^a-z])(time|date|day|hour|minute|week|month|year|window|bucket|now|timestamp|period|epoch|rate|throttle|ratelimit|limit|attempts?)([^a-z]|$)/i;

/** An alias named for rate limiting, or the one a rate-limit setting (`RATELIMIT_USE_CACHE`) names. */
function isRateLimitAlias(project: PythonProject, module: PyModule, alias: string): boolean {
  if (/rate|throttl|limit/i.test(alias)) return true;
  return module.facts.assignments.some((assignment) => /RATELIMIT|THROTTL/.test(assignment.name) && constantSetting(project, module, assignment.value) === alias);
}

/** The first write to the alias that relies on its default timeout and whose key nothing invalidates. */
function staleDefaultTimeoutWrite(project: PythonProject, alias: string): { template: string; path: string; line: number } | undefined {
  for (const module of project.candidateModules()) {
    for (const call of module.facts.cacheCalls) {
      if (call.alias !== alias || !STORE_METHODS.has(call.method) || /touch$/.test(call.method) || call.hasStarArgs || timeoutArgument(call)) continue;
      if (storesWriteTime(module, call) || writtenByJob(project, module, call)) continue;
      const [stale] = neverInvalidatedKeys(project, module, call, (text) => TIME_WINDOW.test(text));
      if (stale) return { template: stale.template, path: module.path, line: module.lines.positionAt(call.span.start).line + 1 };
    }
  }
  return undefined;
}
