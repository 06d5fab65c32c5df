import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, SAMPLE_PROJECT } from './helpers.js';

const SERVICE = 'services/catalog-api/';

test('every TS/JS rule fires exactly once on the sample project\'s Node service', () => {
  const expected = JSON.parse(readFileSync(join(ROOT, 'test', 'sample-project.expected.json'), 'utf8')) as { code: string; path: string }[];
  const codes = expected.filter((finding) => finding.path.startsWith(SERVICE)).map((finding) => finding.code).sort();
  assert.deepEqual(codes, ['CACHE201', 'CACHE202', 'CACHE203']);
});

test('the CLI shows the Node service\'s findings in text form, run from the service folder too', () => {
  const run = runCli(['check', SERVICE], SAMPLE_PROJECT);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((line) => line.split(': ')[0]),
    [`${SERVICE}src/catalog.ts:9:9`, `${SERVICE}src/clients/memory.ts:10:8`, `${SERVICE}src/recommendations.ts:8:25`],
  );
  assert.match(lines[0], /CACHE201 "product:\{\}" is stored with no TTL/);
  const inside = runCli(['check', '--format', 'json'], join(SAMPLE_PROJECT, SERVICE));
  assert.deepEqual((JSON.parse(inside.stdout) as { code: string }[]).map((finding) => finding.code), ['CACHE201', 'CACHE203', 'CACHE202']);
});
