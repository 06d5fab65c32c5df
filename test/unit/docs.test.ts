import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  type ApiDoc,
  LESSON_SECTIONS,
  backendDoc,
  cacheMethodDoc,
  cacheTagDoc,
  cacheTagUsingDoc,
  documentedNames,
  lessonSectionTitle,
  qualifiedNameDoc,
  renderHover,
  settingsKeyDoc,
} from '../../server/src/docs/cache-api.js';
import { PYTHON, pythonSyntaxError } from '../helpers/python.js';

const SYNC_METHODS = [
  'get', 'set', 'add', 'delete', 'get_or_set', 'get_many', 'set_many', 'delete_many',
  'touch', 'incr', 'decr', 'has_key', 'clear', 'incr_version', 'decr_version', 'close',
];
const ASYNC_METHODS = SYNC_METHODS.map((name) => `a${name}`);
const QUALIFIED_NAMES = [
  'django.core.cache.cache',
  'django.core.cache.caches',
  'django.views.decorators.cache.cache_page',
  'django.views.decorators.cache.never_cache',
  'django.views.decorators.cache.cache_control',
  'django.views.decorators.vary.vary_on_cookie',
  'django.views.decorators.vary.vary_on_headers',
  'django.utils.cache.patch_vary_headers',
  'django.core.cache.utils.make_template_fragment_key',
  'django.middleware.cache.UpdateCacheMiddleware',
  'django.middleware.cache.FetchFromCacheMiddleware',
  'django.middleware.cache.CacheMiddleware',
];
const SETTINGS_KEYS = ['CACHES', 'BACKEND', 'LOCATION', 'TIMEOUT', 'KEY_PREFIX', 'VERSION', 'OPTIONS', 'KEY_FUNCTION'];
const BACKENDS = [
  'django.core.cache.backends.locmem.LocMemCache',
  'django.core.cache.backends.filebased.FileBasedCache',
  'django.core.cache.backends.db.DatabaseCache',
  'django.core.cache.backends.memcached.PyMemcacheCache',
  'django.core.cache.backends.memcached.PyLibMCCache',
  'django.core.cache.backends.memcached.MemcachedCache',
  'django.core.cache.backends.redis.RedisCache',
  'django.core.cache.backends.dummy.DummyCache',
];

const sorted = (names: readonly string[]) => [...names].sort();

/** Every doc reachable through the public lookups, with a label for failure messages. */
function allDocs(): Array<[string, ApiDoc]> {
  const docs: Array<[string, ApiDoc | undefined]> = [
    ...[...SYNC_METHODS, ...ASYNC_METHODS].map((name): [string, ApiDoc | undefined] => [`method ${name}`, cacheMethodDoc(name)]),
    ...QUALIFIED_NAMES.map((name): [string, ApiDoc | undefined] => [name, qualifiedNameDoc(name)]),
    ...SETTINGS_KEYS.map((name): [string, ApiDoc | undefined] => [`setting ${name}`, settingsKeyDoc(name)]),
    ...BACKENDS.map((name): [string, ApiDoc | undefined] => [name, backendDoc(name)]),
    ...[null, 0, 1, 2, 3].map((index): [string, ApiDoc | undefined] => [`{% cache %} argument ${index}`, cacheTagDoc(index)]),
    ['{% cache %} using=', cacheTagUsingDoc()],
  ];
  return docs.map(([label, doc]) => {
    assert.ok(doc, `${label} has no doc`);
    return [label, doc];
  });
}

/**
 * Parameter names of a Python call signature written as `name(a, b=1, *, c=None, **kw)`: defaults
 * dropped, a bare `*` dropped, `*args`/`**kwargs` kept with their stars.
 */
function parameterNames(signature: string): string[] {
  const open = signature.indexOf('(');
  assert.ok(open >= 0, `no parameter list in ${signature}`);
  const params: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of signature.slice(open + 1)) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (ch === ',' && depth === 0) {
      params.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  params.push(current);
  return params
    .map((param) => param.split('=')[0]!.trim())
    .filter((name) => name !== '' && name !== '*');
}

test('documentedNames() lists exactly the names Cache Coach documents', () => {
  const names = documentedNames();
  assert.deepEqual(sorted(names.methods), sorted([...SYNC_METHODS, ...ASYNC_METHODS]));
  assert.deepEqual(sorted(names.qualifiedNames), sorted(QUALIFIED_NAMES));
  assert.deepEqual(sorted(names.settingsKeys), sorted(SETTINGS_KEYS));
  assert.deepEqual(sorted(names.backends), sorted(BACKENDS));
});

