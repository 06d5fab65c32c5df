/**
 * The VS Code side of Cache Coach: starts the language server, shows its state, and offers the
 * commands. It knows nothing of rules.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { offerDjangoHtml, type OfferOutcome } from './django-templates';
import { DOCUMENT_SELECTOR } from './document-selector';
import { KeyView, type KeyViewApi } from './key-view';
import { registerLesson, type LessonApi } from './lesson';
import { lessonCodeLinks } from './lesson/code-links';
import { noteFindings, noteStep, quickFixMarker, walkthroughSteps } from './lesson/walkthrough';
import { FindingsStatus, type ConfigProblem } from './status';

let client: LanguageClient | undefined;

/** What the extension exports: used by its own tests (e.g. to stop the server process and watch it come back). */
export interface CacheCoachApi {
  serverProcessId(): number | undefined;
  /** The lesson panel's progress, and a quiz answer through the page's own message path. */
  lesson: LessonApi;
  /** What the language status item shows. */
  status(): ReturnType<FindingsStatus['snapshot']>;
  /** The walkthrough steps recorded as done (kept across windows). */
  walkthroughSteps(): string[];
  /** How the offer to open templates as Django HTML ended (asked at most once per workspace). */
  djangoHtmlOffer: Promise<OfferOutcome>;
  /** The "Cache keys" view's rows. */
  keyView: KeyViewApi;
}

export async function activate(context: vscode.ExtensionContext): Promise<CacheCoachApi> {
  const output = vscode.window.createOutputChannel('Cache Coach', { log: true });
  const status = new FindingsStatus();
  context.subscriptions.push(output, status);
  const keyView = new KeyView((message) => output.warn(message));
  context.subscriptions.push(keyView);

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
    // Hovers link into the lesson with `command:cacheCoach.openLesson?[...]`: trust that command only.
    markdown: { isTrusted: { enabledCommands: ['cacheCoach.openLesson'] } },
    // Diagnostic codes open the rule's page in the lesson.
    middleware: { ...quickFixMarker, ...lessonCodeLinks },
  };

  const start = async (): Promise<void> => {
    if (!vscode.workspace.getConfiguration('cacheCoach').get<boolean>('enable', true)) {
      status.set('disabled');
      keyView.setClient(undefined);
      return;
    }
    status.set('starting');
    client = new LanguageClient('cacheCoach', 'Cache Coach', serverOptions, clientOptions);
    client.onDidChangeState((event) => status.set(event.newState === 2 ? 'ready' : event.newState === 3 ? 'starting' : 'stopped'));
    context.subscriptions.push(client.onNotification('cacheCoach/configProblems', (params: { problems: ConfigProblem[] }) => status.setConfigProblems(params.problems)));
    context.subscriptions.push(client.onNotification('cacheCoach/status', (params: { uri: string; findings: number }) => {
      status.setFindings(params.uri, params.findings);
      noteFindings(params.findings); // the walkthrough's "see a diagnostic" step
    }));
    await client.start();
    status.set('ready');
    keyView.setClient(client);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('cacheCoach.restartServer', async () => {
      if (client) await client.stop();
      client = undefined;
      keyView.setClient(undefined);
      status.clearFindings();
      await start();
    }),
    vscode.commands.registerCommand('cacheCoach.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('cacheCoach.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) return;
      await client.sendRequest('workspace/executeCommand', { command: 'cacheCoach.applyFixAll', arguments: [editor.document.uri.toString()] });
      noteStep('appliedFix');
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('cacheCoach.enable')) await vscode.commands.executeCommand('cacheCoach.restartServer');
    }),
  );
  // Open Lesson, Start Quiz, Reset Progress, the panel's serializer and the lesson URI handler.
  const lesson = registerLesson(context, output);
  await start();
  const djangoHtmlOffer = offerDjangoHtml(context.workspaceState, (message) => output.info(message));
  return {
    lesson,
    status: () => status.snapshot(),
    walkthroughSteps,
    djangoHtmlOffer,
    keyView: keyView.api(),
    serverProcessId: () => (client?.initializeResult?.capabilities.experimental as { cacheCoach?: { processId?: number } } | undefined)?.cacheCoach?.processId,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
