import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');

test('the .vsix holds only bundles, wasm, lessons, syntaxes and media', () => {
  const out = mkdtempSync(join(tmpdir(), 'cache-coach-vsix-'));
  try {
    const vsix = join(out, 'cache-coach.vsix');
    const packaged = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(packaged.status, 0, packaged.stderr + packaged.stdout);
    const listing = spawnSync('/usr/bin/python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], { encoding: 'utf8' });
    assert.equal(listing.status, 0, listing.stderr);
    const files = listing.stdout.trim().split('\n').filter((file) => file.startsWith('extension/')).map((file) => file.slice('extension/'.length));
    for (const required of ['package.json', 'dist/extension.js', 'dist/server.js', 'dist/server-main.js', 'dist/tree-sitter-python.wasm', 'dist/web-tree-sitter.wasm', 'dist/web/extension.js', 'dist/web/server.js', 'dist/web/typescript.js']) {
      assert.ok(files.includes(required), `${required} is missing from the .vsix`);
    }
    const allowed = /^(package\.json|readme\.md|README\.md|LICENSE(\.txt)?|changelog\.md|dist\/[^/]+\.(js|wasm)|dist\/web\/[^/]+\.js|lessons\/.+|syntaxes\/.+|media\/.+)$/i;
    const stray = files.filter((file) => !allowed.test(file));
    assert.deepEqual(stray, [], 'sources, tests, maps or node_modules in the .vsix');
    // Two TypeScript bundles (desktop and web worker, ~1 MB each compressed) are most of it; the engine, with the
    // key map (issue 17), is in four bundles (CLI, server, web server, and the view's formatting in both clients).
    const size = statSync(vsix).size;
    assert.ok(size < 3.5 * 1024 * 1024, `the .vsix stays small (${(size / 1024 / 1024).toFixed(2)} MB)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
