/**
 * What the language server needs of its platform. server-core.ts is written against this interface only;
 * server.ts (Node: stdio/IPC, the disk) and server-browser.ts (a web worker: the client reads files for it)
 * implement it.
 */
import type { InitializeParams } from 'vscode-languageserver';
import type { PythonWasm } from '../analysis/python/parser.js';
import type { TypeScriptApi } from '../analysis/typescript/load.js';
import type { ConfigSource } from './config-finder.js';

export type ReadResult = { text: string } | { skipped: string };

export interface ServerHost {
  /** The engine's path ('/'-separated) for a document or workspace-folder URI; undefined: not a file the server reads. */
  pathOf(uri: string): string | undefined;
  /** The URI of a path found by the scan (to tell open documents apart). */
  uriOf(path: string): string;
  /** Called first thing in `initialize`, with the folders' paths (already mapped by pathOf). */
  initialize?(params: InitializeParams, folders: readonly string[]): void;
  /**
   * Called once, on `initialized` (requests to the client are allowed from then on): the browser host reads the
   * pyproject.toml files here. Configuration is read after it resolves. Without it (Node), at once.
   */
  ready?(): Promise<void>;
  /** The parser's wasm binaries. */
  loadWasm(): PythonWasm | Promise<PythonWasm>;
  /** The `typescript` module, loaded on the first TS/JS file; without it TS/JS files are not analysed. */
  loadTypeScript?: () => TypeScriptApi;
  /** The `[tool.cache-coach]` finder for a workspace root (made again when a pyproject.toml changes). */
  configFinder(root: string | undefined): ConfigSource;
  /** A file's text for the engine, synchronously (the browser host answers from what it fetched). */
  readText(path: string, maxFileSize: number): ReadResult;
  /**
   * The analysed files under a workspace folder (paths), a few at a time. Each path's text must be readable
   * through readText by the time it is yielded.
   */
  scanFolder(folder: string, cancelled: () => boolean, maxFileSize: (path: string) => number): AsyncIterable<string>;
  /** Files changed outside the editor (workspace/didChangeWatchedFiles): make their new texts readable. */
  refresh?(changes: readonly { path: string; uri: string; deleted: boolean }[], maxFileSize: (path: string) => number): Promise<void>;
  /** Gives the event loop a turn during long work (the warm-up parse). */
  yieldTurn(): Promise<void>;
  /** Reported in `initialize` as `experimental.cacheCoach.processId` (tests of the Node client use it). */
  processId?: number;
}
