/**
 * Ruff's convergence check, on the sample project: every fix, applied alone, leaves a file that real
 * Python / Django / the TypeScript parser accept, removes its finding, adds none, and stays on its
 * diagnostic's lines unless the rule moves or imports something; "fix all" converges in two passes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixAllEdits } from '../../server/src/engine/fix-all.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import { applyEdits, LineIndex } from '../../server/src/analysis/text.js';
import type { Finding, TextEdit } from '../../server/src/analysis/types.js';
import { syntaxErrors } from '../../server/src/analysis/typescript/load.js';
import { readSourceFile, walkWorkspace } from '../../server/src/node/files.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';
import { djangoTemplateError } from '../helpers/django-template.js';
import { pythonSyntaxError } from '../helpers/python.js';

const SAMPLE = join(__dirname, '..', 'fixtures', 'sample-project');
/** Rules whose fixes legitimately reach beyond the diagnostic's lines (DESIGN: an import, a moved decorator, a reordered list, a load tag, every read of a changed key). */
const MAY_EDIT_ELSEWHERE = new Set(['CACHE002', 'CACHE003', 'CACHE004', 'CACHE005', 'CACHE009', 'CACHE103', 'CACHE202']);

function sampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of walkWorkspace(['.'], SAMPLE, []).files) {
    const result = readSourceFile(join(SAMPLE, path), 2 ** 21);
    if ('text' in result) files[path] = result.text;
  }
  return files;
}

async function check(files: Record<string, string>): Promise<Finding[]> {
  const workspace = await Workspace.create({ wasm: loadPythonWasm(), loadTypeScript, paths: Object.keys(files), source: { read: (path) => files[path] } });
  return workspace.check();
}

function validityError(path: string, text: string): string | null {
  if (path.endsWith('.py')) return pythonSyntaxError(text);
  if (/\.(html|txt)$/.test(path)) {
    return djangoTemplateError(text);
  }
  if (/\.[cm]?[jt]sx?$/.test(path)) return syntaxErrors(loadTypeScript(), path, text)[0] ?? null;
  return null;
}

/**
 * Findings a fix may bring to light elsewhere, because the problem was hidden behind the one it fixes:
 * per-user data inside a fragment shared by everyone is the same on every page (CACHE101's finding);
 * once the fragment varies on the user, a page-cached page that shows it is per-user (CACHE004's).
 */
const UNMASKS: Record<string, string[]> = { CACHE101: ['CACHE004'] };

const key = (finding: Finding): string => `${finding.path} ${finding.code}`;

function multiset(findings: Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(key(finding), (counts.get(key(finding)) ?? 0) + 1);
  return counts;
}

function outsideLines(finding: Finding, edits: TextEdit[]): TextEdit[] {
  return edits.filter((edit) => edit.range.start.line < finding.range.start.line || edit.range.end.line > finding.range.end.line);
}

test('every fix on the sample project: still valid, its finding gone, nothing new, on its own lines', async () => {
  const files = sampleFiles();
  const before = await check(files);
  const withFixes = before.filter((finding) => finding.fixes.length > 0);
  assert.ok(withFixes.length >= 10, `the sample project has fixable findings (${withFixes.length})`);
  const problems: string[] = [];
  let checked = 0;
  for (const finding of withFixes) {
    for (const fix of finding.fixes) {
      checked++;
      const label = `${finding.code} ${finding.path}:${finding.range.start.line + 1} "${fix.title}"`;
      const fixedText = applyEdits(files[finding.path], fix.edits);
      const invalid = validityError(finding.path, fixedText);
      if (invalid) problems.push(`${label}: the file no longer parses: ${invalid}`);
      const after = multiset(await check({ ...files, [finding.path]: fixedText }));
      const expected = multiset(before);
      expected.set(key(finding), (expected.get(key(finding)) ?? 0) - 1);
      for (const name of new Set([...after.keys(), ...expected.keys()])) {
        const got = after.get(name) ?? 0;
        const want = Math.max(0, expected.get(name) ?? 0);
        if (name === key(finding) && got > want) problems.push(`${label}: the finding is still there`);
        else if (got > want && !(UNMASKS[finding.code] ?? []).includes(name.split(' ')[1])) problems.push(`${label}: a new finding appeared: ${name}`);
      }
      if (!MAY_EDIT_ELSEWHERE.has(finding.code) && outsideLines(finding, fix.edits).length > 0) problems.push(`${label}: edits outside the diagnostic's lines`);
    }
  }
  assert.deepEqual(problems, [], `${checked} fixes checked`);
});

test('a fix that changes a cache key leaves no read or write of the old key in the file (the cache would never hit)', async () => {
  const files = sampleFiles();
  const keyFixes = (await check(files)).filter((finding) => finding.code === 'CACHE002' && finding.fixes.length > 0);
  assert.ok(keyFixes.length >= 1, 'the sample project has a fixable generic key');
  for (const finding of keyFixes) {
    const text = files[finding.path];
    const start = new LineIndex(text).offsetAt(finding.range.start);
    const end = new LineIndex(text).offsetAt(finding.range.end);
    const oldKey = text.slice(start, end);
    assert.match(oldKey, /^["']/, 'fixes are offered for literal keys');
    for (const fix of finding.fixes) {
      const fixedText = applyEdits(text, fix.edits);
      assert.ok(!fixedText.includes(oldKey), `${finding.path}:${finding.range.start.line + 1} "${fix.title}" leaves ${oldKey} in use`);
    }
  }
});

test('"fix all" (safe fixes only) on the sample project converges in at most two passes', async () => {
  let files = sampleFiles();
  let passes = 0;
  for (; passes < 5; passes++) {
    const fixable = (await check(files)).filter((finding) => finding.fixes.some((fix) => fix.safety === 'safe'));
    if (fixable.length === 0) break;
    const byPath = new Map<string, Finding[]>();
    for (const finding of fixable) byPath.set(finding.path, [...(byPath.get(finding.path) ?? []), finding]);
    files = { ...files };
    for (const [path, findings] of byPath) {
      files[path] = applyEdits(files[path], fixAllEdits(findings));
      assert.equal(validityError(path, files[path]), null, `${path} after pass ${passes + 1}`);
    }
  }
  assert.ok(passes >= 1 && passes <= 2, `fix all took ${passes} passes`);
});
