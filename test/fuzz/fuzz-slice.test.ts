/**
 * The fast slice of the fuzzer for `npm test`: 2,000 inputs per front end (the full 100,000 are `npm run fuzz`),
 * and every kept regression input replayed. CACHE_COACH_FUZZ_SEED picks another seed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FRONT_ENDS } from './front-ends.js';
import { runInput } from './harness.js';
import { formatSummary, REGRESSIONS, runFuzz, type RegressionFixture } from './runner.js';

const COUNT = Number(process.env.CACHE_COACH_FUZZ_COUNT ?? 2000);
const SEED = process.env.CACHE_COACH_FUZZ_SEED ?? 'slice';

test(`fuzz slice: ${COUNT} mutated inputs per front end (${FRONT_ENDS.map((frontEnd) => frontEnd.name).join(', ')}), seed ${SEED}`, { timeout: 300_000 }, async (t) => {
  const summary = await runFuzz({ count: COUNT, seed: SEED, save: false, minimise: 3 });
  for (const line of formatSummary(summary).split('\n')) t.diagnostic(line);
  for (const frontEnd of summary.frontEnds) {
    assert.equal(frontEnd.inputs, COUNT, `${frontEnd.frontEnd}: every input ran`);
    // Most inputs must reach the analysis, not stop at the pre-filter.
    assert.ok(frontEnd.candidates / frontEnd.inputs >= 0.5, `${frontEnd.frontEnd}: only ${frontEnd.candidates} of ${frontEnd.inputs} inputs hold a cache call`);
  }
  const failures = summary.frontEnds.flatMap((frontEnd) => frontEnd.failures);
  assert.deepEqual(
    failures.map((failed) => `${failed.frontEnd} #${failed.index} ${failed.failure.kind}: ${failed.failure.message.split('\n')[0]}`),
    [],
    `minimised (replay with: node --import tsx test/fuzz/run.ts --replay FRONT_END:INDEX --seed ${SEED}):\n${summary.minimised.map((item) => JSON.stringify(item.fixture.input)).join('\n')}`,
  );
});

const fixtures = readdirSync(REGRESSIONS).filter((name) => name.endsWith('.json')).sort();

test('the kept regression inputs are there', () => {
  assert.ok(fixtures.length > 0, `no fixtures in ${REGRESSIONS}`);
});

for (const name of fixtures) {
  const fixture = JSON.parse(readFileSync(join(REGRESSIONS, name), 'utf8')) as RegressionFixture;
  test(`regression ${name}: ${fixture.description}`, { todo: fixture.pending }, async () => {
    // Its own mode, and the simpler ones: a bug found with companions or an editor must not hide in one file either.
    const modes = [...new Set([fixture.input.mode, 'single' as const])];
    for (const mode of modes) {
      const outcome = await runInput({ ...fixture.input, mode });
      assert.deepEqual(outcome.failures, [], `${name} (${mode})`);
      assert.ok(outcome.ms < 10_000, `${name} (${mode}) took ${Math.round(outcome.ms)} ms`);
    }
  });
}
