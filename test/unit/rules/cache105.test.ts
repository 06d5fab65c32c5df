import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { PYTHON } from '../../helpers/python.js';
import { allFindings } from './support.js';
import { assertTemplateFixIsClean } from './template-support.js';

const CODE = 'CACHE105';
const PAGE = 'shop/templates/shop/page.html';

function app(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'shop/__init__.py': '', [PAGE]: body, ...extra };
}

const SIGNALS = (name: string): Record<string, string> => ({
  'shop/signals.py': `from django.core.cache import cache\nfrom django.core.cache.utils import make_template_fragment_key\n\n\ndef forget():\n    cache.delete(make_template_fragment_key(${name}))\n`,
});

/** Renders `source` in Django and says which of `names` have a fragment entry in the cache afterwards. */
function storedUnder(source: string, names: string[]): string[] {
  const script = String.raw`
import json, sys
import django
from django.conf import settings
settings.configure(CACHES={'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}},
                   TEMPLATES=[{'BACKEND': 'django.template.backends.django.DjangoTemplates'}])
django.setup()
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.template import Context, Template
request = json.loads(sys.stdin.read())
Template(request['source']).render(Context({}))
print(json.dumps([name for name in request['names'] if cache.get(make_template_fragment_key(name)) is not None]))
`;
  const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ source, names }), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

// ---- flagged ----

test('a quoted fragment name is flagged, double or single quotes; the span is the name with its quotes', async () => {
  const files = app('{% load cache %}\n{% cache 500 "sidebar" %}A{% endcache %}\n{% cache 500 \'footer\' request.path %}B{% endcache %}\n');
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`, `${PAGE}:3`]);
  assert.deepEqual(await spans(CODE, files), ['"sidebar"', "'footer'"]);
  assert.deepEqual(storedUnder(files[PAGE], ['sidebar', '"sidebar"', 'footer']), ['"sidebar"'], 'Django keeps the quotes in the key');
});

test('the message points at a Python delete that uses the name without quotes', async () => {
  const files = app('{% load cache %}{% cache 500 "sidebar" %}A{% endcache %}', SIGNALS('"sidebar"'));
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.match(finding.message, /The Python code deletes make_template_fragment_key\('sidebar'\), which misses this fragment/);
});

// ---- quiet ----

test('unquoted names, quoted vary-on values and a Python delete of the quoted name itself are quiet', async () => {
  const files = app('{% load cache %}{% cache 500 sidebar "en" %}A{% endcache %}{% cache 500 "menu" %}B{% endcache %}', SIGNALS('\'"menu"\''));
  assert.deepEqual(await flagged(CODE, files), []);
});

test('{# noqa: CACHE105 #} on the tag line suppresses it', async () => {
  assert.deepEqual(await allFindings(app('{% load cache %}{% cache 500 "a" %}{# noqa: CACHE105 #}x{% endcache %}')), []);
});

// ---- the fix ----

test('the fix drops the quotes; the result compiles, is quiet and matches make_template_fragment_key("sidebar")', async () => {
  const files = app('{% load cache %}\n{% cache 500 "sidebar" %}A{% endcache %}\n', SIGNALS('"sidebar"'));
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.deepEqual(finding.fixes.map((fix) => [fix.title, fix.safety]), [['Drop the quotes: sidebar', 'safe']]);
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, '{% load cache %}\n{% cache 500 sidebar %}A{% endcache %}\n');
  assert.deepEqual(storedUnder(text, ['sidebar', '"sidebar"']), ['sidebar']);
});

test('with timeout None and a Python delete of the bare name, the fix also settles CACHE104', async () => {
  const files = app("{% load cache %}{% cache None 'shop.footer:v2' %}x{% endcache %}", SIGNALS('"shop.footer:v2"'));
  assert.deepEqual(await allFindings(files), [`${PAGE}:1 CACHE105`]);
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, '{% load cache %}{% cache None shop.footer:v2 %}x{% endcache %}');
  assert.deepEqual(await allFindings({ ...files, [PAGE]: text }), []);
});

test('no fix when the name is not a plain word without its quotes (spaces, braces, empty)', async () => {
  const files = app('{% load cache %}{% cache 500 "side bar" %}A{% endcache %}{% cache 500 "a{b" %}B{% endcache %}{% cache 500 "" %}C{% endcache %}');
  const findings = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.equal(findings.length, 3);
  for (const finding of findings) assert.deepEqual(finding.fixes, []);
});

test('a warning only where Python invalidates the fragment by its bare name; otherwise a hint (info)', async () => {
  const severities = async (files: Record<string, string>): Promise<string[]> => (await findingsOf(files)).filter((f) => f.code === CODE).map((f) => f.severity);
  const template = '{% load cache %}{% cache 500 "sidebar" %}A{% endcache %}';
  assert.deepEqual(await severities(app(template)), ['info']);
  assert.deepEqual(await severities(app(template, SIGNALS('"footer"'))), ['info']);
  assert.deepEqual(await severities(app(template, SIGNALS('"sidebar"'))), ['warning']);
});
