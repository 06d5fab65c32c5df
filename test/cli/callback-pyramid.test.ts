/**
 * A JS file whose callbacks nest forty deep (an async.js pyramid) is checked like any other. TypeScript's parser
 * as shipped parses every level after `async` twice (2^40 times the innermost callback): the check never ended.
 * The bundled parser carries the mend of analysis/typescript/parser-patch.ts; runCli fails after 60 s.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from './helpers.js';

const PROJECT = join(ROOT, 'test', 'fixtures', 'callback-pyramid');

test('a cache finding in the innermost of forty nested async.js callbacks is reported, and the check ends', () => {
  const run = runCli(['check', '.', '--format', 'json'], PROJECT);
  assert.equal(run.status, 1, run.stderr);
  const findings = JSON.parse(run.stdout) as { code: string; path: string; line: number }[];
  // node-cache counts in seconds: 3600000 there is 41 days, an hour written in milliseconds.
  assert.deepEqual(findings.map((finding) => `${finding.path}:${finding.line} ${finding.code}`), ['jobs/warm.js:48 CACHE203']);
});
