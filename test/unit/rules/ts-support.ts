/** Shared pieces of the TS/JS rule tests: fixture text, and applying a fix then checking it with the TypeScript parser. */
import assert from 'node:assert/strict';
import type { CacheCoachConfig } from '../../../server/src/analysis/config.js';
import { syntaxErrors } from '../../../server/src/analysis/typescript/load.js';
import { loadTypeScript } from '../../../server/src/node/typescript.js';
import { findingsOf, type Files } from '../../helpers/engine.js';
import { fixedWith, labels } from './support.js';

/**
 * TS/JS source with the common indentation removed. Fixture template literals are written `#{id}`
 * (becomes `${id}`), so the test file's own template literal does not interpolate them.
 */
export function js(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((result, piece, index) => result + piece + (index < values.length ? String(values[index]) : ''), '').replace(/^\n/, '').replace(/#\{/g, '${');
  const indent = Math.min(...text.split('\n').filter((line) => line.trim()).map((line) => /^ */.exec(line)![0].length));
  return text.split('\n').map((line) => line.slice(indent)).join('\n');
}

/** The parser's syntax errors for a TS/JS text (empty: it parses). */
export function tsSyntaxErrors(path: string, text: string): string[] {
  return syntaxErrors(loadTypeScript(), path, text);
}

/**
 * Applies the fix of every `code` finding in `path`, then checks: the new text parses (no parse
 * diagnostics from the TypeScript parser); `code` is gone from `path`; no finding appeared that was not
 * there before. Returns the fixed text.
 */
export async function assertTsFixIsClean(code: string, files: Files, path: string, options: { title?: string; config?: Partial<CacheCoachConfig> } = {}): Promise<string> {
  const before = labels(await findingsOf(files, options.config)).map((label) => label.replace(/:\d+ /, ' '));
  const text = await fixedWith(code, files, path, options);
  assert.notEqual(text, files[path], 'the fix changed nothing');
  assert.deepEqual(tsSyntaxErrors(path, text), [], `the fixed text does not parse:\n${text}`);
  const after = await findingsOf({ ...files, [path]: text }, options.config);
  assert.deepEqual(after.filter((finding) => finding.code === code && finding.path === path).map((finding) => finding.message), [], `${code} is still reported after the fix:\n${text}`);
  const remaining = [...before];
  for (const label of labels(after).map((item) => item.replace(/:\d+ /, ' '))) {
    const index = remaining.indexOf(label);
    assert.ok(index >= 0, `the fix made a new finding appear (${label}):\n${text}`);
    remaining.splice(index, 1);
  }
  return text;
}

/** Every finding's fixes are unsafe: offered as quick fixes, never applied by fix-all. */
export async function assertFixesUnsafe(code: string, files: Files): Promise<void> {
  const findings = (await findingsOf(files)).filter((finding) => finding.code === code);
  assert.ok(findings.length > 0);
  for (const finding of findings) for (const fix of finding.fixes) assert.equal(fix.safety, 'unsafe');
}
