/**
 * `cache-coach keys`: the JSON contract (validated against test/cli/keys-output.schema.json) and the text
 * output, on the bundled sample project, against expectations written from reading its code.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { copyOf, ROOT, runCli, SAMPLE_PROJECT } from './helpers.js';

interface Site {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  method: string;
  timeout?: Record<string, unknown>;
  how?: string;
  vary?: string[];
}

interface Entry {
  key: string;
  kind: string;
  language: string;
  alias: string | null;
  expires: string;
  invalidated: boolean;
  problems: string[];
  writes: Site[];
  reads: Site[];
  invalidations: Site[];
  findings: { code: string; path: string; line: number; column: number }[];
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(ROOT, 'test', 'cli', 'keys-output.schema.json'), 'utf8')));

function keysJson(args: string[], cwd: string): Entry[] {
  const run = runCli(['keys', ...args, '--format', 'json'], cwd);
  assert.equal(run.status, 0, run.stderr);
  const output = JSON.parse(run.stdout) as { version: number; keys: Entry[] };
  assert.ok(validate(output), JSON.stringify(validate.errors, null, 2));
  assert.equal(output.version, 1);
  return output.keys;
}

function entry(keys: Entry[], key: string, kind = 'key'): Entry {
  const found = keys.filter((candidate) => candidate.key === key && candidate.kind === kind);
  assert.equal(found.length, 1, `one ${kind} "${key}"`);
  return found[0];
}

const at = (sites: Site[]): string[] => sites.map((site) => `${site.path}:${site.line} ${site.method}${site.how ? ` (${site.how})` : ''}`);

function project(files: Record<string, string>): { dir: string; dispose(): void } {
  const copy = copyOf(join(ROOT, 'test', 'fixtures', 'empty'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(copy.dir, path, '..'), { recursive: true });
    writeFileSync(join(copy.dir, path), text);
  }
  return copy;
}

test('keys --format json on the sample project: the schema holds, and the Python keys are as its code writes, reads and deletes them', () => {
  const keys = keysJson([], SAMPLE_PROJECT);

  // catalog/services.py get_book: get, then set(..., None); catalog/signals.py deletes it on save and on a new review.
  const book = entry(keys, 'catalog:book:{}');
  assert.equal(book.language, 'python');
  assert.equal(book.alias, 'default');
  assert.deepEqual(
    book.writes.map((site) => [site.path, site.line, site.column, site.method, site.timeout]),
    [['catalog/services.py', 25, 9, 'set', { kind: 'never' }]],
  );
  assert.deepEqual(at(book.reads), ['catalog/services.py:21 get']);
  assert.deepEqual(at(book.invalidations), ['catalog/signals.py:13 delete (delete)', 'catalog/signals.py:19 delete_many (delete_many)']);
  assert.equal(book.expires, 'never');
  assert.equal(book.invalidated, true);
  assert.deepEqual(book.problems, []);

  // BESTSELLERS_KEY: get_or_set for an hour, re-set by the warm_bestsellers task, deleted on a new review.
  const bestsellers = entry(keys, 'catalog:bestsellers');
  assert.deepEqual(
    bestsellers.writes.map((site) => `${site.path}:${site.line} ${site.method} ${JSON.stringify(site.timeout)}`),
    ['catalog/services.py:50 get_or_set {"kind":"seconds","seconds":3600}', 'catalog/tasks.py:15 set {"kind":"seconds","seconds":3600}'],
  );
  assert.deepEqual(at(bestsellers.invalidations), ['catalog/signals.py:19 delete_many (delete_many)', 'catalog/tasks.py:15 set (overwrite)']);
  assert.equal(bestsellers.expires, 'always');

  // CATEGORY_TREE_KEY: None in the view's fill, 25 h in the refresh task.
  const tree = entry(keys, 'catalog:category-tree');
  assert.equal(tree.expires, 'sometimes');
  assert.deepEqual(at(tree.invalidations), ['catalog/tasks.py:10 set (overwrite)']);

  // author_bibliography: set with None, never deleted: CACHE001, a problem key.
  const bibliography = entry(keys, 'catalog:author:{}:bibliography');
  assert.deepEqual(bibliography.invalidations, []);
  assert.deepEqual(bibliography.findings.map((finding) => `${finding.code} ${finding.path}:${finding.line}:${finding.column}`), ['CACHE001 catalog/services.py:34:70']);
  assert.deepEqual(bibliography.problems, ['never-invalidated']);

  // The sitemap: no timeout on the "pages" alias, whose production TIMEOUT is None (CACHE007 names it).
  const sitemap = entry(keys, 'catalog:sitemap');
  assert.equal(sitemap.alias, 'pages');
  assert.deepEqual(sitemap.writes[0].timeout, { kind: 'default', seconds: null, from: 'bookshop/settings/production.py:43' });
  assert.deepEqual(sitemap.findings.map((finding) => finding.code), ['CACHE007']);
  assert.deepEqual(sitemap.problems, ['never-invalidated']);

  // record_visit: add() with no timeout takes the production "default" alias's, which sets none: Django's 300 s.
  assert.deepEqual(entry(keys, 'catalog:visits:{}').writes[0].timeout, { kind: 'default', seconds: 300, from: 'Django default (300 s)' });

  // recommendations_for: the per-user value under a shared key (CACHE002).
  assert.deepEqual(entry(keys, 'catalog:recommendations').problems, ['per-user-leak']);
});

test('keys --format json on the sample project: fragments, pages and TS keys', () => {
  const keys = keysJson([], SAMPLE_PROJECT);

  // home.html keeps the bestsellers block forever; catalog/signals.py deletes its key on a new review.
  const block = entry(keys, 'bestsellers_block', 'fragment');
  assert.equal(block.language, 'template');
  assert.deepEqual(block.writes.map((site) => [site.path, site.line, site.method, site.timeout]), [['catalog/templates/catalog/home.html', 12, '{% cache %}', { kind: 'never' }]]);
  assert.deepEqual(at(block.invalidations), ['catalog/signals.py:21 make_template_fragment_key (fragment-key)']);
  assert.deepEqual(entry(keys, 'category_tree', 'fragment').problems, ['never-invalidated']);
  const sidebar = entry(keys, 'sidebar', 'fragment');
  assert.deepEqual(sidebar.writes.map((site) => `${site.path}:${site.line}`), ['catalog/templates/catalog/category_list.html:8', 'catalog/templates/catalog/publisher_list.html:8']);
  assert.deepEqual(sidebar.problems, ['collision']);

  // Pages go to CACHE_MIDDLEWARE_ALIAS ("pages" in production); cache_page(None) falls back to CACHE_MIDDLEWARE_SECONDS (base.py).
  const publishers = entry(keys, 'catalog.views.publisher_list', 'page');
  assert.equal(publishers.alias, 'pages');
  assert.deepEqual(publishers.writes.map((site) => [site.path, site.line, site.timeout, site.vary]), [['catalog/views.py', 47, { kind: 'default', seconds: 300, from: 'bookshop/settings/base.py:79' }, []]]);
  assert.deepEqual(entry(keys, 'catalog.views.book_list', 'page').writes.map((site) => [site.path, site.line, site.timeout]), [['catalog/urls.py', 10, { kind: 'seconds', seconds: 900 }]]);
  assert.deepEqual(entry(keys, 'accounts.views.basket_badge', 'page').writes[0].vary, ['Cookie']);
  assert.deepEqual(entry(keys, 'catalog.views.book_detail', 'page').problems, ['per-user-leak']);

  // services/catalog-api: the product cache has no TTL and nothing deletes it; categories are deleted by the admin hook.
  const product = entry(keys, 'product:{}');
  assert.equal(product.language, 'typescript');
  assert.equal(product.alias, 'redis');
  assert.deepEqual(product.writes.map((site) => [site.path, site.line, site.method, site.timeout]), [['services/catalog-api/src/catalog.ts', 9, 'redis.set', { kind: 'never' }]]);
  assert.deepEqual(product.findings.map((finding) => finding.code), ['CACHE201']);
  assert.deepEqual(at(entry(keys, 'category:{}').invalidations), ['services/catalog-api/src/admin.ts:8 redis.del (delete)']);
  assert.deepEqual(entry(keys, 'bestsellers').writes[0].timeout, { kind: 'seconds', seconds: 600 });

  // Problem keys come first.
  const firstClean = keys.findIndex((candidate) => candidate.problems.length === 0);
  assert.ok(firstClean > 0);
  assert.ok(keys.slice(firstClean).every((candidate) => candidate.problems.length === 0));
});

test('keys text: one block per key, problem keys first, exit 0', () => {
  const run = runCli(['keys'], SAMPLE_PROJECT);
  assert.equal(run.status, 0);
  const blocks = run.stdout.split('\n\n');
  assert.match(blocks[0], /  ! never invalidated\n/);
  const book = blocks.find((block) => block.startsWith('catalog:book:{}  '));
  assert.equal(
    book,
    [
      'catalog:book:{}  [default]  never expires · invalidated',
      '  write       catalog/services.py:25  set  timeout None',
      '  read        catalog/services.py:21  get',
      '  invalidate  catalog/signals.py:13  delete',
      '  invalidate  catalog/signals.py:19  delete_many',
    ].join('\n'),
  );
  const bibliography = blocks.find((block) => block.startsWith('catalog:author:{}:bibliography  '));
  assert.match(bibliography ?? '', /^catalog:author:\{\}:bibliography  \[default\]  never expires · never invalidated  ! never invalidated\n/);
  assert.match(bibliography ?? '', /\n  finding     catalog\/services\.py:34:70  CACHE001 /);
  assert.match(run.stdout, /\npage catalog\.views\.publisher_list  \[pages\]  expires\n  write       catalog\/views\.py:47  cache_page  default timeout 300 s \(5 min\) \(bookshop\/settings\/base\.py:79\)  no vary\n/);
  assert.match(run.stdout, /\npage catalog\.views\.book_detail  \[pages\]  expires  ! per-user leak\n  write       catalog\/views\.py:24  cache_page  timeout 600 s \(10 min\)  no vary\n  finding     catalog\/views\.py:24:2  CACHE004 /);
  assert.match(run.stderr, /^\d+ keys, \d+ with problems\.\n$/);
});

test('keys from another folder: paths relative to the current folder; columns count code points', () => {
  const parent = join(SAMPLE_PROJECT, '..');
  const keys = keysJson(['sample-project/catalog'], parent);
  assert.deepEqual(at(entry(keys, 'catalog:book:{}').writes), ['sample-project/catalog/services.py:25 set']);
  // Only catalog/ was given: accounts/ is not read.
  assert.ok(!keys.some((candidate) => candidate.writes.some((site) => site.path.startsWith('sample-project/accounts/'))));

  const copy = project({ 'app/views.py': 'from django.core.cache import cache\n\ndef f():\n    x = "😀"; cache.set("k", x, 60)\n' });
  try {
    const [k] = keysJson([], copy.dir);
    assert.deepEqual([k.writes[0].line, k.writes[0].column, k.writes[0].endColumn], [4, 14, 35]);
  } finally {
    copy.dispose();
  }
});

test('keys on bad input: an empty project gives no keys, a file that does not parse leaves the others listed', () => {
  const empty = project({});
  const broken = project({
    'shop/broken.py': 'from django.core.cache import cache\n\ndef f(:\n    cache.set("broken", 1, None\n',
    'shop/ok.py': 'from django.core.cache import cache\n\ndef g():\n    cache.set("ok", 1, 60)\n',
    'shop/templates/shop/x.html': '{% load cache %}{% cache 60 open %}never closed',
  });
  try {
    assert.deepEqual(keysJson([], empty.dir), []);
    const text = runCli(['keys'], empty.dir);
    assert.equal(text.status, 0);
    assert.equal(text.stdout, '');
    assert.equal(text.stderr, '0 keys, 0 with problems.\n');
    const keys = keysJson([], broken.dir);
    assert.deepEqual(at(entry(keys, 'ok').writes), ['shop/ok.py:4 set']);
    assert.ok(!keys.some((candidate) => candidate.key === 'open'));
  } finally {
    empty.dispose();
    broken.dispose();
  }
});

test('keys usage errors exit 2, like check', () => {
  for (const args of [['keys', '--format', 'sarif'], ['keys', '--fix'], ['keys', 'no/such/folder']]) {
    const run = runCli(args, SAMPLE_PROJECT);
    assert.equal(run.status, 2, args.join(' '));
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^cache-coach: .*\n\nUsage:/);
  }
  assert.match(runCli(['--help'], ROOT).stdout, /cache-coach keys \[PATH\.\.\.\] \[--format text\|json\]/);
});
