/**
 * The front ends the fuzzer drives, one entry each: where its corpus comes from, the snippets that put a
 * cache call into a mutated file, and how to ask the engine whether a file passed the pre-filter.
 * Adding a front end (TS/JS) is one more entry in FRONT_ENDS.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Workspace } from '../../server/src/engine/workspace.js';
import { PYTHON_CANDIDATE } from '../../server/src/analysis/python/project.js';
import { isTemplatePath, TEMPLATE_CANDIDATE } from '../../server/src/analysis/template/project.js';
import { isPackageJsonPath, isTypeScriptPath } from '../../server/src/analysis/typescript/load.js';
import { RULES } from '../../server/src/rules/index.js';

export const ROOT = join(__dirname, '..', '..');
export const SAMPLE_PROJECT = join(ROOT, 'test', 'fixtures', 'sample-project');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const DJANGO = '/usr/lib/python3/dist-packages/django';

export interface CorpusFile {
  /** The workspace path the (mutated) file takes: sample-project files keep theirs, so companions resolve. */
  path: string;
  text: string;
  /** Where it came from, for reports. */
  origin: string;
  /** How often it is picked relative to the others. */
  weight: number;
}

export interface FrontEnd {
  name: string;
  corpus(): CorpusFile[];
  /** Snippets holding a cache call (or tag), spliced in by the `inject` mutation. */
  snippets: readonly string[];
  /** Tokens the `token` mutation writes over numbers, strings and names. */
  tokens: readonly string[];
  /** Whether the engine analyses the file rather than dropping it at the pre-filter. */
  isCandidate(workspace: Workspace, path: string): boolean;
  /** Whether the engine needs `loadTypeScript`. */
  needsTypeScript?: boolean;
  /** Which sample-project files may accompany a mutated file in the `project` mode (default: any). */
  companion?: (path: string) => boolean;
}

/** Sample-project files (paths relative to it) that accompany a mutated file in the `project` mode. */
let companions: string[] | undefined;

export function companionPaths(): string[] {
  return (companions ??= walk(SAMPLE_PROJECT)
    .map((file) => relative(SAMPLE_PROJECT, file))
    .filter((path) => path.endsWith('.py') || isTemplatePath(path) || isTypeScriptPath(path) || isPackageJsonPath(path)));
}

export function readCompanion(path: string): string {
  return readFileSync(join(SAMPLE_PROJECT, path), 'utf8');
}

function walk(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    if (entry === 'node_modules' || entry === '__pycache__' || entry === 'fuzz-regressions') continue;
    const path = join(directory, entry);
    const stats = statSync(path);
    if (stats.isDirectory()) found.push(...walk(path));
    else if (stats.isFile() && stats.size < 1_000_000) found.push(path);
  }
  return found;
}

/** Fixture files (the sample project first) whose workspace path `accept` takes. */
function fixtureFiles(accept: (path: string) => boolean, weight: number): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const file of walk(FIXTURES)) {
    const inSample = file.startsWith(SAMPLE_PROJECT + '/');
    const path = inSample ? relative(SAMPLE_PROJECT, file) : `fixtures/${relative(FIXTURES, file)}`;
    if (accept(path)) files.push({ path, text: readFileSync(file, 'utf8'), origin: `test/fixtures/${relative(FIXTURES, file)}`, weight });
  }
  return files;
}

/** Code of the rules' own examples (docs.example and docs.useInstead) for one front end. */
function ruleExamples(kind: 'checkPython' | 'checkTemplate' | 'checkTypeScript', place: (code: string, which: string, text: string) => string, weight: number, prelude = ''): CorpusFile[] {
  return RULES.filter((rule) => rule[kind]).flatMap((rule) =>
    (['example', 'useInstead'] as const).map((which) => ({ path: place(rule.code.toLowerCase(), which, rule.docs[which]), text: prelude + rule.docs[which] + '\n', origin: `${rule.code} docs.${which}`, weight })),
  );
}

