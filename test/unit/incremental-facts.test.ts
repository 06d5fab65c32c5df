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

test('several changes between two reads of the facts: the same facts as a fresh read, strings and brackets left open included', async () => {
  // An editor can send more than one change before the next check: the changed ranges of each reparse add up.
  const snippets = [...SNIPPETS, '"""', "'''", '[', '\n    x = 1\n', 'if x:\n', 'X = caches["default"]\n'];
  for (const file of ['catalog/views.py', 'catalog/services.py']) {
    let text = readFileSync(join(SAMPLE, file), 'utf8');
    const path = `sample/${file}`;
    const live = await Workspace.create({ wasm: loadPythonWasm(), source: { read: () => undefined }, paths: [path], configFor: () => DEFAULT_CONFIG });
    live.openDocument(path, text);
    live.python.module(path);
    const next = random(file.length * 7);
    for (let step = 0; step < 40; step++) {
      const events = 1 + Math.floor(next() * 3);
      for (let event = 0; event < events; event++) {
        const start = Math.floor(next() * text.length);
        const end = Math.min(text.length, start + (next() < 0.6 ? 0 : Math.floor(next() * 40)));
        const inserted = snippets[Math.floor(next() * snippets.length)];
        const before = new LineIndex(text);
        const after = text.slice(0, start) + inserted + text.slice(end);
        live.changeDocument(path, after, [
          { start, oldEnd: end, newEnd: start + inserted.length, startPosition: before.positionAt(start), oldEndPosition: before.positionAt(end), newEndPosition: new LineIndex(after).positionAt(start + inserted.length) },
        ]);
        text = after;
      }
      const fresh = await Workspace.create({ wasm: loadPythonWasm(), source: { read: () => undefined }, paths: [path], configFor: () => DEFAULT_CONFIG });
      fresh.update(path, text);
      assert.deepEqual(live.python.module(path)!.facts, fresh.python.module(path)!.facts, `${file}, step ${step}`);
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

/** Applies edits one after the other, as an editor sends them in one change event, and returns the change list. */
function applyEdits(text: string, edits: { start: number; end: number; text: string }[]) {
  const changes = [];
  for (const edit of edits) {
    const before = new LineIndex(text);
    const after = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    const newEnd = edit.start + edit.text.length;
    changes.push({ start: edit.start, oldEnd: edit.end, newEnd, startPosition: before.positionAt(edit.start), oldEndPosition: before.positionAt(edit.end), newEndPosition: new LineIndex(after).positionAt(newEnd) });
    text = after;
  }
  return { text, changes };
}

const VIEWS = [
  'from django.core.cache import cache\n',
  '\n',
  'def banner(request):\n    cache.set("banner", request.GET["text"], None)\n',
  '\n',
  'def prices(request):\n    cache.set("prices", load_prices(), 300)\n',
  '\n',
  'def stock(request):\n    cache.delete("stock")\n',
].join('');

async function liveAndFresh(text: string) {
  const path = 'shop/views.py';
  const live = await Workspace.create({ wasm: loadPythonWasm(), source: { read: () => undefined }, paths: [path], configFor: () => DEFAULT_CONFIG });
  live.openDocument(path, text);
  // Read once, as the server does on opening: the next change reuses what this read.
  assert.ok(live.python.module(path));
  const compare = async (after: string, message: string) => {
    const fresh = await Workspace.create({ wasm: loadPythonWasm(), source: { read: () => undefined }, paths: [path], configFor: () => DEFAULT_CONFIG });
    fresh.update(path, after);
    assert.deepEqual(live.python.module(path)!.facts, fresh.python.module(path)!.facts, message);
    assert.deepEqual(live.check([path]), fresh.check([path]), message);
  };
  return { live, path, compare };
}

test('an edit across two statements re-reads the statement that now starts where an old one did', async () => {
  const { live, path, compare } = await liveAndFresh(VIEWS);
  // "None)\n\ndef prices" becomes "300)\n\ndef offers": the new function starts one character earlier, as long as the old.
  const start = VIEWS.indexOf('None)');
  const end = VIEWS.indexOf('prices(request)') + 'prices'.length;
  const { text, changes } = applyEdits(VIEWS, [{ start, end, text: '300)\n\ndef offers' }]);
  live.changeDocument(path, text, changes);
  await compare(text, 'replaced across statements');
  assert.ok(live.python.module(path)!.facts.functions.some((fn) => fn.name === 'offers'));
  // The same length as before, the same place: only the text tells the statements apart.
  const sameLength = text.replace('def offers', 'def orders');
  const at = text.indexOf('300)');
  live.changeDocument(path, sameLength, applyEdits(text, [{ start: at, end: text.indexOf('offers') + 6, text: sameLength.slice(at, sameLength.indexOf('orders') + 6) }]).changes);
  await compare(sameLength, 'same extent, other text');
});

test('several edits in one change event (multi-cursor) keep the facts equal to a fresh read', async () => {
  const { live, path, compare } = await liveAndFresh(VIEWS);
  let text = VIEWS;
  const steps = [
    // Two insertions: the later one's offsets count the first.
    [{ at: 'def banner', text: '# top\n' }, { at: 'cache.delete', text: 'cache.set("stock", 0, None)\n    ' }],
    // A deletion then an insertion before it.
    [{ at: '    cache.set("prices"', remove: '    cache.set("prices", load_prices(), 300)\n'.length, text: '    pass\n' }, { at: 'from django', text: 'import os\n' }],
  ];
  for (const [index, step] of steps.entries()) {
    const edits: { start: number; end: number; text: string }[] = [];
    let working = text;
    for (const edit of step) {
      const start = working.indexOf(edit.at);
      const end = start + ('remove' in edit ? (edit.remove as number) : 0);
      edits.push({ start, end, text: edit.text });
      working = working.slice(0, start) + edit.text + working.slice(end);
    }
    const applied = applyEdits(text, edits);
    assert.equal(applied.text, working);
    live.changeDocument(path, applied.text, applied.changes);
    text = applied.text;
    await compare(text, `step ${index}`);
  }
});

test('edits that cancel out within one change event leave every statement where it was', async () => {
  const keys = 'A_KEY = "a"\nB_KEY = "b"\nC_KEY = "c"\n';
  const { live, path, compare } = await liveAndFresh(keys);
  // A line inserted at the top, then removed: statements of one length would each match the next one's old place
  // if the second edit were not counted.
  const applied = applyEdits(keys, [{ start: 0, end: 0, text: 'X_KEY = "x"\n' }, { start: 0, end: 12, text: '' }]);
  assert.equal(applied.text, keys);
  live.changeDocument(path, applied.text, applied.changes);
  await compare(keys, 'inserted and removed');
  assert.deepEqual(live.python.module(path)!.facts.assignments.map((assignment) => assignment.name), ['A_KEY', 'B_KEY', 'C_KEY']);
});

test('an import changed above unchanged views changes what their decorators are, keystroke by keystroke', async () => {
  const django = 'from django.views.decorators.cache import cache_page\n';
  const own = 'from shop.decorators import cache_page\n';
  const views = `${django}\n\n@cache_page(None)\ndef pricing(request):\n    return render(request, "pricing.html")\n`;
  const { live, path } = await liveAndFresh(views);
  const forever = () => live.check([path]).filter((finding) => finding.code === 'CACHE010').length;
  assert.equal(forever(), 1);
  // The project's own cache_page: CACHE010 is about Django's.
  const swapped = views.replace(django, own);
  live.changeDocument(path, swapped, applyEdits(views, [{ start: 0, end: django.length, text: own }]).changes);
  assert.equal(forever(), 0);
  live.changeDocument(path, views, applyEdits(swapped, [{ start: 0, end: own.length, text: django }]).changes);
  assert.equal(forever(), 1);
});

test('an import removed and a definition added in one change: the bindings are built again, not taken from the memo', async () => {
  const text = 'from django.core.cache import caches as stores\n\n\ndef remember(book):\n    stores["default"].set("k", book, None)\n';
  const { live, path, compare } = await liveAndFresh(text);
  // As many statements as before, the second binding the same name as the old second one: only the order of what
  // binds tells that `stores` is gone.
  const applied = applyEdits(text, [
    { start: text.length, end: text.length, text: '\n\ndef remember(book):\n    pass\n' },
    { start: 0, end: text.indexOf('def remember'), text: '' },
  ]);
  live.changeDocument(path, applied.text, applied.changes);
  await compare(applied.text, 'import removed, definition added');
  assert.equal(live.python.module(path)!.facts.bindings.stores, undefined);
});
