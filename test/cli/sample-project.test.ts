import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, SAMPLE_PROJECT } from './helpers.js';

interface Expected {
  code: string;
  path: string;
  line: number;
}

const expected = JSON.parse(readFileSync(join(ROOT, 'test', 'sample-project.expected.json'), 'utf8')) as Expected[];
const quiet = JSON.parse(readFileSync(join(ROOT, 'test', 'sample-project.quiet.json'), 'utf8')) as { path: string; line: number; lookalike: string }[];

test('the sample project gives exactly the hand-written findings', () => {
  const run = runCli(['check', '--format', 'json'], SAMPLE_PROJECT);
  assert.equal(run.status, 1, run.stderr);
  const findings = JSON.parse(run.stdout) as Expected[];
  const key = (finding: Expected): string => `${finding.path}:${finding.line} ${finding.code}`;
  assert.deepEqual(findings.map(key), expected.map(key));
});

test('every Python rule fires at least once on the sample project', () => {
  const codes = new Set(expected.map((finding) => finding.code));
  for (const code of ['CACHE001', 'CACHE002', 'CACHE003', 'CACHE004', 'CACHE005', 'CACHE006', 'CACHE007', 'CACHE008', 'CACHE009', 'CACHE010', 'CACHE011', 'CACHE900']) {
    assert.ok(codes.has(code), `${code} is missing from the expectation`);
  }
});

test('every template rule fires at least once on the sample project', () => {
  const codes = new Set(expected.map((finding) => finding.code));
  for (const code of ['CACHE101', 'CACHE102', 'CACHE103', 'CACHE104', 'CACHE105', 'CACHE106']) {
    assert.ok(codes.has(code), `${code} is missing from the expectation`);
  }
});

test('no finding lands on a look-alike line', () => {
  const run = runCli(['check', '--format', 'json'], SAMPLE_PROJECT);
  const findings = JSON.parse(run.stdout) as Expected[];
  for (const lookalike of quiet) {
    const hit = findings.find((finding) => finding.path === lookalike.path && finding.line === lookalike.line);
    assert.equal(hit, undefined, `${lookalike.path}:${lookalike.line} (${lookalike.lookalike}) was flagged: ${hit?.code}`);
  }
});
