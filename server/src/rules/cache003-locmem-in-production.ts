import type { PyModule, PythonProject } from '../analysis/python/project.js';
import type { SettingsIndex } from '../analysis/python/settings.js';
import type { Rule, SpanEdit } from './rule.js';
import { assignmentsInForce, cacheAliases, constantSetting, type CacheAlias } from './settings-helpers.js';

const LOCMEM = 'django.core.cache.backends.locmem.LocMemCache';
const REDIS = 'django.core.cache.backends.redis.RedisCache';
const CACHE_SESSION_ENGINES = new Set(['django.contrib.sessions.backends.cache', 'django.contrib.sessions.backends.cached_db']);

export const cache003: Rule = {
  code: 'CACHE003',
  name: 'locmem-in-production',
  severity: 'warning',
  span: 'the BACKEND value',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'backends',
  docs: {
    summary: 'Production settings use `LocMemCache` for the default cache, the session cache, the page cache or template fragments.',
    why:
      'LocMemCache lives inside one process. With several workers (gunicorn, uWSGI, several servers) each has its own copy: a `delete` in one worker leaves stale entries in the others, sessions stored in the cache vanish between requests, and memory grows per worker.',
    example: '# settings/production.py\nCACHES = {\n    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},\n}',
    useInstead:
      'CACHES = {\n    "default": {\n        "BACKEND": "django.core.cache.backends.redis.RedisCache",  # Django >= 4.0\n        "LOCATION": os.environ["REDIS_URL"],\n    },\n}',
    cannotSee:
      'Settings are judged by module name (`dev`, `development`, `local`, `test`, `tests`, `testing`, `ci` as whole path segments or `_`-separated words), `if DEBUG:` guards, the `dev-settings` / `production-settings` globs, and which production module star-imports a base module. Settings built at run time (from environment variables, `django-environ`, or a dict changed by code) are not evaluated. A deliberate per-process alias beside a shared default is fine and stays quiet.',
  },
  checkPython({ module, project, settings, report }) {
    if (!settings.isSettingsModule(module)) return;
    const important = importantAliases(module, project, settings);
    for (const assignment of assignmentsInForce(module, 'CACHES')) {
      if (!settings.reachesProduction(module, assignment)) continue;
      for (const alias of cacheAliases(assignment.value)) {
        const backend = alias.entry('BACKEND');
        if (!backend || !important.has(alias.alias) || constantSetting(project, module, backend) !== LOCMEM) continue;
        report({
          span: backend,
          message: `The "${alias.alias}" cache is LocMemCache in production settings: each worker process gets its own cache, so deletes and sessions do not reach the others.`,
          fixes: [{ title: 'Use the Redis backend (Django 4.0+), LOCATION from REDIS_URL', safety: 'unsafe', edits: redisEdits(module, alias, backend) }],
        });
      }
    }
  },
};

/** Aliases whose sharing matters: default, the session cache, the page-cache alias, template fragments. */
function importantAliases(module: PyModule, project: PythonProject, settings: SettingsIndex): Set<string> {
  const aliases = new Set(['default', 'template_fragments', ...project.facts().pageCacheAliases]);
  const setting = (name: string): string | number | undefined => {
    const assignment = settings.settingValue(module, name);
    return assignment ? constantSetting(project, module, assignment.value) : undefined;
  };
  const sessionEngine = setting('SESSION_ENGINE');
  const sessionAlias = setting('SESSION_CACHE_ALIAS');
  if (typeof sessionEngine === 'string' && CACHE_SESSION_ENGINES.has(sessionEngine) && typeof sessionAlias === 'string') aliases.add(sessionAlias);
  const middlewareAlias = setting('CACHE_MIDDLEWARE_ALIAS');
  if (typeof middlewareAlias === 'string') aliases.add(middlewareAlias);
  return aliases;
}

function redisEdits(module: PyModule, alias: CacheAlias, backend: { start: number; end: number }): SpanEdit[] {
  const quote = module.text[backend.start] === "'" ? "'" : '"';
  const edits: SpanEdit[] = [{ span: backend, newText: `${quote}${REDIS}${quote}` }];
  const location = `os.environ.get(${quote}REDIS_URL${quote}, ${quote}redis://127.0.0.1:6379/0${quote})`;
  const existing = alias.entry('LOCATION');
  if (existing) edits.push({ span: existing, newText: location });
  else edits.push({ span: { start: backend.end, end: backend.end }, newText: `, ${quote}LOCATION${quote}: ${location}` });
  if (module.facts.bindings.os !== 'os') {
    const at = module.facts.lastImportEnd >= 0 ? module.facts.lastImportEnd : 0;
    edits.push({ span: { start: at, end: at }, newText: at > 0 ? `${module.lines.eol}import os` : `import os${module.lines.eol}` });
  }
  return edits;
}

