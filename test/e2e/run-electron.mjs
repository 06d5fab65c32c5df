// Runs the extension-host suites (test/e2e/suite) with @vscode/test-electron, for machines that can download
// VS Code (this one cannot: see shared NOTES.md; here use run-suites.mjs, which runs the same suites in code-server).
// usage: npm run build && node test/e2e/run-electron.mjs [--vscode-version 1.91.1]
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const { values } = parseArgs({ options: { 'vscode-version': { type: 'string' } } });
const tmp = mkdtempSync(join(tmpdir(), 'cache-coach-electron-'));
const workspace = join(tmp, 'sample-project');
cpSync(join(root, 'test', 'fixtures', 'sample-project'), workspace, { recursive: true }); // never the fixture itself
let failed = 0;
try {
  await runTests({
    version: values['vscode-version'] || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test', 'e2e', 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', join(tmp, 'user-data')],
    extensionTestsEnv: { CACHE_COACH_E2E_RESULTS: join(tmp, 'results.json') },
  });
} catch (error) {
  console.error(error.message || error);
  failed = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed);
