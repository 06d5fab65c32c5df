import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { copyOf, SAMPLE_PROJECT } from '../cli/helpers.js';
import { LspClient, uri } from './lsp-client.js';

let project: { dir: string; dispose(): void };
let client: LspClient;
const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((diagnostic) => `${diagnostic.code}@${diagnostic.range.start.line + 1}`);

before(async () => {
  project = copyOf(SAMPLE_PROJECT);
  client = await LspClient.start(project.dir);
});

after(async () => {
  await client.stop();
  project.dispose();
});

function openFile(relative: string): { documentUri: string; text: string } {
  const path = join(project.dir, relative);
  const text = readFileSync(path, 'utf8');
  return { documentUri: client.open(path, text), text };
}

test('initialize announces incremental sync, hover, quick fixes and fix-all', () => {
  const capabilities = client.initializeResult!.capabilities as {
    textDocumentSync: { change: number };
    hoverProvider: boolean;
    codeActionProvider: { codeActionKinds: string[] };
  };
  assert.equal(capabilities.textDocumentSync.change, 2);
  assert.equal(capabilities.hoverProvider, true);
  assert.deepEqual(capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.cacheCoach']);
  assert.equal(client.initializeResult!.serverInfo?.name, 'cache-coach');
});

test('diagnostics for an opened document, with docs link and fixes in data', async () => {
  const { documentUri } = openFile('catalog/views.py');
  const diagnostics = await client.diagnostics(documentUri, (list) => list.length > 0);
  assert.deepEqual(codes(diagnostics), ['CACHE004@24', 'CACHE010@47']);
  const leak = diagnostics[0];
  assert.equal(leak.source, 'Cache Coach');
  assert.equal(leak.severity, 2);
  assert.match(leak.codeDescription?.href ?? '', /#cache004$/);
  assert.deepEqual(leak.range, { start: { line: 23, character: 1 }, end: { line: 23, character: 20 } });
  assert.equal((leak.data as { fixes: { safety: string }[] }).fixes[0].safety, 'safe');
});

test('code actions: the safe fix is preferred, suppression appends a noqa, fix-all carries safe fixes only', async () => {
  const { documentUri } = openFile('catalog/views.py');
  const diagnostics = await client.diagnostics(documentUri, (list) => list.length === 2);
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: documentUri },
    range: diagnostics[0].range,
    context: { diagnostics: [diagnostics[0]] },
  })) as CodeAction[];
  const fix = actions.find((action) => action.title === 'Add @vary_on_cookie below @cache_page');
  assert.ok(fix?.isPreferred);
  const edits = fix!.edit!.changes![documentUri];
  assert.ok(edits.some((edit) => edit.newText === '@vary_on_cookie\n' && edit.range.start.line === 24));
  assert.ok(edits.some((edit) => edit.newText === '\nfrom django.views.decorators.vary import vary_on_cookie'));
  const suppress = actions.find((action) => action.title === 'Suppress CACHE004 on this line');
  assert.deepEqual(suppress?.edit?.changes?.[documentUri], [{ range: { start: { line: 23, character: 20 }, end: { line: 23, character: 20 } }, newText: '  # noqa: CACHE004' }]);

  const none = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: documentUri },
    range: diagnostics[1].range,
    context: { diagnostics: [diagnostics[1]] },
  })) as CodeAction[];
  const unsafe = none.find((action) => action.title.startsWith('Use 600 seconds'));
  assert.equal(unsafe?.isPreferred, false, 'an unsafe fix is offered but never preferred');

  const fixAll = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: documentUri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll.cacheCoach'] },
  })) as CodeAction[];
  assert.equal(fixAll.length, 1);
  const fixAllEdits = fixAll[0].edit!.changes![documentUri];
  assert.equal(fixAllEdits.length, 2, 'the CACHE004 fix (decorator + import); the unsafe CACHE010 fix is left out');
});

