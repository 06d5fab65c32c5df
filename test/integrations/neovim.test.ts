/**
 * `cache-coach-server --stdio` in Neovim's built-in LSP client: Debian's `neovim` (0.7 on Debian 12),
 * headless, with test/integrations/nvim/init.lua attaching the server to a file of the sample project
 * and writing what `vim.diagnostic.get()` and a hover return to a JSON file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { SAMPLE_PROJECT, SERVER, assertBuilt, describeRun, ensureDebianCommand, expectedSampleFindings, run, temporaryFolder } from './helpers';

const INIT_LUA = join(__dirname, 'nvim', 'init.lua');

interface NvimReport {
  nvim: { major: number; minor: number; patch: number };
  api: string;
  filetype: string;
  waited: boolean;
  scanned?: boolean;
  diagnostics: { code: string; line: number; column: number; severity: number; source: string; message: string }[];
  hover?: string;
  server?: { name: string; hover: boolean; codeAction: boolean };
  messages: string[];
  errors: string[];
}

const work = temporaryFolder('neovim');
after(() => work.dispose());

/** Opens `relativePath` of the sample project in headless Neovim; waits for `expectCode` after the workspace scan. */
function openInNeovim(t: TestContext, relativePath: string, expectCode: string): NvimReport | undefined {
  const nvim = ensureDebianCommand('nvim', 'neovim');
  if (!nvim.ok) {
    t.skip(nvim.reason);
    return undefined;
  }
  if (nvim.note) t.diagnostic(nvim.note);
  assertBuilt();
  const out = join(work.dir, `${relativePath.replace(/\W/g, '_')}.json`);
  const result = run(nvim.path, ['--headless', '-n', '-i', 'NONE', '-u', INIT_LUA], {
    cwd: SAMPLE_PROJECT,
    timeout: 90_000,
    env: {
      ...process.env,
      // Nothing from the machine's Neovim setup, and nothing written outside the temporary folder.
      XDG_CONFIG_HOME: join(work.dir, 'config'),
      XDG_DATA_HOME: join(work.dir, 'data'),
      XDG_STATE_HOME: join(work.dir, 'state'),
      XDG_CACHE_HOME: join(work.dir, 'cache'),
      CACHE_COACH_NODE: process.execPath,
      CACHE_COACH_SERVER: SERVER,
      CACHE_COACH_ROOT: SAMPLE_PROJECT,
      CACHE_COACH_FILE: join(SAMPLE_PROJECT, relativePath),
      CACHE_COACH_OUT: out,
      CACHE_COACH_EXPECT_CODE: expectCode,
      CACHE_COACH_WAIT_MS: '45000',
    },
  });
  assert.ok(existsSync(out), describeRun('nvim --headless', result));
  const report = JSON.parse(readFileSync(out, 'utf8')) as NvimReport;
  t.diagnostic(`Neovim ${report.nvim.major}.${report.nvim.minor}.${report.nvim.patch} (${report.api}), ${result.ms} ms`);
  assert.deepEqual(report.errors, [], describeRun('nvim --headless', result));
  assert.equal(result.status, 0, describeRun('nvim --headless', result));
  assert.ok(report.scanned, `the server never logged "Workspace scan: …"; messages: ${report.messages.join(' | ')}`);
  assert.ok(report.waited, `no ${expectCode} after the workspace scan within 45 s; diagnostics: ${JSON.stringify(report.diagnostics)}`);
  assert.equal(report.server?.name, 'cache-coach');

  // The file's findings are the CLI's, and nothing from other files.
  const expected = expectedSampleFindings().filter((finding) => finding.path === relativePath);
  assert.deepEqual(
    report.diagnostics.map((diagnostic) => `${diagnostic.code}:${diagnostic.line}`).sort(),
    expected.map((finding) => `${finding.code}:${finding.line}`).sort(),
  );
  for (const diagnostic of report.diagnostics) assert.equal(diagnostic.source, 'Cache Coach');
  return report;
}

test('Neovim shows CACHE004 on line 24 of catalog/views.py, and hover documents cache_page', { timeout: 15 * 60_000 }, (t) => {
  const report = openInNeovim(t, 'catalog/views.py', 'CACHE004');
  if (!report) return;
  assert.equal(report.filetype, 'python');
  const cache004 = report.diagnostics.filter((diagnostic) => diagnostic.code === 'CACHE004');
  assert.equal(cache004.length, 1, JSON.stringify(report.diagnostics));
  assert.equal(cache004[0].line, 24);
  assert.equal(cache004[0].severity, 2, 'a warning (vim.diagnostic.severity.WARN)');
  assert.match(cache004[0].message, /request\.user/);
  assert.match(report.hover ?? '', /cache_page/, `hover: ${report.hover}`);
});

test('Neovim shows template findings in a Django template (filetype htmldjango)', { timeout: 15 * 60_000 }, (t) => {
  const report = openInNeovim(t, 'catalog/templates/catalog/home.html', 'CACHE106');
  if (!report) return;
  assert.equal(report.filetype, 'htmldjango');
  assert.ok(report.diagnostics.some((diagnostic) => diagnostic.code === 'CACHE106' && diagnostic.line === 22), JSON.stringify(report.diagnostics));
});
