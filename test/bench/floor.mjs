// The floor: the least work any scanner of FOLDER must do. Lists FOLDER (readdir, skipping the walk's
// skipped folder names), keeps the files the engine's own walk keeps, reads each one as UTF-8 and runs
// one regex over it. Which files the walk keeps (Python modules, templates, ...) changes with the
// engine, so it is not copied here: the bench passes the walk's list (from phases.mjs) in LIST_FILE.
// Usage (cwd = FOLDER's parent): node test/bench/floor.mjs FOLDER LIST_FILE
// Prints {"files", "bytes", "matched"} as JSON.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Mirrors SKIPPED_DIRECTORIES in server/src/node/files.ts (it only saves listing folders the walk skips).
const SKIPPED = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.env', 'env', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', 'site-packages', 'build', 'dist', 'out', '.eggs', 'htmlcov', '.idea', '.vscode-test',
]);
const PATTERN = /cache/;

function* keptFiles(directory, kept) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) yield* keptFiles(path, kept);
    } else if (kept.has(path) && (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile()))) {
      yield path;
    }
  }
}

const [folder, listFile] = process.argv.slice(2);
const kept = new Set(readFileSync(listFile, 'utf8').split('\n'));
let files = 0;
let bytes = 0;
let matched = 0;
for (const path of keptFiles(folder, kept)) {
  const data = readFileSync(path);
  const text = data.toString('utf8');
  files++;
  bytes += data.length;
  if (PATTERN.test(text)) matched++;
}
process.stdout.write(JSON.stringify({ files, bytes, matched }));
