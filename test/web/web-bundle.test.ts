/**
 * The web extension's bundles (dist/web/, built by esbuild.config.mjs): no Node APIs in them, their sizes, and
 * the browser server run without a browser: dist/web/server.js in a bare JavaScript context (node:vm) that offers
 * only what a web worker has (no require, process, Buffer), answering its file requests the way the browser
 * client does (client/src/web/workspace-files.ts) from test/fixtures/sample-project. The real browser run is
 * test/web/run.mjs.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { decodeSourceBytes, type FindFilesParams, type ReadFilesParams } from '../../server/src/lsp/web-protocol.js';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const SAMPLE = join(ROOT, 'test', 'fixtures', 'sample-project');
const BUNDLES = ['web/extension.js', 'web/server.js', 'web/typescript.js'];
/** What the browser build loads: its three bundles and the two wasm binaries it shares with the desktop. */
const LOADED = [...BUNDLES, 'web-tree-sitter.wasm', 'tree-sitter-python.wasm'];

function bundle(name: string): string {
  const path = join(DIST, name);
  assert.ok(existsSync(path), `${path} is missing: run \`npm run build\``);
  return readFileSync(path, 'utf8');
}

test('the web bundles hold no Node imports', () => {
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  for (const name of BUNDLES) {
    const text = bundle(name);
    const required = [...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    const imported = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'`]([^"'`]+)["'`]/g)].map((match) => match[1]);
    const node = [...required, ...imported].filter((specifier) => builtins.has(specifier) || specifier.startsWith('node:'));
    assert.deepEqual([...new Set(node)], [], `${name} loads Node modules`);
    // Only the client may require anything, and only `vscode` (the web worker extension host provides it).
    assert.deepEqual([...new Set(required)].filter((specifier) => !(name === 'web/extension.js' && specifier === 'vscode')), [], `${name} requires modules at run time`);
  }
  // The worker is started with importScripts (VS Code's nested-worker bootstrap): a classic script, no ES module syntax.
  assert.doesNotMatch(bundle('web/server.js'), /^\s*(?:import|export)\s[^(]/m, 'dist/web/server.js is an ES module');
});

