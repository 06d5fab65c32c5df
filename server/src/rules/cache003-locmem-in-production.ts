import type { Deployment, Deployments } from '../analysis/deployment.js';
import type { Expr } from '../analysis/python/expr.js';
import type { SettingCondition } from '../analysis/python/facts.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import { isDevPathByName, type SettingsIndex } from '../analysis/python/settings.js';
import type { TemplateProject } from '../analysis/template/project.js';
import type { Span } from '../analysis/types.js';
import type { FixSpec, Report, Rule, SpanEdit } from './rule.js';
import { aliasValues, assignmentsInForce, cacheAliases, constantSetting, type CacheAlias } from './settings-helpers.js';

const LOCMEM = 'django.core.cache.backends.locmem.LocMemCache';
const REDIS = 'django.core.cache.backends.redis.RedisCache';
const CACHE_SESSION_ENGINES = new Set(['django.contrib.sessions.backends.cache', 'django.contrib.sessions.backends.cached_db']);

export const cache003: Rule = {
  code: 'CACHE003',
  name: 'locmem-in-production',
  severity: 'warning',
  span: 'the BACKEND value (or the fallback)',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'backends',
  docs: {
    summary:
      'Production settings use `LocMemCache` for the default cache, the session cache, the page cache or template fragments — written down, or as the fallback (`env.cache(default="locmemcache://")`, an `if os.environ...` branch, no CACHES) that a shipped deployment leaves in effect.',
    why:
      'LocMemCache lives inside one process. With several workers (gunicorn, uWSGI, several servers) each has its own copy: a `delete` in one worker leaves stale entries in the others, sessions stored in the cache vanish between requests, and memory grows per worker.',
    example: '# settings/production.py\nCACHES = {\n    "default": env.cache("CACHE_URL", default="locmemcache://"),\n}\n# docker-compose.yml runs gunicorn --workers 4 and never sets CACHE_URL',
    useInstead:
      'CACHES = {\n    "default": {\n        "BACKEND": "django.core.cache.backends.redis.RedisCache",  # Django >= 4.0\n        "LOCATION": os.environ["REDIS_URL"],\n    },\n}\n# or keep the fallback and set CACHE_URL in every deployment (compose, chart, app.json)',
    cannotSee:
      'Settings are judged by their path below the project root (`dev`, `development`, `local`, `test`, `tests`, `testing`, `ci` as whole path segments or `_`-separated words, and a reusable app\'s development project: `devproject`, `testproject`, `example_project`), `if DEBUG:` guards, the `dev-settings` / `production-settings` globs, and which production module star-imports a base module. With django-split-settings (`include(...)` in the package\'s `__init__.py`), a module\'s setting is in force unless every non-development module included after it (other branches of the same `if`/`elif` chain excepted) replaces it; a module included under a condition on a variable whose name says CI or development (`GITHUB_CI`, `LOCAL_DEVELOPMENT`) is not production, and a fallback in a module included under `if os.environ.get("IN_DOCKER")` is judged only by the deployments that set that variable. Other run-time choices of settings files are not followed. A fallback is judged by the deployment files the repository ships (Dockerfiles, compose files, Procfile and app.json add-ons, render.yaml, fly.toml, Helm charts and Kubernetes manifests, `.env` examples a compose file reads, gunicorn/uWSGI configs): a variable counts as set when one of them gives it a non-empty value. A Procfile or a Dockerfile alone does not show the environment (the platform running them sets it), so a fallback only they leave unset is information, not a warning. A deployment that visibly runs the app in one process stays quiet: one instance (no replicas, scale or formation above 1), an application server whose worker count resolves to 1 (`--workers ${NUM_WORKERS:-1}` with the variable unset there, `workers = 1` in the gunicorn config it names; followed from the compose command, Procfile line or chart through the Dockerfile\'s CMD/ENTRYPOINT and the shell scripts they start, by file name), and no Celery/RQ/Huey worker or other process type beside it; a count it cannot read counts as several. CACHES taken from a configuration mapping only when it has the key (`if "CACHES" in config:`) is judged by the project\'s JSON/YAML configuration files (`base.json`, `config.yaml`, `settings.yaml`...) that a deployment points at by path and that hold other keys the settings read from that mapping; with none pointed at it stays quiet. A local settings module the repository does not keep in place is judged by the file a shipped Dockerfile copies there. Deployments configured elsewhere (a secrets manager, a generated `settings_local.py`) are not seen: without deployment files a fallback is only a hint. A condition comparing a variable\'s value (`CACHE_TYPE == "redis"`) is not taken as a fallback. A deliberate per-process alias beside a shared default is fine and stays quiet. LocMem written down in a project where nothing visibly relies on the cache being shared is information, not a warning: no cache calls, fragment keys or `{% cache %}` outside tests, no cache sessions or cache middleware, no DRF throttles or rate limits, none of the third-party apps known to keep state in the cache (axes, allauth, cachalot, constance, Wagtail...); `cache_page` alone only keeps a copy per process of pages that expire. Other third-party apps that use the cache are not seen.',
  },
  checkPython({ module, project, templates, settings, deployments, report }) {
    // Every fallback is judged by the shipped deployments and the variables that select this settings module.
    const judge = (fallback: Omit<Fallback, 'deployments' | 'selectors' | 'report'>): void =>
      judgeFallback({ ...fallback, deployments: deployments(), selectors: settings.selectingVariables(module), report });
    if (!settings.isSettingsModule(module)) return;
    const important = importantAliases(module, project, settings);
    // Later conditional changes of that alias (`if HAS_REDIS: CACHES["default"] = ...`) make the LocMem a fallback.
    const overridesLater = (after: number, alias: string): SettingCondition[] =>
      module.facts.settingConditions.filter((change) => {
        if (change.name !== 'CACHES' || change.span.start < after || /\bDEBUG\b/.test(change.condition)) return false;
        const statement = module.text.slice(change.span.start, change.span.end);
        return change.assigned || new RegExp(`^CACHES\\s*\\[\\s*["']${alias.replace(/\W/g, '\\$&')}["']\\s*\\]\\s*=`).test(statement);
      });
    for (const assignment of assignmentsInForce(module, 'CACHES')) {
      // LocMem in a branch is a fallback when it is what remains without the variable (`else:`, `if not REDIS_URL:`);
      // in a branch that asks for it (`elif CACHE_TYPE == "locmem":`) it is opted into, and stays quiet.
      const conditional = assignment.guard === 'conditional' ? module.facts.settingConditions.find((change) => change.name === 'CACHES' && change.assigned && change.span.start === assignment.span.start && asksForVariable(change.condition) && (change.branch === 'else' || NEGATED.test(productionCondition(change.condition)))) : undefined;
      // Asked only once something would be reported: following the settings' imports may parse every settings module.
      let reaches: boolean | undefined;
      const inForce = (): boolean => (reaches ??= assignment.guard === 'conditional' ? conditional !== undefined && settings.settingReachesProduction(module, 'CACHES') : settings.reachesProduction(module, assignment));
      for (const alias of cacheAliases(assignment.value)) {
        if (!important.has(alias.alias)) continue;
        const backend = alias.entry('BACKEND');
        if (backend && constantSetting(project, module, backend) === LOCMEM) {
          if (!inForce()) continue;
          const fixes = [{ title: 'Use the Redis backend (Django 4.0+), LOCATION from REDIS_URL', safety: 'unsafe' as const, edits: redisEdits(module, alias, backend) }];
          // LocMem written down, but only as the fallback of a condition: `if REDIS_URL: CACHES = redis; else: locmem`, or replaced later when a variable is set.
          const conditions = conditional ? [conditional] : overridesLater(assignment.span.end, alias.alias);
          if (conditions.length > 0) {
            judge({ alias: alias.alias, span: backend, variables: conditions.flatMap((change) => conditionVariables(module, change.condition)), fixes });
          } else if (!configuredElsewhere(project, deployments()) && !onlySingleProcess(deployments())) {
            const relied = reliesOnSharedCache(project, templates, settings);
            report({
              span: backend,
              message: relied
                ? `The "${alias.alias}" cache is LocMemCache in production settings: each worker process gets its own cache, so deletes and sessions do not reach the others.`
                : `The "${alias.alias}" cache is LocMemCache in production settings; nothing in the project visibly relies on it being shared (no cache calls, template fragments, cached sessions, cache middleware or throttles), but each worker process gets its own copy. Use a shared cache before relying on it.`,
              fixes,
              ...(relied ? {} : { severity: 'info' as const }),
            });
          }
          continue;
        }
        // `"BACKEND": env("CACHE_BACKEND", default="...LocMemCache")`, `{**env.cache_url(default="locmem://"), ...}`.
        const spread = alias.config.entries.filter((entry) => entry.key === null).map((entry) => entry.value);
        const fallback = [...(backend ? [backend] : []), ...spread].map((expr) => environmentFallback(project, module, expr)).find((found) => found !== undefined);
        if (fallback && inForce()) judge({ alias: alias.alias, span: fallback.span, variables: [fallback.variable], fixes: [] });
      }
      // `"default": env.cache("CACHE_URL", default="locmemcache://")`.
      for (const { alias, value } of aliasValues(assignment.value)) {
        const fallback = important.has(alias) ? environmentFallback(project, module, value) : undefined;
        if (fallback && inForce()) judge({ alias, span: fallback.span, variables: [fallback.variable], fixes: [] });
      }
    }
    // `if env("REDIS_URL"): CACHES = {...}` with no else and no CACHES before it: Django's default (LocMem) is the fallback.
    if (!important.has('default') || module.facts.assignments.some((assignment) => assignment.name === 'CACHES' && assignment.guard !== 'conditional')) return;
    const fromBase = module.facts.starImports.some((star) => {
      const base = project.resolveModule(star.module, module.path);
      return base !== undefined && base !== module && settings.settingValue(base, 'CACHES') !== undefined;
    });
    if (fromBase) return;
    // `if "CACHES" in config: CACHES = config["CACHES"]`: Django's default unless the configuration file provides it.
    const fromConfig = module.facts.settingConditions.find((change) => change.name === 'CACHES' && change.assigned && change.branch === 'then' && CONFIG_KEY_TEST.test(change.condition));
    if (fromConfig) {
      if (!hasElseBranch(module, fromConfig) && settings.settingReachesProduction(module, 'CACHES')) judgeConfigFallback(module, fromConfig, deployments(), report);
      return;
    }
    const onlyWhen = module.facts.settingConditions.filter((change) => change.name === 'CACHES' && change.assigned && change.branch === 'then' && asksForVariable(change.condition) && !NEGATED.test(productionCondition(change.condition)));
    const first = onlyWhen[0];
    if (!first || !settings.settingReachesProduction(module, 'CACHES')) return;
    if (hasElseBranch(module, first)) return;
    judge({
      alias: 'default',
      span: first.conditionSpan,
      variables: onlyWhen.flatMap((change) => conditionVariables(module, change.condition)),
      fixes: [],
      django: true,
    });
  },
};

