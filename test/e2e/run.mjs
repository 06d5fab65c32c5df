#!/usr/bin/env node
// End-to-end tests of Cache Coach in a real VS Code (code-server 4.139 / VS Code 1.139) on this machine:
//   1. setup.mjs      installs Chromium, Node 24 and code-server once (instant afterwards),
//   2. run-suites.mjs mocha suites inside the extension host (diagnostics, hover, quick fix, fix-all, noqa, settings),
//   3. ui.mjs         the workbench in Chromium: Problems row, hover, light-bulb quick fix, saved file (screenshots
//                     in test-artifacts/).
// Works on temp copies of test/fixtures/sample-project and checks that the fixture is left untouched.
// Needs a built extension (`npm run build`). Closing line: `N passed, N failed`; exit code 1 on any failure.
//
// usage: node test/e2e/run.mjs [--extension DIR] [--repeat N] [--skip-ui] [--skip-suites] [--install vsix|symlink] [--grep RE]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSetup, ROOT } from './setup.mjs';
import { SAMPLE_PROJECT, exitOnSignals } from './code-server.mjs';
import { runSuites } from './run-suites.mjs';
import { runUiScenario } from './ui.mjs';

const LIMIT_MS = 9.5 * 60_000; // the whole run, setup included
const { values } = parseArgs({
  options: {
    extension: { type: 'string' }, repeat: { type: 'string' }, 'skip-ui': { type: 'boolean' }, 'skip-suites': { type: 'boolean' },
    install: { type: 'string' }, grep: { type: 'string' },
  },
});
const extensionDir = resolve(values.extension || process.env.CACHE_COACH_E2E_EXTENSION || ROOT);
const repeat = Math.max(1, Number(values.repeat || 1));
const started = Date.now();
let passed = 0;
let failed = 0;
const failures = [];

function finish(code) {
  for (const f of failures) console.log(`FAILED: ${f}`);
  console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed ? 1 : 0));
}

exitOnSignals(() => { failed++; failures.push('interrupted'); for (const f of failures) console.log(`FAILED: ${f}`); console.log(`${passed} passed, ${failed} failed`); });
setTimeout(() => {
  failed++;
  failures.push(`the e2e run exceeded ${LIMIT_MS / 60_000} minutes`);
  finish(1); // the 'exit' hook of code-server.mjs stops any code-server still running
}, LIMIT_MS).unref();

function fixtureDigest() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(SAMPLE_PROJECT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(SAMPLE_PROJECT);
  return hash.digest('hex');
}

try {
  const t0 = Date.now();
  ensureSetup();
  console.log(`[e2e] setup: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (error) {
  failed++;
  failures.push(`setup: ${error.message}`);
  finish(1);
}

const before = fixtureDigest();

if (!values['skip-suites']) {
  for (let i = 1; i <= repeat; i++) {
    if (repeat > 1) console.log(`[e2e] extension-host suites, run ${i} of ${repeat}`);
    const result = await runSuites({ extensionDir, grep: values.grep });
    passed += result.passed;
    failed += result.failed;
    for (const f of result.failures) failures.push(`suites${repeat > 1 ? ` (run ${i})` : ''}: ${f.title}: ${f.error.split('\n')[0]}`);
    console.log(`[e2e] extension-host suites${repeat > 1 ? ` run ${i}` : ''}: ${result.passed} passed, ${result.failed} failed in ${result.seconds.toFixed(1)} s`);
  }
}

if (!values['skip-ui']) {
  const result = await runUiScenario({ extensionDir, install: values.install || 'vsix' });
  if (result.ok) passed++;
  else {
    failed++;
    for (const s of result.steps.filter((step) => !step.ok)) failures.push(`ui: ${s.name}: ${s.error.split('\n')[0]}`);
  }
  console.log(`[e2e] ui scenario: ${result.ok ? 'passed' : 'FAILED'} (${result.steps.filter((s) => s.ok).length}/${result.steps.length} steps) in ${result.seconds.toFixed(1)} s; screenshots in ${join(ROOT, 'test-artifacts')}`);
}

if (fixtureDigest() === before) passed++;
else {
  failed++;
  failures.push(`the fixture ${SAMPLE_PROJECT} was modified by the run`);
}
finish();
