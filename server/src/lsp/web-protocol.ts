/**
 * The browser server's file protocol. In a web worker the server cannot read the workspace (it may be a virtual
 * file system: github.dev, vscode.dev), so it asks its client, which answers with `vscode.workspace.findFiles`
 * and `vscode.workspace.fs.readFile`. Two requests, server -> client, nothing else:
 *
 *   cacheCoach/findFiles  { folder, extensions, names, skipDirectories, maxResults } -> string[]
 *       URIs (as `Uri.toString()`) of the files under the workspace folder `folder` (a URI) whose name ends with
 *       one of `extensions` or equals one of `names`, in no folder named in `skipDirectories`. The client uses
 *       findFiles (and walks with fs.readDirectory where no search provider serves the scheme); the server
 *       filters the list again.
 *   cacheCoach/readFiles  { uris, maxBytes } -> ({ text } | { skipped })[]
 *       Each file's text, in order: UTF-8, or `skipped` saying why not (missing, over maxBytes, binary, UTF-16,
 *       not UTF-8), decided by decodeSourceBytes below (the Node server's rules, node/files.ts).
 *
 * The server reads every analysed file once, in batches, during its workspace scan, and again when
 * `workspace/didChangeWatchedFiles` reports a change. `initializationOptions.web` tells it where the wasm
 * binaries and the TypeScript bundle are (URLs under the extension's dist/web/).
 *
 * Pure declarations and one pure function: both the client bundle and the worker bundle import this file.
 */

export const FIND_FILES_REQUEST = 'cacheCoach/findFiles';
export const READ_FILES_REQUEST = 'cacheCoach/readFiles';

export interface FindFilesParams {
  /** A workspace folder's URI. */
  folder: string;
  /** File name endings, with the dot: `.py`. */
  extensions: string[];
  /** Whole file names: `package.json`. */
  names: string[];
  /** Folder names never entered: `node_modules`. */
  skipDirectories: string[];
  maxResults: number;
}

export type FindFilesResult = string[];

export interface ReadFilesParams {
  uris: string[];
  /** Files larger than this are skipped (max-file-size). */
  maxBytes: number;
}

export type ReadFileResult = { text: string } | { skipped: string };
export type ReadFilesResult = ReadFileResult[];

/** `initializationOptions` of the browser client. */
export interface WebInitializationOptions {
  commandLinks?: boolean;
  web?: {
    /** URL of web-tree-sitter.wasm. */
    runtimeWasm: string;
    /** URL of tree-sitter-python.wasm. */
    pythonWasm: string;
    /** URL of the TypeScript compiler bundle (a CommonJS script: it sets module.exports), fetched when the workspace has TS/JS files. */
    typescript: string;
    /** Also write the server's log to the worker's console (the client sets it in ExtensionMode.Test). */
    consoleLog?: boolean;
  };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** Why a file of `size` bytes is skipped, if it is too large (max-file-size). */
export function oversized(size: number, maxBytes: number): { skipped: string } | undefined {
  return size > maxBytes ? { skipped: `skipped: ${formatBytes(size)} is over the ${formatBytes(maxBytes)} limit (max-file-size)` } : undefined;
}

/** Valid UTF-8 bytes as text (a leading byte-order mark left out); undefined when they are not valid UTF-8. */
export type Utf8Decoder = (bytes: Uint8Array) => string | undefined;

function decodeWithTextDecoder(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** How far from its start a file is searched for a NUL byte, the mark of a binary file. */
export const BINARY_SNIFF_LENGTH = 8192;

/**
 * A file's bytes as source text, or why it is skipped: the same rules and messages as node/files.ts readSourceFile.
 * Node passes its own `decode` (faster than a TextDecoder per file); browsers use TextDecoder.
 */
export function decodeSourceBytes(bytes: Uint8Array, maxBytes: number, decode: Utf8Decoder = decodeWithTextDecoder): ReadFileResult {
  const tooLarge = oversized(bytes.length, maxBytes);
  if (tooLarge) return tooLarge;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return { skipped: 'skipped: UTF-16 text is not supported (save it as UTF-8)' };
  if (bytes.subarray(0, BINARY_SNIFF_LENGTH).includes(0)) return { skipped: 'skipped: binary file' };
  const text = decode(bytes);
  return text === undefined ? { skipped: 'skipped: not valid UTF-8' } : { text };
}