test('every doc has a title, signature and summary, a known lesson section, and a well-formed pitfall and version', () => {
  for (const [label, doc] of allDocs()) {
    assert.ok(doc.title.trim(), `${label}: empty title`);
    assert.ok(doc.signature.trim(), `${label}: empty signature`);
    assert.ok(doc.summary.trim(), `${label}: empty summary`);
    assert.ok(LESSON_SECTIONS.includes(doc.lessonSection), `${label}: unknown lesson section ${doc.lessonSection}`);
    assert.notEqual(lessonSectionTitle(doc.lessonSection), doc.lessonSection, `${label}: lesson section without a title`);
    if (doc.pitfall !== undefined) assert.ok(doc.pitfall.trim(), `${label}: empty pitfall`);
    if (doc.since !== undefined) {
      assert.match(doc.since, /^\d+\.\d+$/, `${label}: since must look like "4.0"`);
      const [major, minor] = doc.since.split('.').map(Number) as [number, number];
      assert.ok(major > 3 || (major === 3 && minor > 2), `${label}: since ${doc.since} is not later than 3.2`);
    }
  }
});

test('the lesson sections are the eleven the lesson defines', () => {
  assert.deepEqual([...LESSON_SECTIONS], [
    'why-cache', 'low-level-api', 'timeouts', 'cache-aside', 'per-view-cache', 'site-cache',
    'template-fragments', 'backends', 'key-design', 'invalidation', 'using-cache-coach',
  ]);
});

test('unknown names have no docs, including inherited object properties', () => {
  for (const name of ['', 'nope', 'constructor', '__proto__', 'toString', 'validate_key', 'aincr_versions']) {
    assert.equal(cacheMethodDoc(name), undefined, name);
    assert.equal(qualifiedNameDoc(name), undefined, name);
    assert.equal(settingsKeyDoc(name), undefined, name);
    assert.equal(backendDoc(name), undefined, name);
  }
  assert.equal(qualifiedNameDoc('cache_page'), undefined, 'only qualified names are looked up');
  assert.equal(settingsKeyDoc('timeout'), undefined, 'settings keys are upper case');
});

test('sync method signatures are written as calls on `cache` and have no `since`', () => {
  for (const name of SYNC_METHODS) {
    const doc = cacheMethodDoc(name)!;
    assert.equal(doc.title, `cache.${name}`);
    assert.ok(doc.signature.startsWith(`cache.${name}(`), doc.signature);
    assert.equal(doc.since, undefined, name);
  }
});

test('async methods exist since Django 4.0 and take the same parameters as their sync counterparts', () => {
  for (const name of SYNC_METHODS) {
    const sync = cacheMethodDoc(name)!;
    const async = cacheMethodDoc(`a${name}`)!;
    assert.equal(async.title, `cache.a${name}`);
    assert.equal(async.since, '4.0');
    assert.ok(async.signature.startsWith(`await cache.a${name}(`), async.signature);
    assert.deepEqual(parameterNames(async.signature), parameterNames(sync.signature), `a${name}`);
    assert.equal(async.lessonSection, sync.lessonSection);
  }
  assert.match(cacheMethodDoc('aget_or_set')!.pitfall!, /async def/);
});

test('backend versions: Redis is 4.0+, MemcachedCache is deprecated in 3.2 and removed in 4.1', () => {
  assert.equal(backendDoc('django.core.cache.backends.redis.RedisCache')!.since, '4.0');
  const memcached = backendDoc('django.core.cache.backends.memcached.MemcachedCache')!;
  assert.equal(memcached.since, undefined);
  assert.match(memcached.summary, /[Dd]eprecated in Django 3\.2/);
  assert.match(memcached.summary, /removed in 4\.1/);
  for (const path of BACKENDS) {
    assert.ok(backendDoc(path)!.signature.includes(`"BACKEND": "${path}"`), path);
    assert.equal(backendDoc(path)!.lessonSection, 'backends');
  }
  assert.match(backendDoc('django.core.cache.backends.locmem.LocMemCache')!.pitfall!, /process/);
});

test('docs state the behaviours the probes show', () => {
  assert.match(cacheMethodDoc('set')!.pitfall!, /`timeout=0`/);
  assert.match(cacheMethodDoc('set')!.summary, /300 s/);
  assert.match(cacheMethodDoc('set')!.summary, /`None` means the entry never expires/);
  assert.match(cacheMethodDoc('add')!.summary, /only when `key` is absent/);
  assert.match(qualifiedNameDoc('django.views.decorators.cache.cache_page')!.pitfall!, /`cache_page\(None\)`.*600 s/);
  assert.match(qualifiedNameDoc('django.views.decorators.vary.vary_on_cookie')!.pitfall!, /below `@cache_page`/);
  assert.match(qualifiedNameDoc('django.middleware.cache.UpdateCacheMiddleware')!.pitfall!, /first entry in `MIDDLEWARE`/);
  assert.match(qualifiedNameDoc('django.middleware.cache.FetchFromCacheMiddleware')!.pitfall!, /last entry in `MIDDLEWARE`/);
  assert.match(settingsKeyDoc('TIMEOUT')!.signature, /300/);
});