test('fix-all, as a code action and as the command: two fixes rewriting one noqa comment, the first is taken whole', async () => {
  const path = join(project.dir, 'accounts', 'noqa_fix.py');
  const text = 'from django.core.cache import cache\nx = 1  # noqa: CACHE004, CACHE010\ny = 2  # noqa: CACHE006\n';
  const documentUri = client.open(path, text);
  assert.deepEqual(codes(await client.diagnostics(documentUri, (list) => list.length === 3)), ['CACHE900@2', 'CACHE900@2', 'CACHE900@3']);
  const expected = [
    { range: { start: { line: 1, character: 15 }, end: { line: 1, character: 33 } }, newText: 'CACHE010' },
    { range: { start: { line: 2, character: 5 }, end: { line: 2, character: 23 } }, newText: '' },
  ];
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: documentUri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll'] },
  })) as CodeAction[];
  assert.deepEqual(actions.map((action) => action.kind), ['source.fixAll.cacheCoach']);
  assert.deepEqual(actions[0].edit!.changes![documentUri], expected);

  await client.connection.sendRequest('workspace/executeCommand', { command: 'cacheCoach.applyFixAll', arguments: [documentUri] });
  await client.until(() => client.appliedEdits.length > 0, 'the fix-all edit');
  assert.deepEqual(client.appliedEdits[0].edit.changes![documentUri], expected);
});

test('hover on cache.set shows its signature and a lesson link', async () => {
  const { documentUri, text } = openFile('catalog/services.py');
  await client.diagnostics(documentUri);
  const line = text.split('\n').findIndex((candidate) => candidate.includes('cache.set(f"catalog:author:'));
  const character = text.split('\n')[line].indexOf('set(');
  const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line, character: character + 1 } })) as Hover;
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /cache\.set\(key, value, timeout=DEFAULT_TIMEOUT, version=None\)/);
  assert.match(value, /\[Lesson/);
});

test('hover on a rule code in a noqa comment shows the rule', async () => {
  const { documentUri, text } = openFile('catalog/tasks.py');
  await client.diagnostics(documentUri);
  const line = text.split('\n').findIndex((candidate) => candidate.includes('noqa: CACHE006'));
  const character = text.split('\n')[line].indexOf('CACHE006') + 3;
  const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line, character } })) as Hover;
  assert.match((hover.contents as { value: string }).value, /^\*\*CACHE006 timeout-zero\*\*/);
});

test('incremental changes: adding @vary_on_cookie and its import clears CACHE004', async () => {
  const path = join(project.dir, 'accounts', 'leaky.py');
  const text = 'from django.views.decorators.cache import cache_page\n\n\n@cache_page(60)\ndef me(request):\n    return request.user.username\n';
  const documentUri = client.open(path, text);
  assert.deepEqual(codes(await client.diagnostics(documentUri, (list) => list.length > 0)), ['CACHE004@4']);
  await client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: documentUri, version: 2 },
    contentChanges: [
      { range: { start: { line: 3, character: 15 }, end: { line: 3, character: 15 } }, text: '\n@vary_on_cookie' },
      { range: { start: { line: 0, character: 52 }, end: { line: 0, character: 52 } }, text: '\nfrom django.views.decorators.vary import vary_on_cookie' },
    ],
  });
  await client.diagnostics(documentUri, (list) => list.length === 0);
  const last = client.published.get(documentUri)!.at(-1)!;
  assert.equal(last.version, 2);
});

test('20 rapid changes publish diagnostics for the final version only', async () => {
  // Its own server with a debounce far above any pause between two of the burst's messages on a loaded
  // machine (the shared one's 50 ms was not, under CI's two test processes): one publish is what is tested.
  const rapid = await LspClient.start(project.dir, { CACHE_COACH_DEBOUNCE_MS: '500' });
  try {
    // The end of the workspace scan publishes every open document once more (cross-file rules wake up); under
    // load that came after the burst and was counted (21 twice). The document is opened once the scan is over.
    await rapid.waitForLog(/^Workspace scan:/);
    const path = join(project.dir, 'accounts', 'rapid.py');
    const documentUri = rapid.open(path, 'from django.core.cache import cache\n\n');
    await rapid.diagnostics(documentUri);
    const before = rapid.published.get(documentUri)!.length;
    for (let version = 2; version <= 21; version++) {
      void rapid.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: documentUri, version },
        contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: version === 21 ? 'cache.set("a b", 1)\n' : '#\n' }],
      });
    }
    const diagnostics = await rapid.diagnostics(documentUri, (list) => list.length === 1);
    assert.equal(diagnostics[0].code, 'CACHE008');
    // Anything else scheduled by the burst would publish within one more debounce period.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const afterChanges = rapid.published.get(documentUri)!.slice(before);
    assert.deepEqual(afterChanges.map((published) => published.version), [21]);
  } finally {
    await rapid.stop();
  }
});

