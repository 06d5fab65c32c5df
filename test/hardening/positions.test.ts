/**
 * Positions: LSP ranges are UTF-16 code units (the engine), CLI columns are 1-based Unicode code points (README,
 * "Command line"). Every expected number below is counted by hand in the comment next to it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/analysis/text.js';
import type { Finding } from '../../server/src/analysis/types.js';
import { CLI, runCli } from '../cli/helpers.js';
import { rng } from '../fuzz/prng.js';
import { findingsOf } from '../helpers/engine.js';

const IMPORT = 'from django.core.cache import cache'; // 35 characters

interface Expected {
  code: string;
  /** 0-based line, UTF-16 start and end characters (the engine's range). */
  range: [line: number, start: number, end: number];
  /** 1-based line, code-point column and end column (the CLI's). */
  cli: [line: number, column: number, endColumn: number];
  /** The ranges of the first fix's edits, when checked. */
  edits?: [startLine: number, start: number, endLine: number, end: number][];
}

interface Case {
  name: string;
  path: string;
  /** The text the engine sees (and the CLI reads, minus a BOM: see the BOM case). */
  text: string;
  /** The bytes on disk for the CLI, when not the UTF-8 of `text`. */
  disk?: Buffer;
  expected: Expected[];
}

const CASES: Case[] = [
  {
    name: 'emoji before the finding on its line',
    path: 'app/emoji.py',
    // line 1: `x = "` 5 + 😀😀 (4 UTF-16 units, 2 code points) + `"; ` 3 + `cache.set("k", 1, ` 18 -> the 0 at 30 (UTF-16), 28 (code points)
    text: `${IMPORT}\nx = "😀😀"; cache.set("k", 1, 0)\n`,
    expected: [{ code: 'CACHE006', range: [1, 30, 31], cli: [2, 29, 30] }],
  },
  {
    name: 'astral characters inside the underlined key (CJK extension B, a ZWJ family)',
    path: 'app/astral.py',
    // line 1: `cache.get(` 10; the key `"𠀀 👨‍👩‍👧"` is " 1 + 𠀀 2 + space 1 + family 8 (3 astral + 2 ZWJ) + " 1 = 13 units,
    // 1 + 1 + 1 + 5 + 1 = 9 code points -> 10..23 (UTF-16), 10..19 (code points)
    text: `${IMPORT}\ncache.get("\u{20000} \u{1F468}\u200d\u{1F469}\u200d\u{1F467}")\n`,
    expected: [{ code: 'CACHE008', range: [1, 10, 23], cli: [2, 11, 20] }],
  },
  {
    name: 'CRLF line breaks: the finding, and the fix that removes an unused noqa stops before the \\r',
    path: 'app/crlf.py',
    // line 3: 4 spaces + `cache.set("k", 1, ` 18 -> the 0 at 22; `cache.set("k", 1, 0)` ends at 24; `  # noqa: ` 10 -> CACHE001 at 34..42,
    // the line's content is 42 long: the fix removes 24..42 (the two spaces and the comment), not the \r
    text: `${IMPORT}\r\n\r\ndef f():\r\n    cache.set("k", 1, 0)  # noqa: CACHE001\r\n`,
    expected: [
      { code: 'CACHE006', range: [3, 22, 23], cli: [4, 23, 24] },
      { code: 'CACHE900', range: [3, 34, 42], cli: [4, 35, 43], edits: [[3, 24, 3, 42]] },
    ],
  },
  {
    name: 'a lone CR ends a line: the noqa on line 2 applies there, and the code after the comment is read',
    path: 'app/lone_cr.py',
    // lines: 0 import, 1 empty, 2 `cache.set("k", 1, 0)  # noqa: CACHE006`, 3 `cache.set("j", 1, 0)` -> its 0 at 18
    text: `${IMPORT}\r\rcache.set("k", 1, 0)  # noqa: CACHE006\rcache.set("j", 1, 0)\r`,
    expected: [{ code: 'CACHE006', range: [3, 18, 19], cli: [4, 19, 20] }],
  },
  {
    name: 'tabs count as one character',
    path: 'app/tabs.py',
    // line 2: tab 1 + `x = "` 5 + 😀 2 units (1 code point) + `"; ` 3 + 18 -> the 0 at 29 (UTF-16), 28 (code points)
    text: `${IMPORT}\nif True:\n\tx = "😀"; cache.set("k", 1, 0)\n`,
    expected: [{ code: 'CACHE006', range: [2, 29, 30], cli: [3, 29, 30] }],
  },
  {
    name: 'a byte order mark: one UTF-16 unit for the engine; the CLI reads the file without it, as editors do',
    path: 'app/bom.py',
    // line 0: BOM 1 + `from django.core.cache import cache; ` 37 + 18 -> the 0 at 56; the CLI's text has no BOM: 55 code points before it
    text: `\ufeff${IMPORT}; cache.set("k", 1, 0)\n`,
    disk: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${IMPORT}; cache.set("k", 1, 0)\n`)]),
    expected: [{ code: 'CACHE006', range: [0, 56, 57], cli: [1, 56, 57] }],
  },
  {
    name: 'template: an emoji before a quoted fragment name, and its fix',
    path: 'app/templates/app/emoji.html',
    // line 1: 😀 2 units (1 code point) + space 1 + `{% cache 500 ` 13 -> `"quoted"` (8) at 16..24 (UTF-16), 15..23 (code points)
    text: '{% load cache %}\n😀 {% cache 500 "quoted" %}x{% endcache %}\n',
    expected: [{ code: 'CACHE105', range: [1, 16, 24], cli: [2, 16, 24], edits: [[1, 16, 1, 24]] }],
  },
  {
    name: 'template: CRLF and a tab',
    path: 'app/templates/app/crlf.html',
    // line 1: tab 1 + `{% cache 500 ` 13 -> `"q"` at 14..17
    text: '{% load cache %}\r\n\t{% cache 500 "q" %}x{% endcache %}\r\n',
    expected: [{ code: 'CACHE105', range: [1, 14, 17], cli: [2, 15, 18], edits: [[1, 14, 1, 17]] }],
  },
];

function summary(finding: Finding) {
  return { code: finding.code, range: [finding.range.start.line, finding.range.start.character, finding.range.end.character], sameLine: finding.range.start.line === finding.range.end.line };
}

for (const item of CASES) {
  test(`engine range: ${item.name}`, async () => {
    const found = (await findingsOf({ [item.path]: item.text })).filter((finding) => item.expected.some((expected) => expected.code === finding.code));
    assert.deepEqual(
      found.map(summary),
      item.expected.map((expected) => ({ code: expected.code, range: expected.range, sameLine: true })),
    );
    for (const expected of item.expected) {
      if (!expected.edits) continue;
      const finding = found.find((candidate) => candidate.code === expected.code)!;
      assert.deepEqual(
        finding.fixes[0].edits.map((edit) => [edit.range.start.line, edit.range.start.character, edit.range.end.line, edit.range.end.character]),
        expected.edits,
        `${expected.code} fix edits`,
      );
    }
  });
}

test('CLI columns: 1-based Unicode code points, for the same files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-positions-'));
  try {
    for (const item of CASES) {
      mkdirSync(dirname(join(dir, item.path)), { recursive: true });
      writeFileSync(join(dir, item.path), item.disk ?? item.text);
    }
    const run = runCli(['check', '.', '--format', 'json'], dir);
    assert.equal(run.status, 1, run.stderr);
    const findings = JSON.parse(run.stdout) as { code: string; path: string; line: number; column: number; endLine: number; endColumn: number }[];
    for (const item of CASES) {
      const mine = findings.filter((finding) => finding.path === item.path && item.expected.some((expected) => expected.code === finding.code));
      assert.deepEqual(
        mine.map((finding) => ({ code: finding.code, at: [finding.line, finding.column, finding.endColumn], endLine: finding.endLine })),
        item.expected.map((expected) => ({ code: expected.code, at: expected.cli, endLine: expected.cli[0] })),
        `${item.name} (${CLI})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LineIndex.codePointColumn counts code points like a for-of over the line (random texts with pairs, lone surrogates, CR, LF)', () => {
  const random = rng('code-point-column');
  const alphabet = ['a', '\t', '\n', '\r', '\r\n', '😀', '\u{20000}', '\ud800', '\udc00', 'é', '\ufeff'];
  for (let round = 0; round < 5000; round++) {
    let text = '';
    for (let i = random.int(40); i > 0; i--) text += random.pick(alphabet);
    const lines = new LineIndex(text);
    for (let probe = 0; probe < 8; probe++) {
      const line = random.int(lines.lineCount);
      const character = random.int(lines.lineEnd(line) - lines.lineStart(line) + 1);
      let expected = 0;
      for (const _ of text.slice(lines.lineStart(line), lines.lineStart(line) + character)) expected++;
      assert.equal(lines.codePointColumn({ line, character }), expected, `${JSON.stringify(text)} at ${line}:${character}`);
    }
  }
});