test('{% cache %} docs by argument position', () => {
  assert.equal(cacheTagDoc(null).title, '{% cache %}');
  assert.match(cacheTagDoc(null).summary, /\{% load cache %\}/);
  assert.match(cacheTagDoc(0).title, /timeout/);
  assert.match(cacheTagDoc(0).summary, /`None`/);
  assert.match(cacheTagDoc(1).title, /fragment name/);
  assert.match(cacheTagDoc(1).summary, /verbatim/);
  assert.match(cacheTagDoc(1).summary, /quotes/);
  assert.match(cacheTagDoc(1).pitfall!, /make_template_fragment_key/);
  for (const index of [2, 3, 7]) assert.match(cacheTagDoc(index).title, /vary-on/);
  assert.match(cacheTagDoc(2).pitfall!, /make_template_fragment_key/);
  assert.equal(cacheTagDoc(-1), cacheTagDoc(null));
  assert.equal(cacheTagDoc(1.5), cacheTagDoc(null));
});

test('renderHover shows the signature in a python block, the summary, the pitfall and the lesson link', () => {
  const calls: string[] = [];
  const link = (section: string) => {
    calls.push(section);
    return `command:cacheCoach.openLesson?${encodeURIComponent(JSON.stringify([section]))}`;
  };
  for (const [label, doc] of allDocs()) {
    calls.length = 0;
    const markdown = renderHover(doc, link);
    assert.ok(markdown.includes('```python\n' + doc.signature + '\n```'), `${label}: signature block`);
    assert.ok(markdown.includes(doc.title), `${label}: title`);
    assert.ok(markdown.includes(doc.summary), `${label}: summary`);
    if (doc.pitfall) assert.ok(markdown.includes(`**Pitfall:** ${doc.pitfall}`), `${label}: pitfall`);
    else assert.ok(!markdown.includes('**Pitfall:**'), `${label}: no pitfall line`);
    const lessonLine = `[Lesson: ${lessonSectionTitle(doc.lessonSection)}](${link(doc.lessonSection)})`;
    assert.equal(markdown.split('\n').at(-1), lessonLine, `${label}: the last line is the lesson link`);
    assert.deepEqual(calls.slice(0, 1), [doc.lessonSection]);
    if (doc.since) assert.ok(markdown.split('\n')[0]!.includes(`Django ${doc.since}+`), `${label}: version in the heading`);
  }
});

test('renderHover renders a doc without a pitfall', () => {
  const markdown = renderHover(
    { title: 'x', signature: 'x()', summary: 'Does x.', lessonSection: 'why-cache' },
    (section) => `https://example.test/lesson#${section}`,
  );
  assert.equal(markdown, '**`x`**\n\n```python\nx()\n```\n\nDoes x.\n\n[Lesson: Why cache, and what it costs](https://example.test/lesson#why-cache)');
});

test('settings and backend snippets are valid Python inside a CACHES alias dict', () => {
  const snippets = [...SETTINGS_KEYS.map((key) => settingsKeyDoc(key)!), ...BACKENDS.map((path) => backendDoc(path)!)];
  for (const doc of snippets) {
    const source = doc.title === 'CACHES' ? doc.signature : `{\n${doc.signature}\n}`;
    assert.equal(pythonSyntaxError(source), null, `${doc.title}: ${doc.signature}`);
  }
});

// Signatures against real Django (Debian's python3-django 3.2): parameter names, in order.
const DJANGO_SIGNATURES = String.raw`
import importlib, inspect, json, sys
from django.core.cache.backends.base import BaseCache

def names(obj):
    out = []
    for p in inspect.signature(obj).parameters.values():
        if p.name == 'self':
            continue
        prefix = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '')
        out.append(prefix + p.name)
    return out

methods = {name: names(getattr(BaseCache, name)) for name in json.loads(sys.argv[1])}
qualified = {}
for dotted in json.loads(sys.argv[2]):
    module, _, attr = dotted.rpartition('.')
    qualified[dotted] = names(getattr(importlib.import_module(module), attr))
print(json.dumps({'methods': methods, 'qualified': qualified}))
`;

/** Qualified names documented with a call signature (the cache objects are shown as an import). */
const CALLABLE_NAMES = QUALIFIED_NAMES.filter((name) => !['django.core.cache.cache', 'django.core.cache.caches'].includes(name));

function djangoSignatures(): { methods: Record<string, string[]>; qualified: Record<string, string[]> } | string {
  const probe = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `Django is not importable by ${PYTHON} (apt-get install python3-django); signatures not checked against Django`;
  }
  const result = spawnSync(PYTHON, ['-c', DJANGO_SIGNATURES, JSON.stringify(SYNC_METHODS), JSON.stringify(CALLABLE_NAMES)], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const django = djangoSignatures();
const skip = typeof django === 'string' ? django : false;

test('sync method signatures match Django\'s BaseCache', { skip }, () => {
  assert.ok(typeof django !== 'string');
  for (const name of SYNC_METHODS) {
    assert.deepEqual(parameterNames(cacheMethodDoc(name)!.signature), django.methods[name], `cache.${name}`);
  }
});

test('decorator, helper and middleware signatures match Django\'s', { skip }, () => {
  assert.ok(typeof django !== 'string');
  for (const name of CALLABLE_NAMES) {
    const signature = qualifiedNameDoc(name)!.signature;
    assert.ok(signature.startsWith(`${name.split('.').at(-1)}(`), signature);
    assert.deepEqual(parameterNames(signature), django.qualified[name], name);
  }
});