test('the web bundle sizes', () => {
  const rows = LOADED.map((name) => {
    const bytes = readFileSync(join(DIST, name));
    return { name: `dist/${name}`, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`.padStart(8);
  const lines = ['web extension sizes (raw, gzip -9):', ...rows.map((row) => `  ${row.name.padEnd(30)} ${kb(row.raw)} ${kb(row.gzip)}`)];
  const atStart = rows.filter((row) => !row.name.endsWith('typescript.js'));
  const sum = (list: typeof rows, key: 'raw' | 'gzip'): number => list.reduce((total, row) => total + row[key], 0);
  lines.push(`  ${'loaded at start (no TS/JS)'.padEnd(30)} ${kb(sum(atStart, 'raw'))} ${kb(sum(atStart, 'gzip'))}`);
  lines.push(`  ${'all, with TypeScript'.padEnd(30)} ${kb(sum(rows, 'raw'))} ${kb(sum(rows, 'gzip'))}`);
  console.log(lines.join('\n'));
  // Guards against a bundle suddenly pulling in something big (a Node polyfill, TypeScript inlined into the worker).
  assert.ok(rows.find((row) => row.name === 'dist/web/extension.js')!.raw < 1024 * 1024, 'the web client stays under 1 MB');
  assert.ok(rows.find((row) => row.name === 'dist/web/server.js')!.raw < 1536 * 1024, 'the worker stays under 1.5 MB (TypeScript is loaded separately)');
});

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** Files of the sample project as the client lists them (its findFiles handler, by name and folder). */
function listSample(params: FindFilesParams): string[] {
  const skip = new Set(params.skipDirectories);
  const found: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(path);
      } else if (params.names.includes(entry.name) || params.extensions.some((extension) => entry.name.endsWith(extension))) {
        found.push(`vscode-test-web://mount/${relative(SAMPLE, path).split('\\').join('/')}`);
      }
    }
  };
  walk(SAMPLE);
  return found;
}

test('dist/web/server.js lints the sample project in a bare worker-like context', { timeout: 60_000 }, async () => {
  const source = bundle('web/server.js');
  const assets: Record<string, string> = {
    'https://extension.invalid/dist/web-tree-sitter.wasm': join(DIST, 'web-tree-sitter.wasm'),
    'https://extension.invalid/dist/tree-sitter-python.wasm': join(DIST, 'tree-sitter-python.wasm'),
    'https://extension.invalid/dist/web/typescript.js': join(DIST, 'web', 'typescript.js'),
  };
  const fetched: string[] = [];
  const fakeFetch = async (url: string) => {
    fetched.push(url);
    const file = assets[url];
    if (!file) return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0), text: async () => '' };
    const bytes = readFileSync(file);
    return { ok: true, status: 200, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), text: async () => bytes.toString('utf8') };
  };

  const toServer: { onmessage?: (event: { data: Message }) => void } = {};
  const pending = new Map<number | string, (message: Message) => void>();
  const diagnostics = new Map<string, { code: string; line: number }[]>();
  const logs: string[] = [];
  let nextId = 1;
  const send = (message: Message): void => {
    setImmediate(() => toServer.onmessage!({ data: message }));
  };
  const request = (method: string, params: unknown): Promise<Message> => {
    const id = nextId++;
    send({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve) => pending.set(id, resolve));
  };
  const notify = (method: string, params: unknown): void => send({ jsonrpc: '2.0', method, params });

  // The server's side of the port: what it posts arrives here (the client's part of the protocol).
  const fromServer = (message: Message): void => {
    if (message.id !== undefined && message.method === undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const params = message.params as { uri: string; diagnostics: { code: string; range: { start: { line: number } } }[] };
      diagnostics.set(params.uri, params.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line + 1 })));
    } else if (message.method === 'window/logMessage') {
      logs.push((message.params as { message: string }).message);
    } else if (message.method === 'cacheCoach/findFiles') {
      send({ jsonrpc: '2.0', id: message.id, result: listSample(message.params as FindFilesParams) });
    } else if (message.method === 'cacheCoach/readFiles') {
      const params = message.params as ReadFilesParams;
      const result = params.uris.map((uri) => decodeSourceBytes(readFileSync(join(SAMPLE, uri.slice('vscode-test-web://mount/'.length))), params.maxBytes));
      send({ jsonrpc: '2.0', id: message.id, result });
    } else if (message.id !== undefined) {
      send({ jsonrpc: '2.0', id: message.id, result: null });
    }
  };

  // A web worker's globals, and nothing of Node's: no require, process, Buffer, module, __dirname.
  const scope: Record<string, unknown> = {
    console: { log: () => undefined, info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => logs.push(args.map(String).join(' ')) },
    setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, TextEncoder, TextDecoder, URL, performance, MessageChannel,
    fetch: fakeFetch,
    WorkerGlobalScope: class WorkerGlobalScope {},
    postMessage: (message: Message) => fromServer(message),
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  };
  const context = vm.createContext(scope);
  scope.self = scope;
  Object.defineProperty(scope, 'onmessage', { set: (listener) => (toServer.onmessage = listener), get: () => toServer.onmessage });
  vm.runInContext(source, context, { filename: 'dist/web/server.js' });
  assert.ok(toServer.onmessage, 'the server listens on its worker scope');

  const initialized = await request('initialize', {
    processId: null,
    rootUri: 'vscode-test-web://mount/',
    workspaceFolders: [{ uri: 'vscode-test-web://mount/', name: 'sample-project' }],
    capabilities: {},
    initializationOptions: {
      commandLinks: true,
      web: {
        runtimeWasm: 'https://extension.invalid/dist/web-tree-sitter.wasm',
        pythonWasm: 'https://extension.invalid/dist/tree-sitter-python.wasm',
        typescript: 'https://extension.invalid/dist/web/typescript.js',
      },
    },
  });
  assert.equal(initialized.error, undefined, JSON.stringify(initialized.error));
  assert.equal((initialized.result as { serverInfo: { name: string } }).serverInfo.name, 'cache-coach');
  notify('initialized', {});

  const open = (relativePath: string, languageId: string): string => {
    const uri = `vscode-test-web://mount/${relativePath}`;
    notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: readFileSync(join(SAMPLE, relativePath), 'utf8') } });
    return uri;
  };
  const waitFor = async (what: string, probe: () => boolean): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!probe()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; server log:\n${logs.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const has = (uri: string, code: string, line: number): boolean => (diagnostics.get(uri) ?? []).some((d) => d.code === code && d.line === line);

  const views = open('catalog/views.py', 'python');
  await waitFor('CACHE004 on catalog/views.py:24', () => has(views, 'CACHE004', 24));
  const memory = open('services/catalog-api/src/clients/memory.ts', 'typescript');
  await waitFor('CACHE203 on memory.ts:10 (TypeScript in the worker)', () => has(memory, 'CACHE203', 10));
  const services = open('catalog/services.py', 'python');
  await waitFor('CACHE001 on catalog/services.py:34 (cross-file: the scan read the project)', () => has(services, 'CACHE001', 34));

  const line = readFileSync(join(SAMPLE, 'catalog/views.py'), 'utf8').split('\n')[23];
  const hover = await request('textDocument/hover', { textDocument: { uri: views }, position: { line: 23, character: line.indexOf('cache_page') + 2 } });
  assert.match(JSON.stringify(hover.result), /cache_page/);

  // The key map in the worker: the same request, sites as the workspace's own URIs.
  // (A copy in this realm: objects made in the vm context have other prototypes.)
  const keyMap = JSON.parse(JSON.stringify((await request('cacheCoach/keyMap', { query: 'catalog:book' })).result)) as { version: number; keys: { key: string; writes: { uri: string; line: number }[]; invalidations: { uri: string; line: number }[] }[] };
  assert.equal(keyMap.version, 1);
  const book = keyMap.keys.find((entry) => entry.key === 'catalog:book:{}');
  assert.deepEqual(book?.writes.map((site) => `${site.uri}:${site.line}`), ['vscode-test-web://mount/catalog/services.py:25']);
  assert.deepEqual(book?.invalidations.map((site) => `${site.uri}:${site.line}`), ['vscode-test-web://mount/catalog/signals.py:13', 'vscode-test-web://mount/catalog/signals.py:19']);

  assert.ok(logs.some((message) => /^Workspace scan: \d+ files/.test(message)), `no scan line in the log:\n${logs.join('\n')}`);
  assert.deepEqual([...new Set(fetched)].sort(), Object.keys(assets).sort(), 'the worker fetched the wasm binaries and TypeScript from the extension');
  await request('shutdown', null);
});
