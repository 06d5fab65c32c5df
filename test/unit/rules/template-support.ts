/** Shared checks for the template rule tests: fixes must compile in real Django and leave the engine quiet. */
import assert from 'node:assert/strict';
import type { CacheCoachConfig } from '../../../server/src/analysis/config.js';
import type { Finding } from '../../../server/src/analysis/types.js';
import { djangoTemplateError, type DjangoTemplateOptions } from '../../helpers/django-template.js';
import { findingsOf, type Files } from '../../helpers/engine.js';
import { fixedWith, labels } from './support.js';

export interface TemplateFixOptions {
  title?: string;
  config?: Partial<CacheCoachConfig>;
  /** Passed to Django: builtins, and templates to load (which also renders the fixed template). */
  django?: DjangoTemplateOptions;
}

/** A template's text from an indented template literal (common indentation and the first new line removed). */
export function tpl(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** Findings of one code, as `path:line` strings. */
export function of(code: string, findings: Finding[]): string[] {
  return findings.filter((finding) => finding.code === code).map((finding) => `${finding.path}:${finding.range.start.line + 1}`);
}

/**
 * Applies the fix of every `code` finding in `path` and checks: the fixed template compiles in Django
 * (Debian's Django 3.2; rendered too when `django.templates` is given); `code` is gone from `path`; no
 * finding appeared anywhere that was not there before. Returns the fixed text.
 */
export async function assertTemplateFixIsClean(code: string, files: Files, path: string, options: TemplateFixOptions = {}): Promise<string> {
  const before = labels(await findingsOf(files, options.config));
  const text = await fixedWith(code, files, path, { title: options.title, config: options.config });
  assert.notEqual(text, files[path], 'the fix changed nothing');
  assert.equal(djangoTemplateError(text, options.django), null, `Django refuses the fixed template:\n${text}`);
  const after = labels(await findingsOf({ ...files, [path]: text }, options.config));
  assert.deepEqual(
    after.filter((label) => label.startsWith(`${path}:`) && label.endsWith(` ${code}`)),
    [],
    `${code} is still reported after the fix:\n${text}`,
  );
  // By path and code, not line: a fix that adds a line moves the findings below it.
  const key = (label: string): string => label.replace(/:\d+ /, ' ');
  const remaining = before.map(key);
  for (const label of after) {
    const index = remaining.indexOf(key(label));
    assert.ok(index >= 0, `the fix made ${label} appear:\n${text}`);
    remaining.splice(index, 1);
  }
  return text;
}
