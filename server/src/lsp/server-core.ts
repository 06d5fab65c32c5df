/**
 * The language server, whatever the platform: LSP wiring over the engine. Diagnostics for open documents on
 * every change (debounced; only the newest version is published), a background workspace scan so cross-file
 * rules see the whole project, hover, code actions, the key map (`cacheCoach/keyMap`) and its code lenses, and
 * configuration that applies without a restart.
 *
 * No Node APIs here: the platform comes in as a ServerHost (lsp/host.ts). server.ts runs this over stdio/IPC
 * with the disk; server-browser.ts runs it in a web worker, where the client reads the files.
 */
import picomatch from 'picomatch';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  type CodeLens,
  type Connection,
  type Hover,
  type InitializeParams,
} from 'vscode-languageserver';
import packageJson from '../../../package.json';
import { DEFAULT_CONFIG, type ConfigError } from '../analysis/config.js';
import { fixAllEdits } from '../engine/fix-all.js';
import { buildKeyMap, type KeyMap } from '../engine/key-map.js';
import { Workspace } from '../engine/workspace.js';
import type { TextChange } from '../analysis/python/project.js';
import type { Finding } from '../analysis/types.js';
import { isPythonPath } from '../analysis/python/modules.js';
import { isTemplatePath } from '../analysis/template/project.js';
import { isTypeScriptPath } from '../analysis/typescript/load.js';
import { ruleUrl } from '../rules/rule.js';
import { isAnalysedPath } from './analysed-paths.js';
import { codeActions, FIX_ALL_KIND } from './code-actions.js';
import type { ConfigSource } from './config-finder.js';
import { DIAGNOSTIC_SOURCE, toDiagnostic } from './diagnostics.js';
import type { ServerHost } from './host.js';
import { filterKeys, KEY_MAP_CHANGED_NOTIFICATION, KEY_MAP_REQUEST, keyLenses, REVEAL_KEY_COMMAND, toLspKeyMap, type KeyMapParams, type LspKeyMap } from './key-map.js';
import { findingsHover, pythonHover, templateHover, typescriptHover, type HoverLinks } from './hover.js';
import { resolveSettings, type DocumentSettings, type EditorSettings } from './settings.js';

export const DEBOUNCE_MS = 150;

/** Server → client: the pyproject.toml files whose `[tool.cache-coach]` cannot be used (empty once all are fixed). */
export const CONFIG_PROBLEMS_NOTIFICATION = 'cacheCoach/configProblems';

export interface ConfigProblem {
  uri: string;
  message: string;
  /** 1-based. */
  line: number;
  column: number;
}

// VS Code's ids, and the ones Neovim and Helix send.
const TEMPLATE_LANGUAGES = new Set(['django-html', 'django-txt', 'jinja-html', 'htmldjango', 'jinja', 'jinja2']);

/** Python files, and templates by path or by the editor's language id (a django-html file outside templates/). */
function isAnalysedDocument(path: string, languageId: string): boolean {
  return isAnalysedPath(path) || TEMPLATE_LANGUAGES.has(languageId);
}

export interface CoreOptions {
  /** Milliseconds between a change and its diagnostics; tests and benchmarks may lower it. */
  debounceMs: number;
}

