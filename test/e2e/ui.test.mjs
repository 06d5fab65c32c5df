// node --test test/e2e/ui.test.mjs
// The UI scenario of ui.mjs (real workbench in Debian's Chromium, Cache Coach installed from a .vsix) as node:test
// tests, one per step. Needs `npm run build` first; installs what it needs with setup.mjs on the first run.
// env: CACHE_COACH_E2E_INSTALL=symlink to skip packaging; CACHE_COACH_E2E_EXTENSION=<dir> for another build.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ensureSetup, ROOT } from './setup.mjs';
import { runUiScenario } from './ui.mjs';

test('Cache Coach in the real workbench: template first, Problems panel, hover, light-bulb quick fix, saved file, a code lens and the Cache keys view, walkthrough after a reload', { timeout: 600_000 }, async (t) => {
  ensureSetup({ quiet: true });
  const result = await runUiScenario({
    extensionDir: resolve(process.env.CACHE_COACH_E2E_EXTENSION || ROOT),
    install: process.env.CACHE_COACH_E2E_INSTALL || 'vsix',
    log: (...a) => t.diagnostic(a.join(' ')),
  });
  for (const step of result.steps) {
    await t.test(step.name, () => assert.ok(step.ok, step.error));
  }
  assert.ok(result.ok, 'every step of the UI scenario passed');
});
