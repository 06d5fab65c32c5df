// Language-server figures (printed, never asserted):
//  - compute time from didChange to diagnostics on a 5,000-line Python file, debounce excluded
//    (the server reports reparse + check time per published version), p50/p95 over 200 edits;
//  - time from `initialize` to the first diagnostics of an opened file;
//  - server RSS after scanning Django's own source (VmRSS and peak VmHWM from /proc).
// Targets: p95 <= 10 ms, first diagnostics <= 500 ms, RSS <= 150 MB.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');
const ROOT = new URL('../..', import.meta.url).pathname;
const SERVER = join(ROOT, 'dist', 'server.js');
const DJANGO = process.argv[2] ?? '/usr/lib/python3/dist-packages/django';

function startServer(folder) {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, CACHE_COACH_DEBOUNCE_MS: '0' } });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const listeners = [];
  const emit = (event) => listeners.splice(0).forEach((listener) => listener(event));
  const statuses = [];
  const logs = [];
  connection.onNotification('cacheCoach/status', (status) => { statuses.push(status); emit(); });
  connection.onNotification('window/logMessage', ({ message }) => { logs.push(message); emit(); });
  connection.onNotification('textDocument/publishDiagnostics', () => emit());
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const until = async (predicate, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => { listeners.push(resolve); setTimeout(resolve, 50); });
    }
  };
  const initialize = () => connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'bench' }],
    capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } },
  }).then(() => connection.sendNotification('initialized', {}));
  const stop = async () => {
    await connection.sendRequest('shutdown').catch(() => {});
    await connection.sendNotification('exit').catch(() => {});
    setTimeout(() => child.kill(), 2000).unref();
  };
  return { child, connection, statuses, logs, until, initialize, stop };
}

/** A views module of `lines` lines; `cachedShare` of its functions use the cache (1 = every one: a stress case). */
function generatedModule(lines, cachedShare) {
  const header = 'from django.core.cache import cache\nfrom django.http import JsonResponse\nfrom django.shortcuts import get_object_or_404, render\nfrom django.views.decorators.cache import cache_page\n\n';
  const plain = (i) => `\ndef detail_${i}(request, pk):\n    obj = get_object_or_404(Item, pk=pk)\n    data = {"name": obj.name, "price": obj.price}\n    # keep the page fresh\n    if obj.discount:\n        data["discount"] = obj.discount\n    return JsonResponse(data)\n`;
  const block = (i) => `\n@cache_page(60 * ${i % 7 + 1})\ndef view_${i}(request, pk):\n    key = f"item:${i}:{pk}"\n    value = cache.get(key)\n    if value is None:\n        value = load_${i}(pk)\n        cache.set(key, value, ${i % 3 === 0 ? 'None' : 300})\n    # keep the page fresh\n    return render(request, "items/detail.html", {"value": value})\n`;
  let text = header;
  const every = Math.round(1 / cachedShare);
  for (let i = 0; text.split('\n').length < lines; i++) text += i % every === 0 ? block(i) : plain(i);
  return text;
}

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function editLatency(cachedShare) {
  const folder = mkdtempSync(join(tmpdir(), 'cache-coach-bench-'));
  try {
    const file = join(folder, 'views.py');
    const text = generatedModule(5000, cachedShare);
    writeFileSync(file, text);
    const server = startServer(folder);
    const started = performance.now();
    await server.initialize();
    const uri = pathToFileURL(file).href;
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    await server.until(() => server.statuses.some((status) => status.uri === uri && status.version === 1));
    const firstDiagnosticsMs = performance.now() - started;
    const lines = text.split('\n');
    const commentLines = lines.flatMap((line, index) => (line.includes('# keep the page fresh') ? [index] : []));
    const computeMs = [];
    for (let version = 2; version < 202; version++) {
      const line = commentLines[(version * 37) % commentLines.length];
      await server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character: 4 }, end: { line, character: 4 } }, text: 'x' }],
      });
      await server.until(() => server.statuses.some((status) => status.uri === uri && status.version === version));
      computeMs.push(server.statuses.find((status) => status.uri === uri && status.version === version).computeMs);
    }
    await server.stop();
    return { lines: lines.length, firstDiagnosticsMs, p50: percentile(computeMs, 50), p95: percentile(computeMs, 95), max: Math.max(...computeMs) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function scanRss() {
  if (!existsSync(DJANGO)) return null;
  const server = startServer(DJANGO);
  const started = performance.now();
  await server.initialize();
  await server.until(() => server.logs.some((line) => line.startsWith('Workspace scan:')));
  const scanMs = performance.now() - started;
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const summary = server.logs.find((line) => line.startsWith('Workspace scan:'));
  await server.stop();
  return { scanMs, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, summary };
}

export async function runServerBench(log = console.log) {
  log('\n== Language server');
  const edits = await editLatency(0.1);
  log(`didChange -> diagnostics on a ${edits.lines}-line views module (1 function in 10 uses the cache), debounce excluded, 200 edits: p50 ${edits.p50.toFixed(2)} ms, p95 ${edits.p95.toFixed(2)} ms, max ${edits.max.toFixed(2)} ms   (target p95 <= 10 ms)`);
  log(`initialize -> first diagnostics of that file: ${edits.firstDiagnosticsMs.toFixed(0)} ms   (target <= 500 ms)`);
  const dense = await editLatency(1);
  log(`stress case, every function a cached view (${dense.lines} lines, ~900 cache calls): p50 ${dense.p50.toFixed(2)} ms, p95 ${dense.p95.toFixed(2)} ms`);
  const scan = await scanRss();
  if (scan) log(`after scanning ${DJANGO}: RSS ${scan.rssMb.toFixed(0)} MB (peak ${scan.peakMb.toFixed(0)} MB), ${scan.summary}, ${scan.scanMs.toFixed(0)} ms from initialize   (target RSS <= 150 MB)`);
  else log(`(${DJANGO} not found: RSS after a scan of Django's source not measured)`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runServerBench();
}
