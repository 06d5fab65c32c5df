// Lays out the development corpus (test/ecosystem/corpus.json) from git mirrors that were brought in
// by hand: each repository's tree at the listed commit, file by file, skipping blobs the mirror lacks.
// No download of its own.
//
//   node test/ecosystem/layout.mjs --mirrors DIR --out CORPUS_DIR [--corpus django|ts|all] [--only NAME] [--extra]
//
// --extra lays out test/ecosystem/corpus-extra.json instead: projects swept once for false positives,
// kept apart so the dev corpus stays the one the rules were tuned on.
//
// A mirror of OWNER/NAME is looked for at DIR/OWNER+NAME/repo, DIR/OWNER+NAME, DIR/OWNER/NAME(.git).
// Each tree lands in CORPUS_DIR/OWNER+NAME, with a .ecosystem-commit file naming its commit; a tree
// already laid out at that commit is left alone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = dirname(new URL(import.meta.url).pathname);

// Files no rule reads; skipping them keeps the layout small and fast.
const SKIPPED_EXTENSIONS = /\.(png|jpe?g|gif|webp|ico|svgz|bmp|tiff?|woff2?|ttf|otf|eot|pdf|zip|gz|tgz|bz2|xz|7z|jar|mp[34]|mov|webm|wav|ogg|sqlite3?|db|dump|pkl|npy|parquet|h5|wasm|so|dylib|dll|exe|bin)$/i;

const { values } = parseArgs({
  options: {
    mirrors: { type: 'string' },
    out: { type: 'string' },
    corpus: { type: 'string', default: 'all' },
    only: { type: 'string', multiple: true },
    extra: { type: 'boolean', default: false },
  },
});
const corpus = JSON.parse(readFileSync(join(here, values.extra ? 'corpus-extra.json' : 'corpus.json'), 'utf8'));
if (!values.mirrors || !values.out) {
  console.error('usage: node test/ecosystem/layout.mjs --mirrors DIR --out CORPUS_DIR [--corpus django|ts|all] [--only NAME] [--extra]');
  process.exit(2);
}

const entries = (values.corpus === 'all' ? [...corpus.django, ...corpus.ts] : corpus[values.corpus] ?? [])
  .filter((entry) => !values.only || values.only.some((name) => entry.repo.includes(name)));

function findMirror(repo) {
  const [owner, name] = repo.split('/');
  const candidates = [join(values.mirrors, `${owner}+${name}`, 'repo'), join(values.mirrors, `${owner}+${name}`), join(values.mirrors, owner, name), join(values.mirrors, owner, `${name}.git`)];
  return candidates.find((path) => existsSync(path) && spawnSync('git', ['-C', path, 'rev-parse', '--git-dir']).status === 0);
}

function listTree(gitDir, commit) {
  const result = spawnSync('git', ['-C', gitDir, 'ls-tree', '-r', '-z', '--full-tree', commit], { maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`git ls-tree failed: ${result.stderr}`);
  const files = [];
  for (const record of result.stdout.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    // Regular files only: symbolic links could point out of the tree, submodules have no blob.
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) continue;
    if (SKIPPED_EXTENSIONS.test(path)) continue;
    files.push({ sha, path });
  }
  return files;
}

/** Streams every blob through one `git cat-file --batch`; a blob the mirror lacks answers "missing". */
function writeBlobs(gitDir, files, outDir) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', ['-C', gitDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buffer = Buffer.alloc(0);
    let index = 0;
    let written = 0;
    let missing = 0;
    child.stdout.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const newline = buffer.indexOf(10);
        if (newline < 0) return;
        const header = buffer.subarray(0, newline).toString('utf8');
        if (header.endsWith(' missing')) {
          missing++;
          index++;
          buffer = buffer.subarray(newline + 1);
          continue;
        }
        const size = Number(header.split(' ')[2]);
        if (buffer.length < newline + 1 + size + 1) return;
        const target = join(outDir, files[index].path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, buffer.subarray(newline + 1, newline + 1 + size));
        written++;
        index++;
        buffer = buffer.subarray(newline + 1 + size + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise({ written, missing }) : reject(new Error(`git cat-file exited ${code}`))));
    child.stdin.end(files.map((file) => file.sha).join('\n') + '\n');
  });
}

mkdirSync(values.out, { recursive: true });
let failed = 0;
for (const { repo, commit } of entries) {
  const outDir = resolve(values.out, repo.replace('/', '+'));
  const marker = join(outDir, '.ecosystem-commit');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === commit) {
    console.log(`${repo}: already at ${commit.slice(0, 10)}`);
    continue;
  }
  const gitDir = findMirror(repo);
  if (!gitDir) {
    console.error(`${repo}: no mirror under ${values.mirrors} (bring it in first)`);
    failed++;
    continue;
  }
  const started = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    const files = listTree(gitDir, commit);
    const { written, missing } = await writeBlobs(gitDir, files, outDir);
    writeFileSync(marker, `${commit}\n`);
    console.log(`${repo}: ${written} files at ${commit.slice(0, 10)}${missing ? `, ${missing} blobs missing from the mirror (skipped)` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`${repo}: ${error.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
