import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/analysis/config.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import { LineIndex } from '../../server/src/analysis/text.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SAMPLE = join(__dirname, '..', 'fixtures', 'sample-project');

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const SNIPPETS = [
  'x', '\n', '    ', '"', '(', ')', 'cache.set("k", v, None)\n', '@cache_page(None)\n', 'def f(request):\n    return request.user\n', '# noqa: CACHE006', '',
  // Statements that bind names (kept by statement text between keystrokes) and a cache object under another name.
  'from django.core.cache import caches as stores\n', 'store = stores["default"]\n', 'store.set("k", v, None)\n', 'class Page:\n    pass\n',
];

test('facts kept between keystrokes equal facts extracted afresh, and so do the findings', async () => {
  for (const file of ['catalog/services.py', 'catalog/views.py', 'accounts/views.py', 'bookshop/settings/production.py']) {
    let text = readFileSync(join(SAMPLE, file), 'utf8');
    const path = `sample/${file}`;
    const live = await Workspace.create({ wasm: loadPythonWasm(), source: { read: () => undefined }, paths: [path], configFor: () => DEFAULT_CONFIG });
    live.openDocument(path, text);
    const next = random(file.length);
    for (let step = 0; step < 60; step++) {
      const start = Math.floor(next() * text.length);
      const end = Math.min(text.length, start + (next() < 0.5 ? 0 : Math.floor(next() * 30)));
      const inserted = SNIPPETS[Math.floor(next() * SNIPPETS.length)];
      const before = new LineIndex(text);
      const after = text.slice(0, start) + inserted + text.slice(end);
      const afterLines = new LineIndex(after);
      live.changeDocument(path, after, [
        { start, oldEnd: end, newEnd: start + inserted.length, startPosition: before.positionAt(start), oldEndPosition: before.positionAt(end), newEndPosition: afterLines.positionAt(start + inserted.length) },
      ]);
      text = after;
      const fresh = await Workspace.create({ wasm: loadPythonWasm(), source: { read: () => undefined }, paths: [path], configFor: () => DEFAULT_CONFIG });
      fresh.update(path, text);
      assert.deepEqual(live.python.module(path)!.facts, fresh.python.module(path)!.facts, `${file}, step ${step}`);
      assert.deepEqual(live.check([path]), fresh.check([path]), `${file}, step ${step}`);
    }
  }
});

test('a constant changed in one module changes the keys other modules build from it', async () => {
  const files: Record<string, string> = {
    'shop/keys.py': 'BANNER_KEY = "banner"\n',
    'shop/views.py': 'from django.core.cache import cache\n\nfrom shop.keys import BANNER_KEY\n\n\ndef banner(value):\n    cache.set(BANNER_KEY, value, None)\n',
    'shop/signals.py': 'from django.core.cache import cache\n\n\ndef forget_banner(**kwargs):\n    cache.delete("banner")\n',
  };
  const workspace = await Workspace.create({ wasm: loadPythonWasm(), source: { read: (path) => files[path] }, paths: Object.keys(files), configFor: () => DEFAULT_CONFIG });
  const stale = () => workspace.check().filter((finding) => finding.code === 'CACHE001').map((finding) => finding.path);
  assert.deepEqual(stale(), []);
  workspace.openDocument('shop/keys.py', files['shop/keys.py']);
  const renamed = 'BANNER_KEY = "promo"\n';
  workspace.changeDocument('shop/keys.py', renamed, [{ start: 13, oldEnd: 21, newEnd: 20, startPosition: { line: 0, character: 13 }, oldEndPosition: { line: 0, character: 21 }, newEndPosition: { line: 0, character: 20 } }]);
  assert.deepEqual(stale(), ['shop/views.py']);
  // A comment added leaves the constants as they are: the answer stays.
  workspace.changeDocument('shop/keys.py', `# keys\n${renamed}`, [{ start: 0, oldEnd: 0, newEnd: 7, startPosition: { line: 0, character: 0 }, oldEndPosition: { line: 0, character: 0 }, newEndPosition: { line: 1, character: 0 } }]);
  assert.deepEqual(stale(), ['shop/views.py']);
});
