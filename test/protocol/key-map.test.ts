/** The key map over LSP: `cacheCoach/keyMap`, `cacheCoach/keyMapChanged`, and the code lenses made from it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import type { LspKeyEntry, LspKeyMap } from '../../server/src/lsp/key-map.js';
import { copyOf, SAMPLE_PROJECT } from '../cli/helpers.js';
import { LspClient, uri } from './lsp-client.js';

let project: { dir: string; dispose(): void };
let client: LspClient;

before(async () => {
  project = copyOf(SAMPLE_PROJECT);
  client = await LspClient.start(project.dir);
});

after(async () => {
  await client.stop();
  project.dispose();
});

const keyMap = (query?: string): Promise<LspKeyMap> => client.connection.sendRequest('cacheCoach/keyMap', query === undefined ? {} : { query });
const where = (site: { uri: string; line: number }): string => `${site.uri.slice(uri(project.dir).length + 1)}:${site.line}`;
const entry = (map: LspKeyMap, key: string): LspKeyEntry => {
  const found = map.keys.find((candidate) => candidate.key === key);
  assert.ok(found, `${key} is in the map (keys: ${map.keys.map((candidate) => candidate.key).join(', ')})`);
  return found;
};

function openFile(relative: string): { documentUri: string; text: string } {
  const path = join(project.dir, relative);
  const text = readFileSync(path, 'utf8');
  return { documentUri: client.open(path, text), text };
}

async function lenses(documentUri: string): Promise<{ line: number; title: string; command: string; arguments: unknown[] }[]> {
  const found = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: documentUri } })) as CodeLens[];
  return found.map((lens) => ({ line: lens.range.start.line + 1, title: lens.command!.title, command: lens.command!.command, arguments: lens.command!.arguments ?? [] }));
}

test('initialize announces code lenses', () => {
  assert.deepEqual((client.initializeResult!.capabilities as { codeLensProvider?: unknown }).codeLensProvider, { resolveProvider: false });
});

test('cacheCoach/keyMap answers with the whole project once scanned, sites as URIs', async () => {
  const map = await keyMap();
  assert.equal(map.version, 1);
  const book = entry(map, 'catalog:book:{}');
  assert.equal(book.kind, 'key');
  assert.equal(book.language, 'python');
  assert.deepEqual(book.writes.map(where), ['catalog/services.py:25']);
  assert.deepEqual(book.writes[0].timeout, { kind: 'never' });
  assert.deepEqual(book.reads.map(where), ['catalog/services.py:21']);
  assert.deepEqual(book.invalidations.map(where), ['catalog/signals.py:13', 'catalog/signals.py:19']);
  assert.equal(book.invalidated, true);
  assert.deepEqual(book.problems, []);
  assert.equal('path' in book.writes[0], false);

  const bibliography = entry(map, 'catalog:author:{}:bibliography');
  assert.equal(bibliography.invalidated, false);
  assert.ok(bibliography.problems.includes('never-invalidated'));
  assert.ok(bibliography.findings.some((finding) => finding.code === 'CACHE001' && where(finding) === 'catalog/services.py:34'));
  assert.ok(map.keys.indexOf(bibliography) < map.keys.indexOf(book), 'keys with a problem come first');
});

test('a query keeps the keys that match it: a file name, a rule code', async () => {
  const inSignals = await keyMap('signals.py');
  assert.ok(inSignals.keys.length > 0);
  for (const found of inSignals.keys) {
    const sites = [...found.writes, ...found.reads, ...found.invalidations, ...found.findings];
    assert.ok(sites.some((site) => site.uri.endsWith('/catalog/signals.py')), `${found.key} has a site in signals.py`);
  }
  assert.ok(inSignals.keys.some((found) => found.key === 'catalog:book:{}'));
  assert.ok(!inSignals.keys.some((found) => found.key === 'catalog:recommendations'));
  assert.deepEqual((await keyMap('no such key anywhere')).keys, []);
  // Bad params from another editor: no crash, the whole map.
  const all = (await keyMap()).keys.length;
  assert.equal(((await client.connection.sendRequest('cacheCoach/keyMap', { query: 42 })) as LspKeyMap).keys.length, all);
  assert.equal(((await client.connection.sendRequest('cacheCoach/keyMap', null)) as LspKeyMap).keys.length, all);
});

test('code lenses are off by default, and above each write once cacheCoach.codeLens.enable is set', async () => {
  const { documentUri } = openFile('catalog/services.py');
  await client.diagnostics(documentUri);
  assert.deepEqual(await lenses(documentUri), []);

  const refreshes = client.codeLensRefreshes;
  client.settings = { codeLens: { enable: true } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await client.until(() => client.codeLensRefreshes > refreshes, 'the server asks the editor to refresh its lenses');
  const shown = await lenses(documentUri);
  const at = (line: number): string[] => shown.filter((lens) => lens.line === line).map((lens) => lens.title);
  assert.deepEqual(at(25), ['never expires · invalidated in signals.py:13 (+1 more)']);
  assert.deepEqual(at(34), ['never expires · never invalidated']);
  // The stored value depends on the user (CACHE002), the key does not.
  assert.deepEqual(at(57), ['expires in 30 min · never invalidated · shared between users']);
  assert.deepEqual(at(21), [], 'a read gets no lens');
  const lens = shown.find((candidate) => candidate.line === 25)!;
  assert.equal(lens.command, 'cacheCoach.keys.reveal');
  assert.deepEqual(lens.arguments, ['catalog:book:{}', 'key']);

  const catalogViews = openFile('catalog/views.py');
  await client.diagnostics(catalogViews.documentUri);
  const leak = (await lenses(catalogViews.documentUri)).find((candidate) => candidate.line === 24);
  assert.equal(leak?.title, 'expires in 10 min · per-user page: not varied on Cookie');
  assert.deepEqual(leak?.arguments, ['catalog.views.book_detail', 'page']);
  const accountViews = openFile('accounts/views.py');
  await client.diagnostics(accountViews.documentUri);
  const varied = (await lenses(accountViews.documentUri)).find((candidate) => candidate.line === 49);
  assert.equal(varied?.title, 'expires in 1 min · per-user page: varies on Cookie');

  client.settings = { codeLens: { enable: true }, exclude: ['catalog/services.py'] };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await client.until(() => client.codeLensRefreshes > refreshes + 1, 'a second refresh');
  assert.deepEqual(await lenses(documentUri), [], 'an excluded file gets no lenses');
  assert.ok((await lenses(accountViews.documentUri)).length > 0, 'the others keep theirs');

  client.settings = {};
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await client.until(() => client.codeLensRefreshes > refreshes + 2, 'a third refresh');
  assert.deepEqual(await lenses(documentUri), []);
});

test('an edit that adds an invalidation republishes diagnostics, then sends keyMapChanged, and the map has it', async () => {
  const { documentUri, text } = openFile('catalog/services.py');
  await client.diagnostics(documentUri);
  const before = (await keyMap()).keys.find((found) => found.key === 'catalog:recommendations');
  assert.deepEqual(before?.invalidations, []);
  const lines = text.split('\n').length;
  await client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: documentUri, version: 2 },
    contentChanges: [{ range: { start: { line: lines - 1, character: 0 }, end: { line: lines - 1, character: 0 } }, text: '\n\ndef forget_recommendations():\n    cache.delete("catalog:recommendations")\n' }],
  });
  const republished = (): number | undefined => client.published.get(documentUri)!.find((published) => published.version === 2)?.order;
  await client.until(() => republished() !== undefined && client.keyMapChangeOrder.some((order) => order > republished()!), 'cacheCoach/keyMapChanged after the diagnostics of version 2');
  const after = entry(await keyMap(), 'catalog:recommendations');
  assert.deepEqual(after.invalidations.map(where), [`catalog/services.py:${lines + 3}`]);
  assert.equal(after.invalidated, true);
});

test('nothing changed, nothing announced: a save republishes diagnostics but sends no keyMapChanged', async () => {
  const { documentUri } = openFile('catalog/tasks.py');
  await client.diagnostics(documentUri);
  await client.until(() => client.keyMapChanges > 0, 'a first keyMapChanged');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const changes = client.keyMapChanges;
  const published = client.published.get(documentUri)!.length;
  await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri: documentUri } });
  await client.diagnostics(documentUri, () => client.published.get(documentUri)!.length > published);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(client.keyMapChanges, changes, 'a save with no change republishes diagnostics but the map is the same');
});
