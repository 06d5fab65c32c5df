/**
 * The browser client's side of the file protocol (server/src/lsp/web-protocol.ts): the server, in a web worker,
 * cannot read the workspace, so it asks here. Files are listed with `vscode.workspace.findFiles` (a walk with
 * `vscode.workspace.fs.readDirectory` where no search provider answers) and read with `vscode.workspace.fs`,
 * which serve virtual file systems too (github.dev's vscode-vfs, vscode.dev, @vscode/test-web's mount).
 */
import * as vscode from 'vscode';
import {
  decodeSourceBytes,
  FIND_FILES_REQUEST,
  oversized,
  READ_FILES_REQUEST,
  type FindFilesParams,
  type FindFilesResult,
  type ReadFileResult,
  type ReadFilesParams,
  type ReadFilesResult,
} from '../../../server/src/lsp/web-protocol';

/** How long findFiles may take before the walk is used instead (a scheme with no search provider can leave it waiting). */
const FIND_FILES_TIMEOUT_MS = 30_000;

interface RequestTarget {
  onRequest(method: string, handler: (params: never) => Promise<unknown>): vscode.Disposable;
}

export function registerWorkspaceFiles(client: RequestTarget, log: (message: string) => void): vscode.Disposable[] {
  return [
    client.onRequest(FIND_FILES_REQUEST, (params: FindFilesParams) => findFiles(params, log)),
    client.onRequest(READ_FILES_REQUEST, (params: ReadFilesParams) => readFiles(params)),
  ];
}

async function findFiles(params: FindFilesParams, log: (message: string) => void): Promise<FindFilesResult> {
  const folder = vscode.Uri.parse(params.folder);
  const include = `**/{${[...params.extensions.map((extension) => `*${extension}`), ...params.names].join(',')}}`;
  const exclude = `**/{${params.skipDirectories.join(',')}}/**`;
  const started = Date.now();
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${FIND_FILES_TIMEOUT_MS / 1000} s`)), FIND_FILES_TIMEOUT_MS);
    });
    try {
      const uris = await Promise.race([vscode.workspace.findFiles(new vscode.RelativePattern(folder, include), exclude, params.maxResults), timeout]);
      log(`findFiles ${folder.toString(true)}: ${uris.length} files in ${Date.now() - started} ms`);
      if (uris.length > 0) return uris.map((uri) => uri.toString());
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    log(`findFiles ${folder.toString(true)} failed (${String(error)}); walking the folder instead`);
  }
  // No search provider for this scheme, or really nothing there: walk (cheap when the folder is empty).
  const found = await walk(folder, params);
  log(`walked ${folder.toString(true)}: ${found.length} files in ${Date.now() - started} ms`);
  return found;
}

async function walk(root: vscode.Uri, params: FindFilesParams): Promise<string[]> {
  const skip = new Set(params.skipDirectories);
  const names = new Set(params.names);
  const found: string[] = [];
  const pending = [root];
  while (pending.length > 0 && found.length < params.maxResults) {
    const folder = pending.pop()!;
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(folder);
    } catch {
      continue;
    }
    for (const [name, type] of entries) {
      const uri = vscode.Uri.joinPath(folder, name);
      // Symbolic links to folders are not followed (no loops), as on the desktop.
      if (type === vscode.FileType.Directory) {
        if (!skip.has(name)) pending.push(uri);
      } else if (type & vscode.FileType.File && (names.has(name) || params.extensions.some((extension) => name.endsWith(extension)))) {
        found.push(uri.toString());
      }
    }
  }
  return found;
}

async function readFiles(params: ReadFilesParams): Promise<ReadFilesResult> {
  return Promise.all(params.uris.map((uri) => readFile(vscode.Uri.parse(uri), params.maxBytes)));
}

async function readFile(uri: vscode.Uri, maxBytes: number): Promise<ReadFileResult> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    const tooLarge = oversized(stat.size, maxBytes);
    if (tooLarge) return tooLarge;
    return decodeSourceBytes(await vscode.workspace.fs.readFile(uri), maxBytes);
  } catch (error) {
    const code = error instanceof vscode.FileSystemError ? error.code : 'error';
    return { skipped: `cannot be read (${code || 'error'})` };
  }
}
