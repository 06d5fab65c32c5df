/** Shared checks for the rule tests: applying a rule's fix and verifying the result with CPython and the engine. */
import assert from 'node:assert/strict';
import type { CacheCoachConfig } from '../../../server/src/analysis/config.js';
import { applyEdits } from '../../../server/src/analysis/text.js';
import type { Finding } from '../../../server/src/analysis/types.js';
import { findingsOf, type Files } from '../../helpers/engine.js';
import { pythonSyntaxError } from '../../helpers/python.js';

export interface FixOptions {
  /** Pick the fix with this title instead of the first one. */
  title?: string;
  config?: Partial<CacheCoachConfig>;
}

/** `path:line CODE` strings for every finding, for whole-project "nothing else appeared" assertions. */
export function labels(findings: Finding[]): string[] {
  return findings.map((finding) => `${finding.path}:${finding.range.start.line + 1} ${finding.code}`);
}

/** Every finding of the project as `path:line CODE`. */
export async function allFindings(files: Files, config: Partial<CacheCoachConfig> = {}): Promise<string[]> {
  return labels(await findingsOf(files, config));
}

/** The text of `path` after the chosen fix of every finding of `code` there (with a config, unlike helpers/engine `fixed`). */
export async function fixedWith(code: string, files: Files, path: string, options: FixOptions = {}): Promise<string> {
  const findings = (await findingsOf(files, options.config)).filter((finding) => finding.code === code && finding.path === path);
  assert.ok(findings.length > 0, `expected a ${code} finding in ${path} to fix`);
  const edits = findings.flatMap((finding) => {
    const fix = options.title ? finding.fixes.find((candidate) => candidate.title === options.title) : finding.fixes[0];
    assert.ok(fix, `expected the ${code} finding at line ${finding.range.start.line + 1} to offer a fix${options.title ? ` titled "${options.title}"` : ''}`);
    return fix.edits;
  });
  return applyEdits(files[path], edits);
}

/** Codes of a finding list as a sorted multiset, per path. */
function codesByPath(findings: Finding[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const finding of findings) result.set(finding.path, [...(result.get(finding.path) ?? []), finding.code].sort());
  return result;
}

/**
 * Applies the fix of every `code` finding in `path`, then checks: the new text parses with CPython; on
 * re-analysis `code` is gone from `path`; and no finding appeared that was not there before (per path,
 * by code). Returns the fixed text for further assertions.
 */
export async function assertFixIsClean(code: string, files: Files, path: string, options: FixOptions = {}): Promise<string> {
  const before = await findingsOf(files, options.config);
  const text = await fixedWith(code, files, path, options);
  assert.notEqual(text, files[path], 'the fix changed nothing');
  assert.equal(pythonSyntaxError(text), null, `the fixed text does not parse:\n${text}`);
  const after = await findingsOf({ ...files, [path]: text }, options.config);
  assert.deepEqual(
    after.filter((finding) => finding.code === code && finding.path === path).map((finding) => finding.message),
    [],
    `${code} is still reported after the fix:\n${text}`,
  );
  const beforeCodes = codesByPath(before);
  for (const [file, codes] of codesByPath(after)) {
    const remaining = [...(beforeCodes.get(file) ?? [])];
    for (const found of codes) {
      const index = remaining.indexOf(found);
      assert.ok(index >= 0, `the fix made a new ${found} finding appear in ${file}:\n${text}`);
      remaining.splice(index, 1);
    }
  }
  return text;
}
