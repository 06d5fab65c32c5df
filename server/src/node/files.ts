/** Reading the workspace from disk: which files to look at, and their text (or why they were skipped). */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { isTemplatePath } from '../analysis/template/project.js';

/** Folders never worth reading: VCS data, dependencies, virtualenvs, caches, build output. */
export const SKIPPED_DIRECTORIES = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.env', 'env', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', 'site-packages', 'build', 'dist', 'out', '.eggs', 'htmlcov', '.idea', '.vscode-test',
]);

/** Whether the walk keeps a file: Python modules and templates (see analysis/template/project.ts). */
export function isAnalysedPath(path: string): boolean {
  return path.endsWith('.py') || isTemplatePath(path);
}

export interface WalkResult {
  files: string[];
  notes: string[];
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
  const seen = new Set<string>();
  const visit = (absolute: string, fromRoot: boolean): void => {
    const path = toPosix(relative(cwd, absolute)) || '.';
    if (!fromRoot && (isExcluded(path) || isExcluded(`${path}/`))) return;
    let stats;
    try {
      stats = lstatSync(absolute);
    } catch (error) {
      notes.push(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    if (stats.isSymbolicLink()) {
      if (fromRoot) stats = statSync(absolute);
      else {
        try {
          if (statSync(absolute).isFile()) stats = statSync(absolute);
          else return;
        } catch {
          return;
        }
      }
    }
    if (stats.isDirectory()) {
      const name = absolute.split(sep).pop() ?? '';
      if (!fromRoot && (SKIPPED_DIRECTORIES.has(name) || isVirtualenv(absolute))) return;
      let entries: string[];
      try {
        entries = readdirSync(absolute).sort();
      } catch (error) {
        notes.push(`${path}: cannot be listed (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        return;
      }
      for (const entry of entries) visit(join(absolute, entry), false);
    } else if (stats.isFile() && (fromRoot || isAnalysedPath(toPosix(absolute)))) {
      if (!seen.has(path)) {
        seen.add(path);
        files.push(path);
      }
    }
  };
  for (const root of roots) visit(join(cwd, root), true);
  return { files, notes };
}

function isVirtualenv(directory: string): boolean {
  try {
    return statSync(join(directory, 'pyvenv.cfg')).isFile();
  } catch {
    return false;
  }
}

export type ReadResult = { text: string } | { skipped: string };

/** Reads a source file as UTF-8 text, or says why it was skipped (too large, binary, not UTF-8). */
export function readSourceFile(absolute: string, maxFileSize: number): ReadResult {
  let size: number;
  try {
    size = statSync(absolute).size;
  } catch (error) {
    return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (size > maxFileSize) return { skipped: `skipped: ${formatBytes(size)} is over the ${formatBytes(maxFileSize)} limit (max-file-size)` };
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return { skipped: 'skipped: UTF-16 text is not supported (save it as UTF-8)' };
  if (bytes.subarray(0, 8192).includes(0)) return { skipped: 'skipped: binary file' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { skipped: 'skipped: not valid UTF-8' };
  }
}

/** The first bytes of a file, for cheap sniffing. */
export function readHead(absolute: string, length: number): Buffer {
  const descriptor = openSync(absolute, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(descriptor, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(descriptor);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