/**
 * LocMem written in the settings, while every shipped deployment sets a cache-server variable that some settings
 * code reads (`CACHE_URL` in an `extra_settings.py` the image adds): the deployment replaces it in a way this
 * rule cannot follow, so it stays quiet.
 */
function configuredElsewhere(project: PythonProject, deployments: Deployments): boolean {
  if (deployments.deployments.length === 0) return false;
  let readers: string[] | undefined;
  return deployments.deployments.every((deployment) => {
    const variables = deployments.cacheVariables(deployment);
    if (variables.length === 0) return false;
    readers ??= project
      .allPaths()
      .filter((path) => /settings/i.test(path))
      .flatMap((path) => {
        const text = project.textOf(path);
        return text && /environ|getenv|\benv\b|config\(/.test(text) ? [text] : [];
      });
    return variables.some((variable) => readers!.some((text) => new RegExp(`["']${variable}["']`).test(text)));
  });
}

const CONFIG_KEY_TEST = /^["']CACHES["']\s+in\s+([A-Za-z_][\w.]*)$|^([A-Za-z_][\w.]*)\.get\(\s*["']CACHES["']\s*\)$/;

/**
 * CACHES taken from a configuration mapping only when it has the key. A deployment that points its processes
 * at a configuration file of the project (one holding other settings this module reads from that mapping, so it
 * is the file the settings load) without CACHES, and runs several processes, leaves Django's LocMem default in
 * effect. When no deployment points at such a file the rule cannot tell, and stays quiet.
 */
function judgeConfigFallback(module: PyModule, change: SettingCondition, deployments: Deployments, report: (report: Report) => void): void {
  const match = CONFIG_KEY_TEST.exec(change.condition);
  const mapping = match?.[1] ?? match?.[2];
  if (!mapping) return;
  const escaped = mapping.replace(/\./g, '\\.');
  const keysRead = new Set([...module.text.matchAll(new RegExp(`\\b${escaped}\\s*(?:\\.get\\(\\s*|\\[\\s*)["']([A-Z][A-Z0-9_]*)["']`, 'g'))].map((read) => read[1]).filter((key) => key !== 'CACHES'));
  if (keysRead.size === 0) return;
  const holds = (text: string, key: string): boolean => new RegExp(`(^|[\\s{,"'])${key}["']?\\s*:`, 'm').test(text);
  for (const deployment of deployments.deployments) {
    const lacking = deployments
      .configFilesOf(deployment)
      .find(({ config }) => [...keysRead].some((key) => holds(config.text, key)) && !holds(config.text, 'CACHES'));
    if (!lacking || deployments.singleProcess(deployment)) continue;
    report({
      span: change.conditionSpan,
      message: `Django's default cache (LocMemCache) is in effect unless the configuration provides CACHES, and ${lacking.config.path} (which ${lacking.via.path} points at) has none: each worker process of that deployment gets its own cache, so deletes and sessions do not reach the others.`,
      fixes: [],
    });
    return;
  }
}

/**
 * Code and settings that rely on one cache for every process: Django's cache sessions and middleware,
 * DRF throttles and rate limits (counters), and third-party apps known to keep shared state in the cache.
 * Not `cache_page` alone: its entries only expire, so a copy per process costs memory, not correctness.
 */
const SHARED_CACHE_USERS =
  /sessions\.backends\.cached?(_db)?\b|\b(?:Update|FetchFrom)?CacheMiddleware\b|\b(?:throttle_classes|DEFAULT_THROTTLE_\w+|\w*RateThrottle|ratelimit|django_ratelimit)\b|["'](?:axes|cachalot|cacheops|constance|django_q|allauth[\w.]*|sorl\.thumbnail|compressor|imagekit|django_select2|cms|wagtail[\w.]*|oscar|mezzanine|health_check[\w.]*|defender|waffle|knox|two_factor|hijack|djoser|graphql_jwt)["']/;

/**
 * Whether anything visibly relies on the default cache being shared between processes: low-level cache calls or
 * fragment keys in the project's own (non-test) code, `{% cache %}` in its templates, or the users above. A
 * project with none of them keeps nothing in the cache that another process would need to see.
 */
function reliesOnSharedCache(project: PythonProject, templates: TemplateProject, settings: SettingsIndex): boolean {
  const production = (path: string): boolean => !isDevPathByName(path) && !settings.isDevModule(path);
  return (
    project.candidateModules().some((module) => production(module.path) && (module.facts.cacheCalls.length > 0 || module.facts.otherCacheWrites.length > 0 || module.facts.fragmentKeyCalls.length > 0)) ||
    templates.candidateModules().some((template) => /\{%-?\s*cache\b/.test(template.text)) ||
    project.allPaths().some((path) => production(path) && SHARED_CACHE_USERS.test(project.textOf(path) ?? ''))
  );
}

/** Every shipped deployment runs the app in one process with nothing beside it: its LocMem is the only copy. */
function onlySingleProcess(deployments: Deployments): boolean {
  return deployments.deployments.length > 0 && deployments.deployments.every((deployment) => deployments.singleProcess(deployment));
}

interface Fallback {
  alias: string;
  span: Span;
  /** The environment variables that select a shared backend. */
  variables: string[];
  deployments: Deployments;
  report: (report: Report) => void;
  fixes: FixSpec[];
  /** The fallback is Django's own default (no CACHES assigned). */
  django?: boolean;
  /** Variables that select the settings module (django-split-settings): a deployment setting none of them does not run it. */
  selectors: string[];
}

/** A fallback is a problem where a shipped multi-process deployment leaves it in effect; without deployment files, a hint. */
/** Whether the `if` that assigns CACHES also assigns it in its `else:` (so no fallback remains). */
function hasElseBranch(module: PyModule, change: SettingCondition): boolean {
  return module.facts.settingConditions.some((other) => other.name === 'CACHES' && other.assigned && other.branch === 'else' && other.conditionSpan.start === change.conditionSpan.start);
}

function judgeFallback({ alias, span, variables, deployments, report, fixes, django, selectors }: Fallback): void {
  const names = [...new Set(variables)];
  const what = django ? 'Django\'s default cache (LocMemCache) is in effect' : `the "${alias}" cache falls back to LocMemCache`;
  const unless = names.length > 0 ? ` unless ${names.join(' or ')} is set` : '';
  if (names.length > 0 && deployments.deployments.length > 0) {
    // One web process with nothing else sharing the cache: LocMem is as shared as it needs to be.
    const runsModule = (deployment: Deployment): boolean => selectors.length === 0 || selectors.some((name) => deployments.sets(deployment, name));
    const leavingAll = deployments.deployments.filter((deployment) => runsModule(deployment) && !names.some((name) => deployments.sets(deployment, name)) && !deployments.singleProcess(deployment));
    const leaving = leavingAll.find((deployment) => deployments.declaresEnvironment(deployment));
    if (!leaving) {
      // Only a Procfile or an image leaves it unset: the platform running them sets the environment, which the repository does not show.
      if (leavingAll.length > 0) {
        report({
          span,
          message: `${capitalise(what)}${unless} (${leavingAll[0].path} runs several processes but does not say how the environment is set): each process would get its own cache. Make sure production configures a shared cache.`,
          fixes,
          severity: 'info',
        });
      }
      return;
    }
    report({
      span,
      message: `${capitalise(what)}${unless}, and ${leaving.path} does not set ${names.length === 1 ? 'it' : 'any of them'}: each worker process of that deployment gets its own cache, so deletes and sessions do not reach the others.`,
      fixes,
    });
    return;
  }
  const why = names.length === 0 ? 'which setting applies is decided at run time' : 'no deployment file in the repository says whether it is set';
  report({
    span,
    message: `${capitalise(what)}${unless} (${why}): with several worker processes each gets its own cache. Make sure production configures a shared cache.`,
    fixes,
    severity: 'info',
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Environment variables a condition reads: `os.environ.get("X")`, `env("X")`, `"X" in os.environ`, `env="X"`, one step through module names. */
function conditionVariables(module: PyModule, condition: string, depth = 0): string[] {
  const asked = depth === 0 ? productionCondition(condition) : condition;
  const found = [...asked.matchAll(ENVIRONMENT_VARIABLE)].map((match) => match[1] ?? match[2]).filter((name) => !/DEBUG/.test(name));
  if (depth > 0) return found;
  for (const name of asked.match(/\b[A-Za-z_]\w*\b/g) ?? []) {
    const assigned = module.facts.assignments.filter((assignment) => assignment.name === name);
    for (const assignment of assigned) found.push(...conditionVariables(module, module.text.slice(assignment.value.start, assignment.value.end), depth + 1));
  }
  return found;
}

const ENVIRONMENT_VARIABLE =
  /(?:\b(?:getenv|environ\.get|env(?:\.\w+)?|config|get_env\w*|env_\w+)\s*\(\s*|\benviron\s*\[\s*|\benv(?:iron_name)?\s*=\s*)["']([A-Z][A-Z0-9_]*)["']|["']([A-Z][A-Z0-9_]*)["']\s+in\s+os\.environ/g;

/**
 * A condition that asks whether a variable is set (`os.environ.get("REDIS_URL")`, `env("X")`, `HAS_REDIS`,
 * `"X" in os.environ`, `X is not None`), not which value it has (`CACHE_TYPE == "redis"` may hold by default).
 */
function asksForVariable(condition: string): boolean {
  // `if not DEBUG and os.getenv("REDIS_URL"):` is production's question: the variable decides there.
  const production = productionCondition(condition);
  if (/\bDEBUG\b/.test(production)) return false;
  const withoutEnvironmentTests = production.replace(/\bnot\s+in\s+os\.environ\b|\bin\s+os\.environ\b|\bis\s+(not\s+)?None\b|==\s*(""|''|None)/g, '');
  return !/==|!=|<|>|\bin\b/.test(withoutEnvironmentTests);
}

/** The condition as production sees it: `not DEBUG and X` is X. */
function productionCondition(condition: string): string {
  return condition.replace(/\bnot\s+(settings\.)?DEBUG\s+and\s+|\s+and\s+not\s+(settings\.)?DEBUG\b/g, '');
}

const NEGATED = /^not\b|\bis None$|==\s*(""|''|None)$/;

const CACHE_URL_CALLEES = /^(cache|cache_url|parse|config)$/;

/** A call that reads a variable and defaults to LocMem: `env.cache("CACHE_URL", default="locmemcache://")`. */
function environmentFallback(project: PythonProject, module: PyModule, expr: Expr): { span: Span; variable: string } | undefined {
  if (expr.kind !== 'call') return undefined;
  const defaultArg = expr.keywords.default ?? expr.args[1];
  const fallback = defaultArg ? constantSetting(project, module, defaultArg) : undefined;
  if (typeof fallback !== 'string' || !(fallback === LOCMEM || /^locmem(cache)?:\/\//.test(fallback))) return undefined;
  const named = expr.keywords.var ?? expr.keywords.name ?? expr.args[0];
  let variable = named ? constantSetting(project, module, named) : undefined;
  const callee = expr.callee.kind === 'attribute' ? expr.callee.attribute : expr.callee.kind === 'name' ? expr.callee.id : '';
  if (typeof variable !== 'string' && CACHE_URL_CALLEES.test(callee)) variable = 'CACHE_URL';
  if (typeof variable !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(variable)) return undefined;
  return { span: { start: defaultArg!.start, end: defaultArg!.end }, variable };
}

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