const PYTHON_SNIPPETS = [
  'from django.core.cache import cache, caches',
  'from django.views.decorators.cache import cache_page, never_cache',
  'from django.views.decorators.vary import vary_on_cookie, vary_on_headers',
  'cache.set("recommendations", recs, 600)',
  'cache.set(f"order:{order.pk}", summary, None)',
  'cache.set("homepage:stats", stats, 0)',
  'cache.set(key, value, timeout=-1)',
  'cache.add("visits", 0)',
  'cache.get_or_set("top sellers", compute, None)',
  'caches["default"].set("k", v, 0)',
  'caches["sessions"].delete(f"order:{pk}")',
  'cache.delete("recommendations")',
  'cache.delete_many(["a", "b"])',
  'cache.set_many({"a": 1, "b": 2}, None)',
  'value = await cache.aget_or_set("k", fetch)',
  'async def fetch():\n    return 1',
  'await cache.aset("k" * 300, v, 0)',
  'cache.get("\\x00 bad key")',
  '@cache_page(None)',
  '@cache_page(60 * 15)',
  '@cache_page(60, cache="pages")',
  '@vary_on_cookie',
  '@vary_on_headers("Cookie")',
  '@cache_page(60)\ndef account(request):\n    return render(request, "catalog/home.html", {"orders": request.user.orders.all()})',
  '@vary_on_cookie\n@cache_page(60)\ndef detail(request, pk):\n    return render(request, "accounts/dashboard.html", {"s": request.session})',
  'urlpatterns = [path("", cache_page(None)(views.home))]',
  'patch_vary_headers(response, ["Cookie"])',
  'cache.delete(make_template_fragment_key("sidebar", [user.pk]))',
  'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": None}}',
  'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "TIMEOUT": 0}}',
  'MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n    "django.middleware.cache.UpdateCacheMiddleware",\n    "django.middleware.cache.FetchFromCacheMiddleware",\n]',
  'SESSION_ENGINE = "django.contrib.sessions.backends.cache"',
  'def recommendations_for(user):\n    recs = compute(user)\n    cache.set("recommendations", recs, 600)\n    return recs',
  'class Detail(View):\n    @method_decorator(cache_page(60))\n    def get(self, request):\n        return self.request.user',
  'cache.set("k", v, None)  # noqa: CACHE001',
  'cache.set("k", v, 0)  # noqa: CACHE001, CACHE006',
  'x = 1  # noqa: CACHE006',
  '# cache-coach: skip-file',
];

const PYTHON_TOKENS = [
  'None', '0', '-1', '-0', '1e309', '0x10', '60 * 15', 'timeout=None', 'timeout=0', 'request.user', 'request.session', 'request.COOKIES',
  'self.request.user', '"k"', 'f"k:{pk}"', '"a b"', '"\\n"', '"x" * 251', "'''", '"""', 'cache', 'caches["x"]', 'cache_page', 'vary_on_cookie',
  'lambda: 0', 'await', 'async', 'yield', '*args', '**kwargs', '...', ':=', '\\', '#', '\u00e9', '\u{1F600}', '\t', '\r', '\u2028',
];

const TEMPLATE_SNIPPETS = [
  '{% load cache %}',
  '{% load static cache i18n %}',
  '{% cache 500 sidebar %}<ul>{% for c in categories %}<li>{{ c.name }}</li>{% endfor %}</ul>{% endcache %}',
  '{% cache 500 sidebar request.user.pk %}{{ user.username }}{% endcache %}',
  '{% cache 300 greeting %}Hello {{ user.get_short_name }}{% endcache %}',
  '{% cache None bestsellers %}{{ books }}{% endcache %}',
  '{% cache 60 "quoted_name" %}x{% endcache %}',
  '{% cache 60 sidebar using="pages" %}y{% endcache %}',
  '{% cache 600 newsletter %}<form method="post">{% csrf_token %}</form>{% endcache %}',
  '{% cache 1 a %}{{ csrf_token }}{% endcache %}',
  '{% cache %}',
  '{% cache 5 %}',
  '{% endcache %}',
  '{% csrf_token %}',
  '{% extends "base.html" %}',
  '{% include "catalog/partials/footer_links.html" %}',
  '{% block content %}{% endblock %}',
  '{% if user.is_authenticated %}{{ request.session.cart }}{% endif %}',
  '{% comment %}{% cache 1 x %}{% endcomment %}',
  '{% verbatim %}{% cache 1 x %}{% endverbatim %}',
  '{# noqa: CACHE101 #}',
  '{# noqa: CACHE103, CACHE105 #}',
  '{# cache-coach: skip-file #}',
  '{% with u=user %}{% cache 9 w u.pk %}{{ u }}{% endcache %}{% endwith %}',
  '{{ messages }}{{ perms.app }}',
];

const TEMPLATE_TOKENS = [
  '{%', '%}', '{{', '}}', '{#', '#}', '{% endcache %}', '{% cache', '"', "'", 'None', '0', '-1', 'user', 'request.user', 'user.pk', 'perms',
  'using="x"', '|safe', '{% load %}', '\u{1F600}', '\t', '\r\n', '\r', '\u2028', '<!--', '-->', '<script>', '</script>',
];

export const pythonFrontEnd: FrontEnd = {
  name: 'python',
  corpus: () => [
    ...fixtureFiles((path) => path.endsWith('.py'), 4),
    ...ruleExamples('checkPython', (code, which, text) => (/CACHES|MIDDLEWARE/.test(text) ? `docs/settings/production_${code}_${which}.py` : `docs/${code}_${which}.py`), 4),
    ...djangoFiles((path, text) => path.endsWith('.py') && PYTHON_CANDIDATE.test(text), 1),
  ],
  snippets: PYTHON_SNIPPETS,
  tokens: PYTHON_TOKENS,
  isCandidate: (workspace, path) => workspace.python.isCandidate(path),
};

