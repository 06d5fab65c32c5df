/** What editors show of the key map: lens titles, the view's summaries and timeouts, the filter, the LSP shape. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyEntry, KeySite, Timeout } from '../../server/src/engine/key-map.js';
import { durationText, filterKeys, keyLenses, keySummary, timeoutText, toLspKeyMap } from '../../server/src/lsp/key-map.js';

const ROOT = '/home/dev/shop';
const site = (path: string, line: number, method: string, extra: Partial<KeySite> = {}): KeySite => ({ path: `${ROOT}/${path}`, line, column: 5, endLine: line, endColumn: 30, method, ...extra });
const seconds = (value: number): Timeout => ({ kind: 'seconds', seconds: value });

const book: KeyEntry = {
  key: 'catalog:book:{}',
  kind: 'key',
  language: 'python',
  alias: 'default',
  expires: 'always',
  invalidated: true,
  problems: [],
  writes: [site('catalog/services.py', 25, 'set', { timeout: seconds(300) })],
  reads: [site('catalog/services.py', 21, 'get')],
  invalidations: [site('catalog/signals.py', 12, 'delete', { how: 'delete' }), site('catalog/signals.py', 19, 'delete_many', { how: 'delete_many' })],
  findings: [],
};
const tree: KeyEntry = {
  key: 'catalog:category-tree',
  kind: 'key',
  language: 'python',
  alias: 'default',
  expires: 'never',
  invalidated: false,
  problems: ['never-invalidated'],
  writes: [site('catalog/services.py', 79, 'set', { timeout: { kind: 'never' } }), site('catalog/tasks.py', 10, 'set', { timeout: seconds(90000) })],
  reads: [],
  invalidations: [],
  findings: [{ code: 'CACHE001', severity: 'warning', message: 'never expires', path: `${ROOT}/catalog/services.py`, line: 79, column: 9 }],
};
const page: KeyEntry = {
  key: 'accounts.views.dashboard',
  kind: 'page',
  language: 'python',
  alias: 'default',
  expires: 'always',
  invalidated: false,
  problems: ['per-user-leak'],
  writes: [site('accounts/views.py', 42, 'cache_page', { timeout: seconds(120) })],
  reads: [],
  invalidations: [],
  findings: [],
};
const relative = (path: string): string => path.slice(ROOT.length + 1);
const fileName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

test('a lens above a write says when it expires and where the key is invalidated, in another file or the same one', () => {
  assert.deepEqual(keyLenses([book], `${ROOT}/catalog/services.py`, fileName), [
    { line: 25, column: 5, key: 'catalog:book:{}', kind: 'key', title: 'expires in 5 min · invalidated in signals.py:12 (+1 more)' },
  ]);
  const sameFile: KeyEntry = { ...book, invalidations: [site('catalog/services.py', 40, 'delete')] };
  assert.equal(keyLenses([sameFile], `${ROOT}/catalog/services.py`, fileName)[0].title, 'expires in 5 min · invalidated on line 40');
});

test('a key written forever and never deleted says so, per write; other files get no lens', () => {
  assert.deepEqual(
    keyLenses([tree], `${ROOT}/catalog/services.py`, fileName).map((lens) => lens.title),
    ['never expires · never invalidated'],
  );
  assert.deepEqual(keyLenses([tree], `${ROOT}/catalog/tasks.py`, fileName).map((lens) => lens.title), ['expires in 25 h · never invalidated']);
  assert.deepEqual(keyLenses([tree, book], `${ROOT}/catalog/signals.py`, fileName), [], 'invalidations and reads get no lens');
});

test('a per-user page cached for everyone says it is not varied on Cookie; a page has no invalidation to speak of', () => {
  assert.equal(keyLenses([page], `${ROOT}/accounts/views.py`, fileName)[0].title, 'expires in 2 min · per-user page: not varied on Cookie');
  const varied: KeyEntry = { ...page, problems: [], writes: [{ ...page.writes[0], vary: ['Cookie'] }] };
  assert.equal(keyLenses([varied], `${ROOT}/accounts/views.py`, fileName)[0].title, 'expires in 2 min · per-user page: varies on Cookie');
  const byLanguage: KeyEntry = { ...page, problems: [], writes: [{ ...page.writes[0], vary: ['Accept-Language'] }] };
  assert.equal(keyLenses([byLanguage], `${ROOT}/accounts/views.py`, fileName)[0].title, 'expires in 2 min · varies on Accept-Language');
  const plain: KeyEntry = { ...page, problems: [] };
  assert.equal(keyLenses([plain], `${ROOT}/accounts/views.py`, fileName)[0].title, 'expires in 2 min');
});

test('timeouts read as a person would say them', () => {
  assert.equal(durationText(45), '45 s');
  assert.equal(durationText(600), '10 min');
  assert.equal(durationText(5400), '1 h 30 min');
  assert.equal(durationText(3 * 86400), '3 days');
  assert.equal(timeoutText({ kind: 'never' }), 'None: never expires');
  assert.equal(timeoutText({ kind: 'never' }, 'typescript'), 'no TTL: never expires');
  assert.equal(timeoutText({ kind: 'default', seconds: 300, from: 'Django default (300 s)' }), 'default (5 min, Django default (300 s))');
  assert.equal(timeoutText({ kind: 'default', seconds: 600, from: 'settings/base.py:40' }), 'default (10 min, settings/base.py:40)');
  assert.equal(timeoutText({ kind: 'default', seconds: null, from: 'settings/production.py:43' }), 'default (None: never expires, settings/production.py:43)');
  assert.equal(timeoutText(seconds(0)), '0: not cached');
  assert.equal(timeoutText({ kind: 'unknown', text: 'settings.CATALOG_TTL' }), 'settings.CATALOG_TTL');
});

test("the view's summary: alias, expiry over all writes, and what is wrong", () => {
  assert.equal(keySummary(book), 'default · expires in 5 min');
  assert.equal(keySummary(tree), 'default · never expires · never invalidated');
  assert.equal(keySummary(page), 'default · expires in 2 min · per-user page');
  const ranged: KeyEntry = { ...book, alias: null, writes: [...book.writes, site('catalog/tasks.py', 3, 'set', { timeout: seconds(3600) })] };
  assert.equal(keySummary(ranged), 'expires in 5 min to 1 h');
});

test('the filter matches key text, alias, file paths below the folder, problems and rule codes, ignoring case', () => {
  const map = { keys: [tree, book, page] };
  const keys = (query: string | undefined): string[] => filterKeys(map, query, relative).map((entry) => entry.key);
  assert.deepEqual(keys(undefined), ['catalog:category-tree', 'catalog:book:{}', 'accounts.views.dashboard']);
  assert.deepEqual(keys('  '), keys(undefined));
  assert.deepEqual(keys('BOOK'), ['catalog:book:{}']);
  assert.deepEqual(keys('signals.py'), ['catalog:book:{}']);
  assert.deepEqual(keys('cache001'), ['catalog:category-tree']);
  assert.deepEqual(keys('leak'), ['accounts.views.dashboard']);
  assert.deepEqual(keys('home/dev'), [], 'the folder above the workspace is not part of what the user sees');
});

test('over LSP every path becomes a URI and nothing else changes', () => {
  const lsp = toLspKeyMap([tree], (path) => `file://${path}`);
  assert.equal(lsp.version, 1);
  const [entry] = lsp.keys;
  assert.equal(entry.writes[0].uri, `file://${ROOT}/catalog/services.py`);
  assert.equal('path' in entry.writes[0], false);
  assert.equal(entry.findings[0].uri, `file://${ROOT}/catalog/services.py`);
  assert.deepEqual(entry.writes[1].timeout, seconds(90000));
  assert.deepEqual(entry.problems, ['never-invalidated']);

  const defaulted: KeyEntry = { ...book, writes: [site('catalog/sitemap.py', 18, 'set', { timeout: { kind: 'default', seconds: null, from: `${ROOT}/bookshop/settings/production.py:43` } })] };
  const [shown] = toLspKeyMap([defaulted], (path) => `file://${path}`, relative).keys;
  assert.deepEqual(shown.writes[0].timeout, { kind: 'default', seconds: null, from: 'bookshop/settings/production.py:43' }, 'where the default comes from reads as a path in the workspace');
});