test('a delete added in another (unopened) file clears CACHE001; deleting that file brings it back', async () => {
  const { documentUri } = openFile('accounts/views.py');
  assert.ok(codes(await client.diagnostics(documentUri, (list) => list.some((d) => d.code === 'CACHE001'))).includes('CACHE001@16'));
  const helper = join(project.dir, 'accounts', 'invalidation.py');
  writeFileSync(helper, 'from django.core.cache import cache\n\n\ndef forget_spend(user_id):\n    cache.delete(f"accounts:lifetime-spend:{user_id}")\n');
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(helper), type: 1 }] });
  await client.diagnostics(documentUri, (list) => !list.some((d) => d.code === 'CACHE001'));
  rmSync(helper);
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(helper), type: 3 }] });
  await client.diagnostics(documentUri, (list) => list.some((d) => d.code === 'CACHE001'));
});

test('a configuration change applies without a restart', async () => {
  const { documentUri } = openFile('catalog/views.py');
  await client.diagnostics(documentUri, (list) => list.some((d) => d.code === 'CACHE004'));
  client.settings = { ignore: ['CACHE004'] };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.deepEqual(codes(await client.diagnostics(documentUri, (list) => !list.some((d) => d.code === 'CACHE004'))), ['CACHE010@47']);
  client.settings = {};
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await client.diagnostics(documentUri, (list) => list.some((d) => d.code === 'CACHE004'));
});

test('CRLF documents and astral characters: ranges in UTF-16 code units', async () => {
  const path = join(project.dir, 'accounts', 'crlf.py');
  const text = 'from django.core.cache import cache\r\n\r\ndef f():\r\n    x = "😀😀"; cache.set("a b", x)\r\n';
  const documentUri = client.open(path, text);
  const [diagnostic] = await client.diagnostics(documentUri, (list) => list.length === 1);
  // `    x = "😀😀"; cache.set(` is 4 + 4 + 6 (two surrogate pairs + quotes) + 2 + 10 = 26 UTF-16 units.
  assert.deepEqual(diagnostic.range, { start: { line: 3, character: 26 }, end: { line: 3, character: 31 } });
});

test('a hover is answered while a 2,000-file project is still being scanned', async () => {
  const big = join(project.dir, '..', `${project.dir.split('/').pop()}-big`);
  for (let i = 0; i < 2000; i++) {
    const folder = join(big, `app${i % 40}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `module_${i}.py`), `from django.core.cache import cache\n\n\ndef load_${i}(pk):\n    value = cache.get(f"item:${i}:{pk}")\n    if value is None:\n        value = compute(pk)\n        cache.set(f"item:${i}:{pk}", value, 300)\n    return value\n`);
  }
  const other = await LspClient.start(big);
  try {
    const documentUri = other.open(join(big, 'app0', 'module_0.py'), readFileSync(join(big, 'app0', 'module_0.py'), 'utf8'));
    const hover = (await other.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line: 4, character: 19 } })) as Hover;
    const answeredBeforeScanEnded = !other.logs.some((line) => line.startsWith('Workspace scan:'));
    assert.match((hover.contents as { value: string }).value, /cache\.get/);
    assert.ok(answeredBeforeScanEnded, 'the hover waited for the scan');
    assert.match(await other.waitForLog(/^Workspace scan: 2000 files, 2000 parsed/), /2000 files/);
  } finally {
    await other.stop();
    rmSync(big, { recursive: true, force: true });
  }
});

test('the server keeps its compiled code for the next start: written on exit, then read (not written again) by a server that works', async () => {
  const temp = mkdtempSync(join(tmpdir(), 'cache-coach-server-cache-'));
  try {
    const cacheFolder = join(temp, `cache-coach-compile-cache-${process.getuid!()}`);
    const views = join(project.dir, 'catalog', 'views.py');
    const caches: { name: string; written: number }[] = [];
    for (const round of ['first start', 'second start']) {
      const server = await LspClient.start(project.dir, { TMPDIR: temp });
      const diagnostics = await server.diagnostics(server.open(views, readFileSync(views, 'utf8')), (list) => list.length > 0);
      assert.deepEqual(codes(diagnostics), ['CACHE004@24', 'CACHE010@47'], round);
      await server.stop();
      const names = readdirSync(cacheFolder).filter((name) => /^server-main-[0-9a-f]{8}-[0-9a-f]{24}\.cache$/.test(name));
      assert.equal(names.length, 1, `${round}: ${readdirSync(cacheFolder).join(', ')}`);
      caches.push({ name: names[0], written: statSync(join(cacheFolder, names[0])).mtimeMs });
    }
    assert.deepEqual(caches[1], caches[0], 'the second server read the cache instead of compiling and writing it again');
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
});
