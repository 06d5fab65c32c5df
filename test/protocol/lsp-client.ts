/** A small LSP client over stdio for the protocol tests: spawns the built server like an editor would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export interface Published {
  version?: number;
  diagnostics: Diagnostic[];
  at: number;
  /** Where it arrived among the server's notifications (see keyMapChangeOrder). */
  order: number;
}

export interface MessageRequest {
  type: number;
  message: string;
  actions?: { title: string }[];
}

export class LspClient {
  readonly published = new Map<string, Published[]>();
  readonly logs: string[] = [];
  /** window/showMessageRequest params, in order; `answerMessage` picks the reply (none by default). */
  readonly messageRequests: MessageRequest[] = [];
  answerMessage: (request: MessageRequest) => { title: string } | null = () => null;
  readonly shownDocuments: { uri: string; selection?: unknown }[] = [];
  /** Every workspace/applyEdit the server asked for. */
  readonly appliedEdits: { label?: string; edit: { changes?: Record<string, { range: unknown; newText: string }[]> } }[] = [];
  /** Each `cacheCoach/configProblems` notification's list. */
  readonly configProblems: { uri: string; message: string; line: number; column: number }[][] = [];
  settings: Record<string, unknown> = {};
  /** How many `cacheCoach/keyMapChanged` notifications arrived, and the order number of each among all messages. */
  keyMapChanges = 0;
  readonly keyMapChangeOrder: number[] = [];
  /** Counts the notifications that matter to ordering (diagnostics, keyMapChanged). */
  private order = 0;
  /** How many `workspace/codeLens/refresh` requests the server sent. */
  codeLensRefreshes = 0;
  initializeResult: { capabilities: Record<string, unknown>; serverInfo?: { name: string; version?: string } } | undefined;
  private readonly waiters: (() => void)[] = [];

  private constructor(
    readonly connection: ProtocolConnection,
    readonly process: ChildProcess,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const list = this.published.get(params.uri) ?? [];
      list.push({ version: params.version, diagnostics: params.diagnostics, at: Date.now(), order: ++this.order });
      this.published.set(params.uri, list);
      this.wake();
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
      this.wake();
    });
    connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.logs.push(`showMessage: ${params.message}`);
      this.wake();
    });
    connection.onRequest('window/showMessageRequest', (params: MessageRequest) => {
      this.messageRequests.push(params);
      this.wake();
      return this.answerMessage(params);
    });
    connection.onRequest('window/showDocument', (params: { uri: string; selection?: unknown }) => {
      this.shownDocuments.push(params);
      this.wake();
      return { success: true };
    });
    connection.onNotification('cacheCoach/configProblems', (params: { problems: { uri: string; message: string; line: number; column: number }[] }) => {
      this.configProblems.push(params.problems);
      this.wake();
    });
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => this.settings));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/applyEdit', (params: LspClient['appliedEdits'][number]) => {
      this.appliedEdits.push(params);
      this.wake();
      return { applied: true };
    });
    connection.onNotification('cacheCoach/status', () => undefined);
    connection.onNotification('cacheCoach/keyMapChanged', () => {
      this.keyMapChanges++;
      this.keyMapChangeOrder.push(++this.order);
      this.wake();
    });
    connection.onRequest('workspace/codeLens/refresh', () => {
      this.codeLensRefreshes++;
      this.wake();
      return null;
    });
  }

  static async start(folder: string, env: Record<string, string> = {}, initializationOptions?: Record<string, unknown>): Promise<LspClient> {
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CACHE_COACH_DEBOUNCE_MS: '50', ...env } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child);
    connection.listen();
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri(folder),
      workspaceFolders: [{ uri: uri(folder), name: 'project' }],
      initializationOptions,
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, didChangeConfiguration: { dynamicRegistration: true }, codeLens: { refreshSupport: true } },
        textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] } },
        window: { showDocument: { support: true } },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  open(path: string, text: string, version = 1): string {
    const documentUri = uri(path);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: documentUri, languageId: 'python', version, text } });
    return documentUri;
  }

  /** Waits until the newest published diagnostics for `documentUri` satisfy `predicate`. */
  async diagnostics(documentUri: string, predicate: (diagnostics: Diagnostic[]) => boolean = () => true, timeoutMs = 15_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = this.published.get(documentUri);
      const latest = list?.[list.length - 1];
      if (latest && predicate(latest.diagnostics)) return latest.diagnostics;
      if (Date.now() > deadline) throw new Error(`timed out waiting for diagnostics of ${documentUri}; last: ${JSON.stringify(latest?.diagnostics.map((d) => `${d.code}@${d.range.start.line}`))}`);
      await this.nextEvent(deadline - Date.now());
    }
  }

  /** Waits until `predicate` holds (checked after each message from the server). */
  async until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await this.nextEvent(deadline - Date.now());
    }
  }

  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find((line) => pattern.test(line));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for log ${pattern}; logs: ${this.logs.slice(-5).join(' | ')}`);
      await this.nextEvent(deadline - Date.now());
    }
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    await new Promise<void>((resolve) => {
      if (this.process.exitCode !== null) return resolve();
      const timer = setTimeout(() => {
        this.process.kill();
        resolve();
      }, 3000);
      this.process.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.connection.dispose();
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(10, timeoutMs));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

export function uri(path: string): string {
  return pathToFileURL(path).href;
}
