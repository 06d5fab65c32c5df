/**
 * The ServerHost of the browser server (a web worker: no Node APIs, no file system). Files come from the client
 * through the two requests of web-protocol.ts; the wasm binaries and the TypeScript bundle are fetched from the
 * URLs the client passes in `initializationOptions.web`.
 *
 * Paths: the engine wants '/'-separated paths. A URI `scheme://authority/p/a/t/h` becomes
 * `/scheme/authority/p/a/t/h` (authority `-` when empty), so files of different file systems never collide;
 * workspace folders map the same way, and the engine judges names below its folders (WorkspaceOptions.roots).
 */
import type { Connection, InitializeParams } from 'vscode-languageserver';
import type { PythonWasm } from '../analysis/python/parser.js';
import { isTypeScriptPath, type TypeScriptApi } from '../analysis/typescript/load.js';
import { isAnalysedPath, SKIPPED_DIRECTORIES } from './analysed-paths.js';
import { TextConfigFinder } from './config-finder.js';
import type { ReadResult, ServerHost } from './host.js';
import {
  FIND_FILES_REQUEST,
  READ_FILES_REQUEST,
  type FindFilesParams,
  type FindFilesResult,
  type ReadFilesParams,
  type ReadFilesResult,
  type WebInitializationOptions,
} from './web-protocol.js';

/** Files read per readFiles request. */
const BATCH = 64;
/** At most this many files are listed per workspace folder. */
const MAX_FILES = 50_000;

const EXTENSIONS = ['.py', '.html', '.txt', '.jinja', '.jinja2', '.j2', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs'];
const NAMES = ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'pyproject.toml', 'pyvenv.cfg'];

/** Synchronous XMLHttpRequest, which workers allow: the engine loads TypeScript synchronously, on the first TS/JS file. */
interface SyncXhr {
  open(method: string, url: string, async: boolean): void;
  send(): void;
  readonly status: number;
  readonly responseText: string;
}
declare const XMLHttpRequest: { new (): SyncXhr } | undefined;

