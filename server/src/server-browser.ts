/**
 * The language server for the browser (vscode.dev, github.dev): the same core as server.ts, in a web worker
 * that the browser client starts (client/src/extension-browser.ts). No Node APIs: files come from the client
 * (lsp/web-protocol.ts), the wasm binaries and TypeScript from the extension's dist/web/ URLs.
 */
import { BrowserMessageReader, BrowserMessageWriter, createConnection, ProposedFeatures } from 'vscode-languageserver/browser';
import { createBrowserHost } from './lsp/browser-host.js';
import { DEBOUNCE_MS, startServerCore } from './lsp/server-core.js';

type WorkerScope = ConstructorParameters<typeof BrowserMessageReader>[0];
const scope = globalThis as unknown as WorkerScope;

const connection = createConnection(ProposedFeatures.all, new BrowserMessageReader(scope), new BrowserMessageWriter(scope));
startServerCore(connection, createBrowserHost(connection), { debounceMs: DEBOUNCE_MS });
