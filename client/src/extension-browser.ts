/**
 * The VS Code side of Cache Coach in the browser (vscode.dev, github.dev; package.json "browser"): the same
 * client as extension.ts, but the language server runs in a web worker (dist/web/server.js, built from
 * server/src/server-browser.ts over the same engine) and reads the workspace through this client
 * (web/workspace-files.ts), since the workspace may be a virtual file system. It knows nothing of rules.
 */
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions } from 'vscode-languageclient/browser';
import type { WebInitializationOptions } from '../../server/src/lsp/web-protocol';
import { offerDjangoHtml, type OfferOutcome } from './django-templates';
import { DOCUMENT_SELECTOR } from './document-selector';
import { KeyView, type KeyViewApi } from './key-view';
import { FindingsStatus, type ConfigProblem } from './status';
import { registerWorkspaceFiles } from './web/workspace-files';
import { lessonCodeLinks, noteFindings, noteStep, quickFixMarker, registerLesson, walkthroughSteps } from './lesson/browser';
import type { LessonApi } from './lesson';

/** The Worker constructor of the web worker extension host (VS Code makes nested workers work from there). */
declare const Worker: new (url: string, options?: { name?: string }) => ConstructorParameters<typeof LanguageClient>[3] & { terminate(): void };

/** File systems whose documents are linted: the desktop's `file`, github.dev's `vscode-vfs`, @vscode/test-web's mount, and the workspace's own. */
const WEB_SCHEMES = ['file', 'vscode-vfs', 'vscode-test-web', 'vscode-remote'];

let client: LanguageClient | undefined;
let worker: InstanceType<typeof Worker> | undefined;

/** What the browser extension exports (its tests use it). */
export interface CacheCoachWebApi {
  /** Always undefined: the server is a web worker, not a process. */
  serverProcessId(): number | undefined;
  /** Resolves once the server has answered `initialize`. */
  ready(): Promise<void>;
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

function webDocumentSelector(): LanguageClientOptions['documentSelector'] {
  const schemes = [...new Set([...WEB_SCHEMES, ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.scheme)])];
  return schemes.flatMap((scheme) => DOCUMENT_SELECTOR.map((filter) => (typeof filter === 'string' ? filter : { ...filter, scheme })));
}

export async function activate(context: vscode.ExtensionContext): Promise<CacheCoachWebApi> {
  const output = vscode.window.createOutputChannel('Cache Coach', { log: true });
  const status = new FindingsStatus();
  context.subscriptions.push(output, status);
  const keyView = new KeyView((message) => output.warn(message));
  context.subscriptions.push(keyView);
  // The same lesson panel as on the desktop, with a hints-only exercise runner (no Python in the browser).
  const lessonApi = registerLesson(context, output);
  const lesson = { lessonMiddleware: { ...quickFixMarker, ...lessonCodeLinks }, onFindings: noteFindings };

  const asset = (...path: string[]): string => vscode.Uri.joinPath(context.extensionUri, 'dist', ...path).toString(true);
  // The wasm binaries are the desktop's (dist/*.wasm, fetched by the worker); the rest is dist/web/.
  const initializationOptions: WebInitializationOptions = {
    commandLinks: true,
    web: {
      runtimeWasm: asset('web-tree-sitter.wasm'),
      pythonWasm: asset('tree-sitter-python.wasm'),
      typescript: asset('web', 'typescript.js'),
      consoleLog: context.extensionMode === vscode.ExtensionMode.Test,
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: webDocumentSelector(),
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions,
    synchronize: { configurationSection: 'cacheCoach' },
    // Hovers link into the lesson with `command:cacheCoach.openLesson?[...]`: trust that command only.
    markdown: { isTrusted: { enabledCommands: ['cacheCoach.openLesson'] } },
    middleware: { ...lesson.lessonMiddleware },
  };

  let started: Promise<void> = Promise.resolve();
  const start = async (): Promise<void> => {
    if (!vscode.workspace.getConfiguration('cacheCoach').get<boolean>('enable', true)) {
      status.set('disabled');
      keyView.setClient(undefined);
      return;
    }
    status.set('starting');
    worker = new Worker(asset('web', 'server.js'), { name: 'Cache Coach server' });
    client = new LanguageClient('cacheCoach', 'Cache Coach', clientOptions, worker);
    client.onDidChangeState((event) => status.set(event.newState === 2 ? 'ready' : event.newState === 3 ? 'starting' : 'stopped'));
    context.subscriptions.push(
      ...registerWorkspaceFiles(client, (message) => {
        output.info(`[web] ${message}`);
        if (context.extensionMode === vscode.ExtensionMode.Test) console.log(`[cache-coach client] ${message}`);
      }),
      client.onNotification('cacheCoach/configProblems', (params: { problems: ConfigProblem[] }) => status.setConfigProblems(params.problems)),
      client.onNotification('cacheCoach/status', (params: { uri: string; findings: number }) => {
        status.setFindings(params.uri, params.findings);
        lesson.onFindings(params.findings);
      }),
    );
    await client.start();
    status.set('ready');
    keyView.setClient(client);
  };
  const stop = async (): Promise<void> => {
    try {
      await client?.stop();
    } finally {
      client = undefined;
      keyView.setClient(undefined);
      worker?.terminate();
      worker = undefined;
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('cacheCoach.restartServer', async () => {
      await stop();
      status.clearFindings();
      started = start();
      await started;
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
  started = start();
  await started;
  const djangoHtmlOffer = offerDjangoHtml(context.workspaceState, (message) => output.info(message));
  return { serverProcessId: () => undefined, ready: () => started, lesson: lessonApi, status: () => status.snapshot(), walkthroughSteps, djangoHtmlOffer, keyView: keyView.api() };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  worker?.terminate();
}
