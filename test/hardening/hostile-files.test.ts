/**
 * Hostile files, generated into a temporary folder for each run: the built CLI (dist/cli.js) must skip each
 * with a clear note or handle it within a bound: no crash, no hang, no runaway memory.
 *
 * - Default limits (max-file-size 2 MB): the whole hostile tree, under 300 MB peak RSS.
 * - max-file-size raised to 64 MB: the 50 MB file, the million-line file and the 5 MB line reach the parser.
 * - Many findings in one file (within 2 MB): linear, not quadratic, in the findings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI } from '../cli/helpers.js';
import { findingsOf } from '../helpers/engine.js';
import { CACHE_HEADER, LARGE_FILES, LONG_LINE, MB, measure, writeLargeFiles, writeSmallHostileFiles, type MeasuredRun } from './hostile-tree.js';

interface JsonFinding {
  code: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function temporaryFolder(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-hostile-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function report(t: { diagnostic(message: string): void }, label: string, run: MeasuredRun): void {
  t.diagnostic(`${label}: exit ${run.status}, ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.peakRssMb} MB (${run.rssSource})`);
}

function assertNoCrash(run: MeasuredRun): void {
  assert.equal(run.timedOut, false, 'the CLI did not finish in time');
  assert.equal(run.signal, null, `the CLI was killed by ${run.signal}`);
  assert.doesNotMatch(run.stderr, /internal error|Aborted\(\)|RangeError|heap out of memory/, run.stderr);
  assert.ok(run.status === 0 || run.status === 1, `exit status ${run.status}:\n${run.stderr}`);
}

function notes(run: MeasuredRun): string[] {
  return run.stderr
    .split('\n')
    .filter((line) => line.startsWith('cache-coach: '))
    .sort();
}

const RAISED = '[tool.cache-coach]\nmax-file-size = 67108864  # 64 MB\n';

test('the hostile tree with default limits: each file skipped with a note or analysed; no crash; under 300 MB RSS', { timeout: 300_000 }, async (t) => {
  const { dir, dispose } = temporaryFolder();
  try {
    writeSmallHostileFiles(dir);
    writeLargeFiles(dir);
    const run = await measure([CLI, 'check', '.', '--format', 'json'], dir, 180_000);
    report(t, 'hostile tree', run);
    assertNoCrash(run);
    assert.equal(run.status, 1);
    assert.deepEqual(notes(run), [
      'cache-coach: app/binary.py: skipped: binary file',
      'cache-coach: app/invalid_utf8.py: skipped: not valid UTF-8',
      'cache-coach: app/utf16_no_bom.py: skipped: binary file',
      'cache-coach: app/utf16be.py: skipped: UTF-16 text is not supported (save it as UTF-8)',
      'cache-coach: app/utf16le.py: skipped: UTF-16 text is not supported (save it as UTF-8)',
      'cache-coach: big/fifty_mb.py: skipped: 50.0 MB is over the 2.0 MB limit (max-file-size)',
      'cache-coach: big/long_line.py: skipped: 5.0 MB is over the 2.0 MB limit (max-file-size)',
      'cache-coach: big/million_lines.py: skipped: 5.7 MB is over the 2.0 MB limit (max-file-size)',
      'cache-coach: loop/a.py: cannot be read (ELOOP)',
      'cache-coach: loop/b.py: cannot be read (ELOOP)',
    ]);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    const at = (path: string, code: string) => findings.filter((finding) => finding.path === path && finding.code === code).map((finding) => [finding.line, finding.column, finding.endColumn]);
    // The ordinary file and the one behind the link loops are analysed once each (links to folders are not followed).
    assert.deepEqual(at('app/views.py', 'CACHE006'), [[4, 36, 37]]);
    assert.deepEqual(at('loop/models.py', 'CACHE006'), [[4, 36, 37]]);
    assert.deepEqual(findings.filter((finding) => /^loop\/(parent|self)\//.test(finding.path)), []);
    // Nested 10,000 deep: analysed, with the timeout found behind the brackets (`cache.set("deep", ` 18 + 10,000 + 1 + 10,000 + `, `).
    assert.deepEqual(at('app/nested_parens.py', 'CACHE006'), [[3, 20022, 20023]]);
    assert.deepEqual(at('app/nested_lists.py', 'CACHE006'), [[4, 25, 26]]);
    assert.deepEqual(at('app/nested_dicts.py', 'CACHE006'), [[4, 22, 23]]);
    // Skipped files have no findings.
    assert.deepEqual(findings.filter((finding) => /binary|utf16|invalid_utf8|^big\//.test(finding.path)), []);
    for (const path of ['app/templates/app/nested_if.html', 'app/templates/app/nested_cache.html']) {
      assert.ok(findings.some((finding) => finding.path === path && finding.code === 'CACHE101'), `${path}: the fragment shows {{ user }} without varying on it`);
    }
    assert.ok(run.peakRssMb > 0, 'peak RSS was measured');
    assert.ok(run.peakRssMb < 300, `peak RSS ${run.peakRssMb} MB`);
  } finally {
    dispose();
  }
});

test('max-file-size 64 MB: the 50 MB file reaches the parser, which stops at its memory limit and says so', { timeout: 300_000 }, async (t) => {
  const { dir, dispose } = temporaryFolder();
  try {
    writeFileSync(join(dir, 'pyproject.toml'), RAISED);
    writeLargeFiles(dir, ['fiftyMb']);
    writeFileSync(join(dir, 'small.py'), `${CACHE_HEADER}cache.set("small", 1, 0)\n`);
    const run = await measure([CLI, 'check', '.', '--format', 'json'], dir, 240_000);
    report(t, '50 MB file, 64 MB limit', run);
    assertNoCrash(run);
    assert.deepEqual(notes(run), [`cache-coach: ${LARGE_FILES.fiftyMb}: skipped: too large for the Python parser (it needed over 1024 MB of memory)`]);
    // The parser is still usable after it stopped: the small file is analysed.
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    assert.deepEqual(findings.map((finding) => `${finding.path}:${finding.line} ${finding.code}`), ['small.py:3 CACHE006']);
    // Bounded by the parser's memory limit (1 GB of wasm heap) plus the JS side.
    assert.ok(run.peakRssMb < 2048, `peak RSS ${run.peakRssMb} MB`);
  } finally {
    dispose();
  }
});

test('max-file-size 64 MB: the million-line file is parsed and analysed within a bound', { timeout: 400_000 }, async (t) => {
  const { dir, dispose } = temporaryFolder();
  try {
    writeFileSync(join(dir, 'pyproject.toml'), RAISED);
    writeLargeFiles(dir, ['millionLines']);
    const run = await measure([CLI, 'check', '.', '--format', 'json'], dir, 300_000);
    report(t, 'million-line file (5.7 MB), 64 MB limit', run);
    assertNoCrash(run);
    assert.deepEqual(notes(run), []);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    assert.deepEqual(findings.map((finding) => [finding.path, finding.code, finding.line, finding.column]), [[LARGE_FILES.millionLines, 'CACHE006', 3, 25]]);
    // About 1 GB of parser heap for 1,000,000 statements, plus the facts and V8's garbage: a bound, not a target.
    assert.ok(run.peakRssMb < 4096, `peak RSS ${run.peakRssMb} MB`);
  } finally {
    dispose();
  }
});

test('max-file-size 64 MB: one 5 MB line is parsed, and the column at its end counts code points', { timeout: 300_000 }, async (t) => {
  const { dir, dispose } = temporaryFolder();
  try {
    writeFileSync(join(dir, 'pyproject.toml'), RAISED);
    writeLargeFiles(dir, ['longLine']);
    const run = await measure([CLI, 'check', '.', '--format', 'json'], dir, 240_000);
    report(t, '5 MB line, 64 MB limit', run);
    assertNoCrash(run);
    assert.deepEqual(notes(run), []);
    // Expected position, counted from the file itself: the 0 of the cache call at the end of line 3.
    const line = readFileSync(join(dir, LARGE_FILES.longLine), 'utf8').split('\n')[2];
    const zero = line.lastIndexOf(', 0)') + 2;
    const codePoints = [...line.slice(0, zero)].length;
    assert.ok(zero - codePoints > 100_000, 'the line holds many astral characters, so UTF-16 and code-point columns differ');
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    assert.deepEqual(findings.map((finding) => [finding.code, finding.line, finding.column, finding.endColumn]), [['CACHE006', 3, codePoints + 1, codePoints + 2]]);
    assert.ok(line.endsWith(LONG_LINE.call));
    assert.ok(run.peakRssMb < 2048, `peak RSS ${run.peakRssMb} MB`);
  } finally {
    dispose();
  }
});

test('default limits: files just under 2 MB with 100,000 findings, 80,000 on one line, a noqa on every line: linear, and --fix too', { timeout: 300_000 }, async (t) => {
  const { dir, dispose } = temporaryFolder();
  try {
    // 93,000 lines of 21 bytes: one CACHE006 per line (a push(...spread) of them overflowed the stack; a line index per finding was quadratic).
    writeFileSync(join(dir, 'many_lines.py'), CACHE_HEADER + 'cache.set("k", v, 0)\n'.repeat(93_000));
    // 80,000 findings on one 1.76 MB line (code-point columns were counted from the line start for each: quadratic).
    writeFileSync(join(dir, 'one_line.py'), `${CACHE_HEADER}${'cache.set("k", v, 0); '.repeat(80_000)}\n`);
    // A noqa on every line, each unused (matching findings to noqa comments was quadratic); --fix removes them all.
    writeFileSync(join(dir, 'noqa.py'), CACHE_HEADER + 'x = 1  # noqa: CACHE006\n'.repeat(50_000));
    for (const file of ['many_lines.py', 'one_line.py', 'noqa.py']) assert.ok(readFileSync(join(dir, file)).length < 2 * MB, file);
    const run = await measure([CLI, 'check', '.', '--format', 'json'], dir, 180_000);
    report(t, '223,000 findings', run);
    assertNoCrash(run);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    const count = (path: string, code: string) => findings.filter((finding) => finding.path === path && finding.code === code).length;
    assert.equal(count('many_lines.py', 'CACHE006'), 93_000);
    assert.equal(count('one_line.py', 'CACHE006'), 80_000);
    assert.equal(count('noqa.py', 'CACHE900'), 50_000);
    // The last finding of the long line: `cache.set("k", v, ` is 18 into each 22-character statement.
    const last = findings.filter((finding) => finding.path === 'one_line.py').pop()!;
    assert.deepEqual([last.line, last.column], [3, 79_999 * 22 + 18 + 1]);
    assert.ok(run.ms < 120_000, `${run.ms} ms`);
    const fix = await measure([CLI, 'check', 'noqa.py', '--fix'], dir, 180_000);
    report(t, '--fix of 50,000 unused noqa comments', fix);
    assertNoCrash(fix);
    assert.equal(fix.status, 0, fix.stderr);
    assert.equal(readFileSync(join(dir, 'noqa.py'), 'utf8'), CACHE_HEADER + 'x = 1\n'.repeat(50_000));
  } finally {
    dispose();
  }
});

test('engine: nested 10,000 deep in Python and templates stays within a second or two each', async () => {
  const deep = 10_000;
  const cases: Record<string, string> = {
    'app/parens.py': `${CACHE_HEADER}cache.set("k", ${'('.repeat(deep)}1${')'.repeat(deep)}, 0)\n`,
    'app/unclosed.py': `${CACHE_HEADER}cache.set("k", ${'(['.repeat(deep)}\n`,
    'app/strings.py': `${CACHE_HEADER}cache.set(f"${'{f"'.repeat(200)}${'"}'.repeat(200)}", 1, 0)\n`,
    'app/templates/app/if.html': `{% load cache %}{% cache 1 a %}${'{% if a %}'.repeat(deep)}x${'{% endif %}'.repeat(deep)}{% endcache %}`,
    'app/templates/app/cache.html': `{% load cache %}${'{% cache 1 a %}'.repeat(deep)}x${'{% endcache %}'.repeat(deep)}`,
    'app/templates/app/braces.html': `{% load cache %}{% cache 1 a %}{{ ${'('.repeat(deep)} }}${'{% for x in y %}'.repeat(deep)}{% endcache %}`,
  };
  for (const [path, text] of Object.entries(cases)) {
    const started = performance.now();
    await findingsOf({ [path]: text });
    const ms = performance.now() - started;
    assert.ok(ms < 15_000, `${path}: ${Math.round(ms)} ms`);
  }
});

test(
  'engine: a TS file with parentheses nested 10,000 deep is left unanalysed, not a crash',
  async () => {
    const text = `import Redis from 'ioredis';\nconst redis = new Redis();\nconst x = ${'('.repeat(10_000)}1${')'.repeat(10_000)};\nawait redis.set('k', x);\n`;
    await findingsOf({ 'app/deep.ts': text });
  },
);