export function startServerCore(connection: Connection, host: ServerHost, options: CoreOptions): void {
  const debounceMs = options.debounceMs;
  const documents = new Map<string, TextDocument>();
  const settingsCache = new Map<string, Promise<DocumentSettings>>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const reportedProblems = new Set<string>();
  let workspace: Workspace | undefined;
  let workspaceReady: Promise<Workspace>;
  let folders: string[] = [];
  let configFinder: ConfigSource = host.configFinder(undefined);
  let hostReady: Promise<void> = Promise.resolve();
  let markInitialized = (): void => undefined;
  const initialized = new Promise<void>((resolve) => (markInitialized = resolve));
  let supportsConfiguration = false;
  let supportsWatchers = false;
  let supportsShowDocument = false;
  let commandLinks = false;
  let supportsCodeLensRefresh = false;
  /** Bumped by every change the key map may depend on; the map is built again only when it moved. */
  let indexGeneration = 0;
  let builtKeyMap: { generation: number; map: KeyMap } | undefined;
  let announcedGeneration = 0;
  let keyMapTimer: ReturnType<typeof setTimeout> | undefined;
  /** Publishes under way (started by their timer, not yet sent). */
  let publishing = 0;
  let markScanFinished = (): void => undefined;
  const scanFinished = new Promise<void>((resolve) => (markScanFinished = resolve));
  let scanGeneration = 0;
  let shuttingDown = false;
  const configByPath = new Map<string, DocumentSettings>();
  /** Milliseconds spent reparsing each document since its diagnostics were last published (benchmarks read it). */
  const reparseMs = new Map<string, number>();
  /** The findings last published per open document (the hover links those under the cursor to the lesson). */
  const publishedFindings = new Map<string, Finding[]>();

  const log = (message: string): void => connection.console.log(message);
  /** pyproject.toml files with a problem (by URI): a diagnostic on each, one notification each until fixed. */
  const configProblems = new Map<string, ConfigProblem>();
  const notifiedConfigs = new Set<string>();
  const reportProblem = (problem: string, error?: ConfigError): void => {
    // Every file of a broken project asks for its configuration: tell the user once, not once per file.
    if (reportedProblems.has(problem)) return;
    reportedProblems.add(problem);
    log(problem);
    if (!error) {
      void connection.window.showWarningMessage(problem);
      return;
    }
    const uri = host.uriOf(error.file);
    const line = Math.max(0, (error.position?.line ?? 1) - 1);
    const character = Math.max(0, (error.position?.column ?? 1) - 1);
    const found: ConfigProblem = { uri, message: error.problems.join('; '), line: line + 1, column: character + 1 };
    configProblems.set(uri, found);
    void connection.sendDiagnostics({
      uri,
      diagnostics: [{ range: { start: { line, character }, end: { line, character: character + 1 } }, severity: DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE, message: `${found.message}. Cache Coach uses its defaults for this project until it is fixed.` }],
    });
    void connection.sendNotification(CONFIG_PROBLEMS_NOTIFICATION, { problems: [...configProblems.values()] });
    if (notifiedConfigs.has(uri)) return;
    notifiedConfigs.add(uri);
    const open = { title: 'Open pyproject.toml' };
    void connection.window.showWarningMessage(problem, open).then(async (choice) => {
      if (choice?.title !== open.title) return;
      const selection = { start: { line, character }, end: { line, character } };
      if (supportsShowDocument) await connection.window.showDocument({ uri, takeFocus: true, selection });
    }, () => undefined);
  };
  /** A pyproject.toml changed: forget what was reported about it, and look at it again. */
  const recheckConfig = (changedPaths: string[]): void => {
    const before = new Set(configProblems.keys());
    for (const uri of before) void connection.sendDiagnostics({ uri, diagnostics: [] });
    configProblems.clear();
    reportedProblems.clear();
    for (const path of changedPaths) resolveSettings(`${path.slice(0, path.lastIndexOf('/'))}/__cache_coach__.py`, null, configFinder, reportProblem);
    for (const uri of documents.keys()) {
      const path = pathOf(uri);
      if (path) resolveSettings(path, null, configFinder, reportProblem);
    }
    for (const uri of notifiedConfigs) if (!configProblems.has(uri)) notifiedConfigs.delete(uri);
    if (before.size > 0 || configProblems.size > 0) void connection.sendNotification(CONFIG_PROBLEMS_NOTIFICATION, { problems: [...configProblems.values()] });
  };
  const homepage = packageJson.homepage;
  const links: HoverLinks = {
    lesson: (section) => (commandLinks ? `command:cacheCoach.openLesson?${encodeURIComponent(JSON.stringify([section]))}` : `${homepage}#${section}`),
    ruleDocs: (code) => ruleUrl(homepage, code),
  };

  const pathOf = (uri: string): string | undefined => host.pathOf(uri);
  const maxFileSizeFor = (path: string): number => configByPath.get(path)?.config.maxFileSize ?? DEFAULT_CONFIG.maxFileSize;

  async function settingsFor(uri: string): Promise<DocumentSettings> {
    let pending = settingsCache.get(uri);
    if (!pending) {
      pending = (async () => {
        let editor: EditorSettings | null = null;
        if (supportsConfiguration) {
          try {
            editor = ((await connection.workspace.getConfiguration({ scopeUri: uri, section: 'cacheCoach' })) as EditorSettings | null) ?? null;
          } catch (error) {
            log(`Could not read cacheCoach settings: ${String(error)}`);
          }
        }
        await hostReady;
        return resolveSettings(pathOf(uri) ?? uri, editor, configFinder, reportProblem);
      })();
      settingsCache.set(uri, pending);
    }
    return pending;
  }

  function schedule(uri: string, delay = debounceMs): void {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        publishing++;
        void publish(uri).finally(() => {
          publishing--;
          announceKeyMap();
        });
      }, delay),
    );
  }

  function scheduleAllOpen(delay = debounceMs * 2): void {
    for (const uri of documents.keys()) schedule(uri, delay);
  }

  async function publish(uri: string): Promise<void> {
    const document = documents.get(uri);
    const path = pathOf(uri);
    if (!document || !path || shuttingDown) return;
    const version = document.version;
    const settings = await settingsFor(uri);
    const space = await workspaceReady;
    // A newer change arrived while we waited: its own run will publish.
    if (documents.get(uri)?.version !== version) return;
    configByPath.set(path, settings);
    const started = performance.now();
    const findings = settings.enable && !isExcluded(path, settings) ? space.check([path]) : [];
    const diagnostics = findings.map((finding) => toDiagnostic(finding, (code) => ruleUrl(homepage, code)));
    if (documents.get(uri)?.version !== version) return;
    publishedFindings.set(uri, findings);
    const computeMs = performance.now() - started + (reparseMs.get(uri) ?? 0);
    reparseMs.delete(uri);
    void connection.sendDiagnostics({ uri, version, diagnostics });
    void connection.sendNotification('cacheCoach/status', { state: 'ready', findings: diagnostics.length, uri, version, computeMs });
  }

  /** The index changed: the key map (and the lenses made from it) must be built again. */
  function indexChanged(): void {
    indexGeneration++;
  }

  /**
   * Tells the client that the key map changed since it last heard, once the diagnostics of every open document
   * are republished (a burst of publishes makes one notification).
   */
  function announceKeyMap(): void {
    if (!workspace?.projectComplete || announcedGeneration === indexGeneration) return;
    clearTimeout(keyMapTimer);
    keyMapTimer = setTimeout(() => {
      // A publish still to come calls this again when it is done.
      if (shuttingDown || announcedGeneration === indexGeneration || timers.size > 0 || publishing > 0) return;
      announcedGeneration = indexGeneration;
      void connection.sendNotification(KEY_MAP_CHANGED_NOTIFICATION);
      if (supportsCodeLensRefresh) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    }, debounceMs);
  }

  /** The whole project's key map, once the scan has seen every file. */
  async function currentKeyMap(): Promise<{ space: Workspace; map: KeyMap }> {
    const space = await workspaceReady;
    await scanFinished;
    if (builtKeyMap?.generation !== indexGeneration) {
      const generation = indexGeneration;
      let map: KeyMap = { keys: [] };
      try {
        map = buildKeyMap(space);
      } catch (error) {
        log(`Could not build the key map: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      builtKeyMap = { generation, map };
    }
    return { space, map: builtKeyMap.map };
  }

  function isExcluded(path: string, settings: DocumentSettings): boolean {
    if (settings.config.exclude.length === 0) return false;
    const relative = folders.map((folder) => (path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : null)).find((candidate) => candidate !== null) ?? path;
    return picomatch.isMatch(relative, settings.config.exclude, { dot: true });
  }

  async function scanWorkspace(space: Workspace): Promise<void> {
    const generation = ++scanGeneration;
    const started = Date.now();
    let files = 0;
    for (const folder of folders) {
      for await (const path of host.scanFolder(folder, () => generation !== scanGeneration || shuttingDown, maxFileSizeFor)) {
        if (!documents.has(host.uriOf(path))) space.update(path);
        files++;
      }
    }
    let parsed = 0;
    let step = 0;
    for (const count of space.warmUp()) {
      parsed = count;
      if (++step % 20 === 0) await host.yieldTurn();
      if (generation !== scanGeneration || shuttingDown) return;
    }
    space.projectComplete = true;
    log(`Workspace scan: ${files} files, ${parsed} parsed, ${Date.now() - started} ms`);
    indexChanged();
    markScanFinished();
    scheduleAllOpen(0);
    announceKeyMap();
  }

  connection.onInitialize((params: InitializeParams) => {
    const capabilities = params.capabilities;
    supportsConfiguration = capabilities.workspace?.configuration === true;
    supportsWatchers = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    supportsShowDocument = capabilities.window?.showDocument?.support === true;
    supportsCodeLensRefresh = capabilities.workspace?.codeLens?.refreshSupport === true;
    commandLinks = (params.initializationOptions as { commandLinks?: boolean } | undefined)?.commandLinks === true;
    folders = (params.workspaceFolders ?? []).flatMap((folder) => pathOf(folder.uri) ?? []);
    if (folders.length === 0 && params.rootUri) folders = [pathOf(params.rootUri)].flatMap((path) => path ?? []);
    host.initialize?.(params, folders);
    // The host may ask the client for files only once the client is initialized.
    if (host.ready) hostReady = initialized.then(() => host.ready!());
    configFinder = host.configFinder(folders[0]);
    const source = {
      read: (path: string): string | undefined => {
        const result = host.readText(path, maxFileSizeFor(path));
        if ('skipped' in result) {
          log(`${path}: ${result.skipped}`);
          return undefined;
        }
        return result.text;
      },
    };
    const create = (wasm: Parameters<typeof Workspace.create>[0]['wasm']): Promise<Workspace> =>
      Workspace.create({ wasm, source, paths: [], roots: folders, configFor: (path) => configByPath.get(path)?.config ?? resolveSettings(path, null, configFinder, reportProblem).config, loadTypeScript: host.loadTypeScript });
    const wasm = host.loadWasm();
    workspaceReady = (wasm instanceof Promise ? wasm.then(create) : create(wasm)).then((space) => {
      // Until the scan has seen every file, rules that need the whole project stay quiet.
      space.projectComplete = false;
      workspace = space;
      return space;
    });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        executeCommandProvider: { commands: ['cacheCoach.applyFixAll'] },
        experimental: { cacheCoach: { processId: host.processId } },
      },
      serverInfo: { name: 'cache-coach', version: packageJson.version },
    };
  });

  connection.onInitialized(async () => {
    markInitialized();
    if (supportsConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'cacheCoach' });
    if (supportsWatchers) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.py' },
          { globPattern: '**/templates/**/*.{html,txt}' },
          { globPattern: '**/*.{jinja,jinja2,j2}' },
          { globPattern: '**/*.{ts,tsx,js,jsx,mjs,cjs}' },
          { globPattern: '**/package.json' },
          { globPattern: '**/tsconfig*.json' },
          { globPattern: '**/pyproject.toml' },
          // Deployment files CACHE003 reads (see analysis/deployment.ts).
          { globPattern: '**/{Dockerfile,Dockerfile.*,*.dockerfile,Procfile,app.json,render.yaml,fly.toml,.env,.env.*,*.env,*.env.*}' },
          { globPattern: '**/*compose*.{yml,yaml}' },
          { globPattern: '**/{helm,charts,k8s,kubernetes,manifests}/**/*.{yml,yaml,tpl}' },
          { globPattern: '**/{gunicorn,uwsgi}*.{ini,conf,cfg}' },
          // Launch scripts and the application's configuration files CACHE003 follows.
          { globPattern: '**/*.sh' },
          { globPattern: '**/{base,config,configuration,settings,app,application,default,defaults,production,prod}.{json,yml,yaml}' },
        ],
      });
    }
    const space = await workspaceReady;
    void scanWorkspace(space).catch((error: unknown) => {
      log(`Workspace scan failed: ${String(error)}; cross-file rules use what was indexed.`);
      space.projectComplete = true;
      indexChanged();
      markScanFinished();
      scheduleAllOpen(0);
      announceKeyMap();
    });
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    const document = TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    documents.set(textDocument.uri, document);
    const path = pathOf(textDocument.uri);
    if (path && isAnalysedDocument(path, textDocument.languageId)) {
      indexChanged();
      if (workspace) workspace.openDocument(path, textDocument.text);
      else void workspaceReady.then((space) => space.openDocument(path, documents.get(textDocument.uri)?.getText() ?? textDocument.text));
    }
    schedule(textDocument.uri, 0);
  });

  connection.onDidChangeTextDocument(async ({ textDocument, contentChanges }) => {
    let document = documents.get(textDocument.uri);
    if (!document) return;
    const changes: TextChange[] = [];
    for (const change of contentChanges) {
      if ('range' in change) {
        const start = document.offsetAt(change.range.start);
        const oldEnd = document.offsetAt(change.range.end);
        const startPosition = document.positionAt(start);
        const oldEndPosition = document.positionAt(oldEnd);
        document = TextDocument.update(document, [change], textDocument.version);
        const newEnd = start + change.text.length;
        changes.push({ start, oldEnd, newEnd, startPosition, oldEndPosition, newEndPosition: document.positionAt(newEnd) });
      } else {
        document = TextDocument.update(document, [change], textDocument.version);
        changes.length = 0;
        changes.push({ start: 0, oldEnd: Number.MAX_SAFE_INTEGER, newEnd: change.text.length, startPosition: { line: 0, character: 0 }, oldEndPosition: { line: 1e9, character: 0 }, newEndPosition: document.positionAt(change.text.length) });
      }
    }
    documents.set(textDocument.uri, document);
    const path = pathOf(textDocument.uri);
    const space = workspace ?? (await workspaceReady);
    if (path && isAnalysedDocument(path, document.languageId)) {
      indexChanged();
      const wholeText = changes.some((change) => change.oldEnd === Number.MAX_SAFE_INTEGER);
      const started = performance.now();
      if (wholeText) space.openDocument(path, document.getText());
      else space.changeDocument(path, document.getText(), changes);
      reparseMs.set(textDocument.uri, (reparseMs.get(textDocument.uri) ?? 0) + performance.now() - started);
    }
    const settings = await settingsFor(textDocument.uri);
    if (settings.run === 'onType') {
      schedule(textDocument.uri);
      for (const uri of documents.keys()) if (uri !== textDocument.uri) schedule(uri, debounceMs * 4);
    }
  });

  connection.onDidSaveTextDocument(({ textDocument }) => {
    schedule(textDocument.uri, 0);
  });

  connection.onDidCloseTextDocument(async ({ textDocument }) => {
    documents.delete(textDocument.uri);
    publishedFindings.delete(textDocument.uri);
    clearTimeout(timers.get(textDocument.uri));
    settingsCache.delete(textDocument.uri);
    const path = pathOf(textDocument.uri);
    if (path && isAnalysedDocument(path, textDocument.uri.endsWith('.py') ? 'python' : '')) {
      // The browser host fetches the file's text again: the engine goes back to what is stored.
      if (host.refresh) await host.refresh([{ path, uri: textDocument.uri, deleted: false }], maxFileSizeFor).catch((error: unknown) => log(`${path}: ${String(error)}`));
      (await workspaceReady).closeDocument(path);
      indexChanged();
    }
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    scheduleAllOpen();
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    const space = await workspaceReady;
    if (host.refresh) {
      const wanted = changes.flatMap((change) => {
        const path = pathOf(change.uri);
        return path && (isAnalysedPath(path) || path.endsWith('pyproject.toml')) ? [{ path, uri: change.uri, deleted: change.type === FileChangeType.Deleted }] : [];
      });
      if (wanted.length > 0) await host.refresh(wanted, maxFileSizeFor).catch((error: unknown) => log(`Could not read changed files: ${String(error)}`));
    }
    const changedConfigs: string[] = [];
    for (const change of changes) {
      const path = pathOf(change.uri);
      if (!path) continue;
      if (path.endsWith('pyproject.toml')) {
        configFinder = host.configFinder(folders[0]);
        settingsCache.clear();
        changedConfigs.push(path);
        continue;
      }
      if (!isAnalysedPath(path) || documents.has(change.uri)) continue;
      if (change.type === FileChangeType.Deleted) space.remove(path);
      else space.update(path);
    }
    if (changedConfigs.length > 0) recheckConfig(changedConfigs);
    indexChanged();
    scheduleAllOpen(0);
    announceKeyMap();
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    reportedProblems.clear();
    indexChanged();
    scheduleAllOpen(0);
    announceKeyMap();
  });

  connection.onRequest(KEY_MAP_REQUEST, async (params: KeyMapParams | null | undefined): Promise<LspKeyMap> => {
    const { space, map } = await currentKeyMap();
    const query = typeof params?.query === 'string' ? params.query : undefined;
    const relative = (path: string): string => space.relativePath(path);
    return toLspKeyMap(filterKeys(map, query, relative), (path) => host.uriOf(path), relative);
  });

  connection.onCodeLens(async ({ textDocument }): Promise<CodeLens[]> => {
    const path = pathOf(textDocument.uri);
    if (!path || !documents.has(textDocument.uri)) return [];
    const settings = await settingsFor(textDocument.uri);
    if (!settings.codeLens || !settings.enable || isExcluded(path, settings)) return [];
    const { map } = await currentKeyMap();
    const fileName = (other: string): string => other.slice(other.lastIndexOf('/') + 1);
    return keyLenses(map.keys, path, fileName).map((lens) => {
      const position = { line: lens.line - 1, character: lens.column - 1 };
      return { range: { start: position, end: position }, command: { title: lens.title, command: REVEAL_KEY_COMMAND, arguments: [lens.key, lens.kind] } };
    });
  });

  connection.onHover(async ({ textDocument, position }) => {
    const document = documents.get(textDocument.uri);
    const path = pathOf(textDocument.uri);
    if (!document || !path) return null;
    const lessonLinks = findingsHover(publishedFindings.get(textDocument.uri) ?? [], position, links);
    const hover = await apiHover(document, path, position);
    if (!lessonLinks) return hover;
    const apiText = hover && typeof hover.contents === 'object' && 'kind' in hover.contents ? hover.contents.value : '';
    return { contents: { kind: 'markdown' as const, value: apiText ? `${apiText}\n\n---\n\n${lessonLinks}` : lessonLinks } };
  });

  async function apiHover(document: TextDocument, path: string, position: { line: number; character: number }): Promise<Hover | null> {
    // Hover never waits for the workspace scan: it needs only the parser and the document's own facts.
    const space = await workspaceReady;
    if (isTemplatePath(path)) {
      const template = space.templates.module(path);
      return template ? templateHover(template, document.offsetAt(position), links) : null;
    }
    if (isTypeScriptPath(path)) {
      const module = space.typescript.module(path);
      return module ? typescriptHover(space.typescript, module, document.offsetAt(position), links) : null;
    }
    if (!isPythonPath(path)) return null;
    const module = space.python.module(path);
    return module ? pythonHover(module, document.offsetAt(position), links) : null;
  }

  connection.onCodeAction(async (params) => {
    const document = documents.get(params.textDocument.uri);
    const path = pathOf(params.textDocument.uri);
    if (!document || !path) return [];
    const style = isTemplatePath(path) ? 'template' : isPythonPath(path) ? 'python' : 'slashes';
    return codeActions(params, document.getText(), style, () => (workspace ? workspace.check([path]) : []));
  });

  connection.onExecuteCommand(async ({ command, arguments: args }) => {
    if (command !== 'cacheCoach.applyFixAll') return;
    const uri = typeof args?.[0] === 'string' ? args[0] : undefined;
    const path = uri ? pathOf(uri) : undefined;
    if (!uri || !path || !workspace) return;
    const edits = fixAllEdits(workspace.check([path]));
    if (edits.length > 0) await connection.workspace.applyEdit({ label: 'Cache Coach: fix all', edit: { changes: { [uri]: edits } } });
  });

  connection.onShutdown(() => {
    shuttingDown = true;
    for (const timer of timers.values()) clearTimeout(timer);
    clearTimeout(keyMapTimer);
  });

  connection.listen();
}
