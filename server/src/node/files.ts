/** Reading the workspace from disk: which files to look at, and their text (or why they were skipped). */
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { isAnalysedPath, SKIPPED_DIRECTORIES } from '../lsp/analysed-paths.js';
import { BINARY_SNIFF_LENGTH, decodeSourceBytes, oversized } from '../lsp/web-protocol.js';

// Shared with the browser server (no Node APIs there): defined in lsp/analysed-paths.ts.
export { isAnalysedPath, SKIPPED_DIRECTORIES };

export interface WalkResult {
  files: string[];
  notes: string[];
  /** Each folder listed (absolute path): whether an entry in it is named pyproject.toml (ConfigFinder.useListing). */
  listedFolders: Map<string, boolean>;
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Lists the files to analyse under `roots` (files or folders), as paths relative to `cwd` with `/`.
 * Symbolic links to folders are not followed, so link loops cannot trap the walk.
 */
export function walkWorkspace(roots: string[], cwd: string, exclude: string[]): WalkResult {
  const isExcluded = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false;
  const files: string[] = [];
  const notes: string[] = [];
  const listedFolders = new Map<string, boolean>();
  const seen = new Set<string>();
  const keep = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    files.push(path);
  };
  const visitFolder = (absolute: string, path: string, isRoot = false): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(absolute, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      notes.push(`${path}: cannot be listed (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    // A virtualenv (a folder holding pyvenv.cfg) below the root is someone's installed packages, not the project.
    if (!isRoot && entries.some((entry) => entry.name === 'pyvenv.cfg' && !entry.isDirectory())) return;
    listedFolders.set(absolute, entries.some((entry) => entry.name === 'pyproject.toml' && !entry.isDirectory()));
    // Joined by hand: `absolute` is already resolved, and path.join would normalise it again for every entry.
    const folderPrefix = absolute.endsWith(sep) ? absolute : absolute + sep;
    for (const entry of entries) {
      const childAbsolute = folderPrefix + entry.name;
      const childPath = path === '.' ? entry.name : `${path}/${entry.name}`;
      if (isExcluded(childPath)) continue;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name) || isExcluded(`${childPath}/`)) continue;
        visitFolder(childAbsolute, childPath);
      } else if (isAnalysedPath(childPath) && (entry.isFile() || (entry.isSymbolicLink() && isFileTarget(childAbsolute, childPath, notes)))) {
        keep(childPath);
      }
    }
  };
  for (const root of roots) {
    const absolute = resolve(cwd, root);
    const path = toPosix(relative(cwd, absolute)) || '.';
    let stats;
    try {
      stats = statSync(absolute, { throwIfNoEntry: false });
    } catch (error) {
      notes.push(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (!stats) notes.push(`${path}: cannot be read (ENOENT)`);
    else if (stats.isDirectory()) visitFolder(absolute, path, true);
    else if (stats.isFile()) keep(path);
  }
  return { files, notes, listedFolders };
}

/**
 * A symbolic link to a file (links to folders are never followed). A dangling link is passed over; a link loop
 * (ELOOP) or an unreadable target gets a note. statSync throws those even with throwIfNoEntry: false.
 */
function isFileTarget(absolute: string, path: string, notes: string[]): boolean {
  try {
    return statSync(absolute, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch (error) {
    notes.push(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return false;
  }
}

export type ReadResult = { text: string } | { skipped: string };

/** Reads a source file as UTF-8 text, or says why it was skipped (too large, binary, not UTF-8). */
export function readSourceFile(absolute: string, maxFileSize: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(absolute, 'r');
  } catch (error) {
    return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    // Most source files fit the shared buffer: one read, no size lookup, decoded from there. A file that fills
    // it is measured first (from the open file, no second lookup by name), so a huge file is never read.
    const buffer = (readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE));
    const head = readSync(fd, buffer, 0, buffer.length, 0);
    if (head < buffer.length) {
      const tooLarge = oversized(head, maxFileSize);
      if (tooLarge) return tooLarge;
      return decodedText(buffer.toString('utf8', 0, head)) ?? decodeSourceBytes(Uint8Array.prototype.slice.call(buffer, 0, head), maxFileSize, decodeUtf8);
    }
    const size = fstatSync(fd).size;
    const tooLarge = oversized(size, maxFileSize);
    if (tooLarge) return tooLarge;
    if (size > 0) {
      const decoded = decodedText(readFileSync(fd, 'utf8'));
      if (decoded) return decoded;
    }
    return decodeSourceBytes(readOpenFile(fd, size), maxFileSize, decodeUtf8);
  } catch (error) {
    return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}

/** The shared buffer of readSourceFile (reads are synchronous, one at a time). */
let readBuffer: Buffer | undefined;
const READ_BUFFER_SIZE = 256 * 1024;

/**
 * Text Node decoded in one native call, when it can be taken as is. The decoder replaces what is not UTF-8 with
 * U+FFFD, so a text holding one, or a NUL near its start, is undefined: its bytes are judged one by one instead.
 */
function decodedText(text: string): { text: string } | undefined {
  if (text.includes('\uFFFD') || text.slice(0, BINARY_SNIFF_LENGTH).includes('\0')) return undefined;
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** The bytes of an open file of `size` bytes from its start (readFileSync would ask for its size again); to its end when the size is 0. */
function readOpenFile(fd: number, size: number): Buffer {
  if (size === 0) return readFileSync(fd);
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, bytes, filled, size - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}

/** Node's UTF-8 check and decoding (native), with TextDecoder's handling of a byte-order mark. */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Files that mark the top folder of a Python project. */
const PROJECT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'manage.py'];

/**
 * The project folder a path given on the command line belongs to: the nearest folder at or above it holding a
 * project marker, else the folder given (a file's own folder). Names above it (`~/code/tests/proj`) say nothing
 * about the project's settings.
 */
export function projectRootOf(given: string, cwd: string): string {
  const absolute = resolve(cwd, given);
  let start = absolute;
  try {
    if (!statSync(absolute).isDirectory()) start = dirname(absolute);
  } catch {
    start = dirname(absolute);
  }
  for (let folder = start; ; folder = dirname(folder)) {
    if (PROJECT_MARKERS.some((marker) => isFile(join(folder, marker)))) return folder;
    if (dirname(folder) === folder) return start;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
