/** The background scan: lists a workspace folder's files without blocking the server for long. */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAnalysedPath, SKIPPED_DIRECTORIES, toPosix } from './files.js';

const YIELD_EVERY = 200;

/** Yields file paths (absolute) under `root`; gives the event loop a turn every few hundred entries. */
export async function* scanFolder(root: string, isExcluded: (path: string) => boolean, cancelled: () => boolean): AsyncGenerator<string> {
  const pending = [root];
  let seen = 0;
  while (pending.length > 0 && !cancelled()) {
    const directory = pending.pop()!;
    let entries: string[];
    try {
      entries = await readdir(directory);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (++seen % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const path = join(directory, entry);
      if (isExcluded(path)) continue;
      let stats;
      try {
        stats = await lstat(path);
        if (stats.isSymbolicLink()) {
          const target = await stat(path);
          if (!target.isFile()) continue; // never follow linked folders: no loops
          stats = target;
        }
      } catch {
        continue;
      }
      if (stats.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry)) {
          try {
            await stat(join(path, 'pyvenv.cfg'));
          } catch {
            pending.push(path);
          }
        }
      } else if (isAnalysedPath(toPosix(path))) {
        yield path;
      }
    }
  }
}
