import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits } from '../../server/src/analysis/text.js';
import type { Finding, Fix, TextEdit } from '../../server/src/analysis/types.js';
import { fixAllEdits } from '../../server/src/engine/fix-all.js';
import { findingsOf } from '../helpers/engine.js';

/** An edit on line 0 from column `start` to `end`. */
function edit(start: number, end: number, newText: string, line = 0): TextEdit {
  return { range: { start: { line, character: start }, end: { line, character: end } }, newText };
}

function finding(...fixes: Fix[]): Finding {
  return { code: 'CACHE000', name: 'test', severity: 'warning', message: '', path: 'a.py', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, fixes };
}

const safe = (...edits: TextEdit[]): Fix => ({ title: 'safe', safety: 'safe', edits });
const unsafe = (...edits: TextEdit[]): Fix => ({ title: 'unsafe', safety: 'unsafe', edits });

test('a fix with one edit overlapping an edit already taken is skipped whole, not half applied', () => {
  const text = 'cache.set(KEY, v)\ncache.get(KEY)\n';
  const renameKey = safe(edit(10, 13, 'ITEM_KEY'), edit(10, 13, 'ITEM_KEY', 1));
  const wrapSet = safe(edit(0, 17, 'cache.set(KEY, v, 60)'));
  const edits = fixAllEdits([finding(wrapSet), finding(renameKey)]);
  assert.deepEqual(edits, wrapSet.edits);
  assert.equal(applyEdits(text, edits), 'cache.set(KEY, v, 60)\ncache.get(KEY)\n', 'the read keeps its key: the rename was not half applied');
});

test('earlier findings win; a fix on a range of its own after a skipped one is still taken', () => {
  const first = safe(edit(5, 10, 'a'));
  const clash = safe(edit(8, 12, 'b'));
  const later = safe(edit(12, 14, 'c'));
  assert.deepEqual(fixAllEdits([finding(first), finding(clash), finding(later)]), [...first.edits, ...later.edits]);
  assert.deepEqual(fixAllEdits([finding(clash), finding(first), finding(later)]), [...clash.edits, ...later.edits]);
});

test('edits that only touch, insertions at one point and a shared identical edit do not count as overlaps', () => {
  const addImport = edit(0, 0, 'from django.views.decorators.vary import vary_on_cookie\n');
  const one = safe(edit(4, 8, 'x'), addImport);
  const touching = safe(edit(8, 9, 'y'), edit(4, 4, '@a\n'), addImport);
  const samePoint = safe(edit(4, 4, '@b\n'));
  const edits = fixAllEdits([finding(one), finding(touching), finding(samePoint)]);
  assert.deepEqual(edits, [...one.edits, touching.edits[0], touching.edits[1], ...samePoint.edits], 'the import is added once');
});

test('an insertion strictly inside a replaced range overlaps it', () => {
  const replace = safe(edit(2, 8, 'zz'));
  assert.deepEqual(fixAllEdits([finding(replace), finding(safe(edit(5, 5, 'q')))]), replace.edits);
  assert.deepEqual(fixAllEdits([finding(replace), finding(safe(edit(2, 3, 'q', 1)))]), [...replace.edits, edit(2, 3, 'q', 1)], 'same columns on another line');
});

test('only the first safe fix of a finding is taken; unsafe fixes never are', () => {
  const preferred = safe(edit(0, 1, 'a'));
  const second = safe(edit(3, 4, 'b'));
  assert.deepEqual(fixAllEdits([finding(unsafe(edit(6, 7, 'c')), preferred, second), finding(unsafe(edit(9, 10, 'd')))]), preferred.edits);
  assert.deepEqual(fixAllEdits([]), []);
});

test('a fix whose own edits overlap each other is skipped', () => {
  assert.deepEqual(fixAllEdits([finding(safe(edit(0, 5, 'a'), edit(3, 7, 'b'))), finding(safe(edit(8, 9, 'c')))]), [edit(8, 9, 'c')]);
});

test('the same choice as checking every taken edit one by one, on random fixes', () => {
  let seed = 7;
  const random = (below: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % below;
  };
  const overlaps = (a: TextEdit, b: TextEdit): boolean => {
    const at = (position: { line: number; character: number }): number => position.line * 1000 + position.character;
    return at(a.range.start) < at(b.range.end) && at(b.range.start) < at(a.range.end);
  };
  for (let round = 0; round < 300; round++) {
    const findings = Array.from({ length: 1 + random(12) }, () =>
      finding(
        safe(
          ...Array.from({ length: 1 + random(3) }, () => {
            const line = random(3);
            const start = random(20);
            return edit(start, start + random(4), String(random(3)), line);
          }),
        ),
      ),
    );
    const expected: TextEdit[] = [];
    const key = (e: TextEdit): string => JSON.stringify(e);
    for (const { fixes } of findings) {
      const fresh = fixes[0].edits.filter((e, i, all) => !expected.some((t) => key(t) === key(e)) && all.findIndex((o) => key(o) === key(e)) === i);
      const clashes = fresh.some((e) => expected.some((t) => overlaps(e, t)) || fresh.some((o) => o !== e && overlaps(e, o)));
      if (!clashes) expected.push(...fresh);
    }
    assert.deepEqual(fixAllEdits(findings), expected, `round ${round}`);
  }
});

test('two unused codes in one noqa comment: fix-all removes one now, the next pass the other', async () => {
  const files = { 'shop/tasks.py': 'from django.core.cache import cache\nx = 1  # noqa: CACHE004, CACHE010\ny = 2  # noqa: CACHE006\n' };
  const once = applyEdits(files['shop/tasks.py'], fixAllEdits(await findingsOf(files)));
  assert.equal(once, 'from django.core.cache import cache\nx = 1  # noqa: CACHE010\ny = 2\n');
  const twice = applyEdits(once, fixAllEdits(await findingsOf({ 'shop/tasks.py': once })));
  assert.equal(twice, 'from django.core.cache import cache\nx = 1\ny = 2\n');
});