export const templateFrontEnd: FrontEnd = {
  name: 'template',
  corpus: () => [
    ...fixtureFiles((path) => isTemplatePath(path), 4),
    // The template-lexer fixtures are not under a templates/ folder: give them a template path.
    ...fixtureFiles((path) => path.startsWith('fixtures/templates-lexer/'), 4).map((file) => ({ ...file, path: `lexer/templates/lexer/${file.path.split('/').pop()!.replace(/\.\w+$/, '.html')}` })),
    ...ruleExamples('checkTemplate', (code, which) => `docs/templates/docs/${code}_${which}.html`, 3),
    // Few of Django's own templates cache anything: picked half as often, so most inputs still hold a cache tag.
    ...djangoFiles((path) => isTemplatePath(path), 0.5),
  ],
  snippets: TEMPLATE_SNIPPETS,
  tokens: TEMPLATE_TOKENS,
  isCandidate: (workspace, path) => TEMPLATE_CANDIDATE.test(workspace.templates.textOf(path) ?? ''),
};

// The TS/JS pre-filter wants an import of a cache library in the file (or in a module it imports): most snippets bring one.
const TS_CLIENT = "import Redis from 'ioredis';\nconst redis = new Redis();\n";
const TYPESCRIPT_SNIPPETS = [
  "import Redis from 'ioredis';\nconst redis = new Redis();",
  "import { createClient } from 'redis';\nconst client = createClient();",
  "import { LRUCache } from 'lru-cache';\nconst lru = new LRUCache({ max: 100 });",
  "import NodeCache from 'node-cache';\nconst nc = new NodeCache({ stdTTL: 0 });",
  "import Keyv from 'keyv';\nconst keyv = new Keyv();",
  `${TS_CLIENT}await redis.set('recommendations', JSON.stringify(recs));`,
  `${TS_CLIENT}await redis.set(\`user:\${id}\`, data, 'EX', 60);`,
  "import { createClient } from 'redis';\nconst client = createClient();\nawait client.set('k', v, { EX: 0 });",
  "import Keyv from 'keyv';\nconst keyv = new Keyv();\nawait keyv.set('k', v, 60);",
  `${TS_CLIENT}await redis.del('recommendations');`,
  'const x = require("ioredis");',
];

/** TS/JS: off by default while server/src/analysis/typescript/ is being written; `--front-end typescript` runs it. */
export const typescriptFrontEnd: FrontEnd = {
  name: 'typescript',
  corpus: () => [
    ...fixtureFiles((path) => isTypeScriptPath(path), 4),
    // The examples leave out their imports: give them the clients they use.
    ...ruleExamples('checkTypeScript', (code, which) => `docs/${code}_${which}.ts`, 6, "import Redis from 'ioredis';\nimport { LRUCache } from 'lru-cache';\nconst redis = new Redis();\nconst cache = new Redis();\n"),
  ],
  snippets: TYPESCRIPT_SNIPPETS,
  tokens: ['0', '-1', 'undefined', 'null', '60 * 1000', "'EX'", "'PX'", '`k:${id}`', '"a b"', '{ ttl: 0 }', 'await', 'as any', '!', '?.', '<T>', '\u{1F600}', '\r\n'],
  isCandidate: (workspace, path) => workspace.typescript.isCandidate(path),
  needsTypeScript: true,
  // Its modules and package.json: relative imports then resolve to the clients they create.
  companion: (path) => isTypeScriptPath(path) || isPackageJsonPath(path),
};

export const FRONT_ENDS: readonly FrontEnd[] = [pythonFrontEnd, templateFrontEnd, typescriptFrontEnd];
export const ALL_FRONT_ENDS: readonly FrontEnd[] = [pythonFrontEnd, templateFrontEnd, typescriptFrontEnd];

/** Files from Debian's python3-django; empty when it is not installed. */
function djangoFiles(accept: (path: string, text: string) => boolean, weight: number): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const file of walk(DJANGO)) {
    const path = `django/${relative(DJANGO, file)}`;
    if (!path.endsWith('.py') && !isTemplatePath(path)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (accept(path, text)) files.push({ path, text, origin: `${DJANGO}/${relative(DJANGO, file)}`, weight });
  }
  return files;
}

const corpora = new Map<string, CorpusFile[]>();

export function corpusOf(frontEnd: FrontEnd): CorpusFile[] {
  let corpus = corpora.get(frontEnd.name);
  if (!corpus) {
    corpus = frontEnd.corpus();
    if (corpus.length === 0) throw new Error(`the ${frontEnd.name} front end has an empty corpus`);
    corpora.set(frontEnd.name, corpus);
  }
  return corpus;
}

export function frontEndByName(name: string): FrontEnd {
  const found = ALL_FRONT_ENDS.find((frontEnd) => frontEnd.name === name);
  if (!found) throw new Error(`unknown front end "${name}" (known: ${ALL_FRONT_ENDS.map((frontEnd) => frontEnd.name).join(', ')})`);
  return found;
}
