/**
 * The language server for Node: stdio or IPC (`cache-coach-server --stdio`, the VS Code client), files from
 * the disk. The LSP wiring itself is platform-neutral and lives in lsp/server-core.ts; server-browser.ts runs
 * the same core in a web worker.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { ConfigFinder } from './node/config-files.js';
import { readSourceFile, toPosix } from './node/files.js';
import { loadTypeScript } from './node/typescript.js';
import { loadPythonWasm } from './node/wasm.js';
import type { ServerHost } from './lsp/host.js';
import { DEBOUNCE_MS, startServerCore } from './lsp/server-core.js';
import { scanFolder } from './node/workspace-files.js';

export interface ServerOptions {
  /** Milliseconds between a change and its diagnostics; tests and benchmarks may lower it. */
  debounceMs?: number;
}

/** The disk, `file:` URIs and the Node event loop. */
export const nodeHost: ServerHost = {
  pathOf(uri) {
    if (!uri.startsWith('file:')) return undefined;
    try {
      return toPosix(fileURLToPath(uri));
    } catch {
      return undefined;
    }
  },
  uriOf: (path) => pathToFileURL(path).href,
  loadWasm: loadPythonWasm,
  loadTypeScript,
  configFinder: (root) => new ConfigFinder(root ?? process.cwd()),
  readText: (path, maxFileSize) => readSourceFile(path, maxFileSize),
  async *scanFolder(folder, cancelled) {
    for await (const file of scanFolder(folder, () => false, cancelled)) yield toPosix(file);
  },
  yieldTurn: () => new Promise((resolve) => setImmediate(resolve)),
  processId: process.pid,
};

export function startServer(connection: Connection = createConnection(ProposedFeatures.all), options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? Number(process.env.CACHE_COACH_DEBOUNCE_MS ?? DEBOUNCE_MS);
  startServerCore(connection, nodeHost, { debounceMs });
}

if (require.main === module) startServer();