const URI = /^([a-zA-Z][\w+.-]*):\/\/([^/?#]*)([^?#]*)/;

export function createBrowserHost(connection: Connection): ServerHost {
  const log = (message: string): void => connection.console.log(message);
  // In the extension's test mode the client asks for the server's log in the worker's console too, where
  // test/web/run.mjs records it (the output channel is out of a test's reach).
  let mirror = false;
  const remoteLog = connection.console.log.bind(connection.console);
  connection.console.log = (message: string): void => {
    remoteLog(message);
    if (mirror) console.log(`[cache-coach server] ${message}`);
  };
  const texts = new Map<string, ReadResult>();
  const uriByPath = new Map<string, string>();
  const folderUris = new Map<string, string>();
  let web: WebInitializationOptions['web'];
  let folders: readonly string[] = [];
  let ready: Promise<void> | undefined;
  /** Folder listings made for the pyproject.toml files, used again by the scan. */
  const listings = new Map<string, Promise<{ path: string; uri: string }[]>>();
  let typescript: TypeScriptApi | undefined;
  let typescriptText: string | undefined;

  const pathOf = (uri: string): string | undefined => {
    const match = URI.exec(uri);
    if (!match) return undefined;
    let rest: string;
    try {
      rest = decodeURIComponent(match[3]).replace(/\/+$/, '');
    } catch {
      return undefined;
    }
    const path = `/${match[1].toLowerCase()}/${match[2] || '-'}${rest.startsWith('/') || rest === '' ? rest : `/${rest}`}`;
    if (!uriByPath.has(path)) uriByPath.set(path, uri);
    return path;
  };

  const uriOf = (path: string): string => {
    const known = uriByPath.get(path);
    if (known) return known;
    const [, scheme = '', authority = '', ...rest] = path.split('/');
    return `${scheme}://${authority === '-' ? '' : authority}/${rest.map(encodeURIComponent).join('/')}`;
  };

  /** Reads files through the client and keeps their texts (or why they were skipped). */
  async function read(entries: readonly { path: string; uri: string }[], maxBytes: number): Promise<void> {
    for (let start = 0; start < entries.length; start += BATCH) {
      const batch = entries.slice(start, start + BATCH);
      const results = await connection.sendRequest<ReadFilesResult>(READ_FILES_REQUEST, { uris: batch.map((entry) => entry.uri), maxBytes } satisfies ReadFilesParams);
      batch.forEach((entry, index) => {
        const result = results[index];
        texts.set(entry.path, result && ('text' in result || 'skipped' in result) ? result : { skipped: 'cannot be read (no answer from the client)' });
        uriByPath.set(entry.path, entry.uri);
      });
    }
  }

  /** The analysed files (and pyproject.toml files) under a folder, by the client's listing. */
  async function list(folder: string): Promise<{ path: string; uri: string }[]> {
    const folderUri = folderUris.get(folder) ?? uriOf(folder);
    const params: FindFilesParams = { folder: folderUri, extensions: EXTENSIONS, names: NAMES, skipDirectories: [...SKIPPED_DIRECTORIES], maxResults: MAX_FILES };
    const uris = await connection.sendRequest<FindFilesResult>(FIND_FILES_REQUEST, params);
    const found = uris.flatMap((uri) => {
      const path = pathOf(uri);
      return path && path.startsWith(`${folder}/`) ? [{ path, uri }] : [];
    });
    // Folders holding pyvenv.cfg are virtualenvs: never analysed (as node/files.ts does).
    const virtualenvs = found
      .filter((entry) => entry.path.endsWith('/pyvenv.cfg'))
      .map((entry) => entry.path.slice(0, -'pyvenv.cfg'.length))
      .filter((prefix) => prefix !== `${folder}/`); // the folder itself is looked at, whatever it holds
    return found
      .filter((entry) => {
        const below = entry.path.slice(folder.length + 1).split('/');
        if (below.slice(0, -1).some((segment) => SKIPPED_DIRECTORIES.has(segment))) return false;
        if (virtualenvs.some((prefix) => entry.path.startsWith(prefix))) return false;
        return isAnalysedPath(entry.path) || entry.path.endsWith('/pyproject.toml');
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Fetches the TypeScript bundle's text before the engine needs it (it loads TypeScript synchronously). */
  async function prefetchTypeScript(): Promise<void> {
    if (typescript || typescriptText !== undefined || !web) return;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const response = await fetch(web.typescript);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        typescriptText = await response.text();
        return;
      } catch (error) {
        log(`${web.typescript}: ${String(error)}${attempt < 3 ? '; trying again' : ''}`);
      }
    }
  }

  async function fetchBytes(url: string): Promise<Uint8Array> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  return {
    pathOf,
    uriOf,

    initialize(params: InitializeParams, workspaceFolders: readonly string[]) {
      folders = workspaceFolders;
      web = (params.initializationOptions as WebInitializationOptions | undefined)?.web;
      mirror = web?.consoleLog === true;
      for (const folder of params.workspaceFolders ?? []) {
        const path = pathOf(folder.uri);
        if (path) folderUris.set(path, folder.uri);
      }
    },

    // pyproject.toml files first: settings are resolved from them before the first diagnostics. Called once the
    // client is initialized (it answers no request before that). The listing is kept for the scan that follows.
    ready(): Promise<void> {
      ready ??= (async () => {
        for (const folder of folders) {
          const listing = list(folder);
          listings.set(folder, listing);
          await read((await listing).filter((entry) => entry.path.endsWith('/pyproject.toml')), 1024 * 1024);
        }
      })().catch((error: unknown) => log(`Could not read pyproject.toml files: ${String(error)}`));
      return ready;
    },

    async loadWasm(): Promise<PythonWasm> {
      if (!web) throw new Error('Cache Coach: initializationOptions.web (the wasm URLs) is missing: the browser server needs its client.');
      try {
        const [runtime, python] = await Promise.all([fetchBytes(web.runtimeWasm), fetchBytes(web.pythonWasm)]);
        return { runtime, python };
      } catch (error) {
        log(`Could not load the Python parser: ${String(error)}`);
        throw error;
      }
    },

    loadTypeScript(): TypeScriptApi {
      if (typescript) return typescript;
      const started = Date.now();
      try {
        // Fetched ahead by the scan (prefetchTypeScript); a TS/JS file opened before that waits here for a sync XHR.
        let text = typescriptText;
        if (text === undefined) {
          if (!web || typeof XMLHttpRequest === 'undefined') throw new Error('the TypeScript bundle cannot be loaded here');
          const request = new XMLHttpRequest();
          request.open('GET', web.typescript, false);
          request.send();
          if (request.status !== 200) throw new Error(`${web.typescript}: HTTP ${request.status}`);
          text = request.responseText;
        }
        const module: { exports: Partial<TypeScriptApi> } = { exports: {} };
        // A CommonJS bundle (esbuild.config.mjs): run it with its own `module`. The worker's CSP allows eval
        // (VS Code's extension host iframe has 'unsafe-eval'), not necessarily importScripts from the extension's origin.
        new Function('module', 'exports', text)(module, module.exports);
        if (typeof module.exports.createSourceFile !== 'function') throw new Error(`${web?.typescript} is not the TypeScript compiler API`);
        typescript = module.exports as TypeScriptApi;
        typescriptText = undefined;
        log(`TypeScript ${typescript.version} loaded in ${Date.now() - started} ms`);
        return typescript;
      } catch (error) {
        // The engine then leaves TS/JS files alone for this session: say why.
        log(`Could not load TypeScript, TS/JS files are not analysed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
    },

    configFinder: () => new TextConfigFinder((path) => {
      const result = texts.get(path);
      return result && 'text' in result ? result.text : undefined;
    }),

    readText: (path) => texts.get(path) ?? { skipped: 'cannot be read (not in the workspace scan)' },

    async *scanFolder(folder, cancelled, maxFileSize) {
      const listing = listings.get(folder);
      listings.delete(folder);
      const entries = (await (listing?.catch(() => list(folder)) ?? list(folder))).filter((entry) => !entry.path.endsWith('/pyproject.toml'));
      // TypeScript downloads while the files are read; the warm-up parse that follows the scan needs it.
      const typescriptReady = entries.some((entry) => isTypeScriptPath(entry.path)) ? prefetchTypeScript() : undefined;
      for (let start = 0; start < entries.length && !cancelled(); start += BATCH) {
        const batch = entries.slice(start, start + BATCH);
        await read(batch, Math.max(...batch.map((entry) => maxFileSize(entry.path))));
        for (const entry of batch) yield entry.path;
      }
      await typescriptReady;
    },

    async refresh(changes, maxFileSize) {
      const wanted: { path: string; uri: string }[] = [];
      for (const change of changes) {
        if (change.deleted) texts.delete(change.path);
        else wanted.push(change);
      }
      if (wanted.length > 0) await read(wanted, Math.max(...wanted.map((entry) => maxFileSize(entry.path))));
    },

    yieldTurn: () =>
      new Promise<void>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          channel.port1.close();
          resolve();
        };
        channel.port2.postMessage(null);
      }),
  };
}
