/**
 * The VS Code side of Cache Coach: starts the language server, shows its state, and offers the
 * commands. It knows nothing of rules.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { DOCUMENT_SELECTOR } from './document-selector';
import { FindingsStatus } from './status';

let client: LanguageClient | undefined;

/** What the extension exports: used by its own tests (e.g. to stop the server process and watch it come back). */
export interface CacheCoachApi {
  serverProcessId(): number | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<CacheCoachApi> {
  const output = vscode.window.createOutputChannel('Cache Coach', { log: true });
  const status = new FindingsStatus();
  context.subscriptions.push(output, status);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: { commandLinks: true },
    synchronize: { configurationSection: 'cacheCoach' },
  };

  const start = async (): Promise<void> => {
    if (!vscode.workspace.getConfiguration('cacheCoach').get<boolean>('enable', true)) {
      status.set('disabled');
      return;
    }
    status.set('starting');
    client = new LanguageClient('cacheCoach', 'Cache Coach', serverOptions, clientOptions);
    client.onDidChangeState((event) => status.set(event.newState === 2 ? 'ready' : event.newState === 3 ? 'starting' : 'stopped'));
    context.subscriptions.push(client.onNotification('cacheCoach/status', (params: { uri: string; findings: number }) => status.setFindings(params.uri, params.findings)));
    await client.start();
    status.set('ready');
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('cacheCoach.restartServer', async () => {
      if (client) await client.stop();
      client = undefined;
      status.clearFindings();
      await start();
    }),
    vscode.commands.registerCommand('cacheCoach.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('cacheCoach.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) return;
      await client.sendRequest('workspace/executeCommand', { command: 'cacheCoach.applyFixAll', arguments: [editor.document.uri.toString()] });
    }),
    vscode.commands.registerCommand('cacheCoach.openLesson', (section?: string) => openLessonFallback(section)),
    vscode.commands.registerCommand('cacheCoach.startQuiz', () => openLessonFallback('quiz')),
    vscode.commands.registerCommand('cacheCoach.resetProgress', async () => {
      await context.globalState.update('cacheCoach.progress', undefined);
      void vscode.window.showInformationMessage('Cache Coach: lesson progress reset.');
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('cacheCoach.enable')) await vscode.commands.executeCommand('cacheCoach.restartServer');
    }),
  );
  await start();
  return {
    serverProcessId: () => (client?.initializeResult?.capabilities.experimental as { cacheCoach?: { processId?: number } } | undefined)?.cacheCoach?.processId,
  };
}

/** Until the in-editor lesson panel lands, lesson links open the matching part of the README. */
async function openLessonFallback(section?: string): Promise<void> {
  const homepage = vscode.extensions.getExtension('cache-coach.cache-coach')?.packageJSON.homepage as string | undefined;
  if (homepage) await vscode.env.openExternal(vscode.Uri.parse(section ? `${homepage}#${section}` : homepage));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
