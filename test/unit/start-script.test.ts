import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'sample-project');
const START = join(ROOT, 'test', 'scripts', 'start.mjs');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => statSync(join(dir, path)).isFile()).sort();
}

function dryRun(base: string, ...args: string[]): { folder: string; listen: string } {
  const run = spawnSync(process.execPath, [START, '--dry-run', ...args], { encoding: 'utf8', env: { ...process.env, CACHE_COACH_START_DIR: base }, timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return { folder: /\[start\] folder: (.*)/.exec(run.stdout)![1], listen: /\[start\] listen: (.*)/.exec(run.stdout)![1] };
}

test('npm start opens a fresh copy of the sample project, never the tracked fixture', () => {
  const base = mkdtempSync(join(tmpdir(), 'cache-coach-start-'));
  try {
    const { folder } = dryRun(base);
    assert.notEqual(folder, FIXTURE);
    assert.ok(!relative(base, folder).startsWith('..'), `${folder} is under ${base}`);
    assert.deepEqual(files(folder), files(FIXTURE));
    for (const path of files(FIXTURE)) assert.equal(readFileSync(join(folder, path), 'utf8'), readFileSync(join(FIXTURE, path), 'utf8'), path);
    // A saved quick fix changes the copy; the next start begins from the fixture again.
    writeFileSync(join(folder, 'catalog', 'views.py'), '# edited\n');
    writeFileSync(join(folder, 'scratch.py'), 'x = 1\n');
    const again = dryRun(base).folder;
    assert.equal(readFileSync(join(again, 'catalog', 'views.py'), 'utf8'), readFileSync(join(FIXTURE, 'catalog', 'views.py'), 'utf8'));
    assert.deepEqual(files(again), files(FIXTURE));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('npm start listens on 127.0.0.1 unless --host says otherwise', () => {
  const base = mkdtempSync(join(tmpdir(), 'cache-coach-start-'));
  try {
    assert.equal(dryRun(base).listen, '127.0.0.1:8080');
    assert.equal(dryRun(base, '--host', '0.0.0.0', '--port', '9000').listen, '0.0.0.0:9000');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('the README says what the first npm start costs, where the copy lives, and how to reach it from elsewhere', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const tryIt = readme.slice(readme.indexOf('## Try it'), readme.indexOf('## Command line'));
  assert.match(tryIt, /about 4 minutes/);
  assert.match(tryIt, /about 600 MB/);
  assert.match(tryIt, /\.cache\/start\/sample-project/);
  assert.match(tryIt, /ssh -L 8080:127\.0\.0\.1:8080/);
  assert.match(tryIt, /npm start -- --host 0\.0\.0\.0 --port 8080/);
});
