#!/usr/bin/env node
// Runs the mocha suites of test/e2e/suite inside the extension host of a real VS Code (code-server), the way
// @vscode/test-electron would: code-server with the smoke-test driver on, Chromium opening the workbench with a
// payload naming extensionDevelopmentPath (the extension folder, loaded unpackaged) and extensionTestsPath
// (suite/index.js), on a temp COPY of the sample project. Mocha's exit code comes back through
// window.codeAutomationExit, its reporter through window.codeAutomationLog.
//
// usage: node test/e2e/run-suites.mjs [--extension DIR] [--grep REGEXP] [--keep]
//   --extension  the extension folder (default: the repo; must hold the built `main`)
//   --keep       keep the temp folder (workspace copy, code-server log) for a look afterwards
// env: CACHE_COACH_E2E_TIMEOUT_MS (default 240000) bounds the whole run in the browser.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ensureSetup, ROOT } from './setup.mjs';
import { ARTIFACTS, copySampleProject, launchChromium, removeDir, startCodeServer, tempDir, workbenchUrl } from './code-server.mjs';

const SUITE = join(ROOT, 'test', 'e2e', 'suite');

/** Checks that an extension folder is built; returns its manifest. */
export function checkExtension(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const main = manifest.main && resolve(dir, manifest.main.endsWith('.js') ? manifest.main : `${manifest.main}.js`);
  if (!main || !existsSync(main)) throw new Error(`${dir}: the extension is not built (${manifest.main || 'no "main"'} is missing): run \`npm run build\``);
  return manifest;
}

/**
 * Runs the suites once. Returns { passed, failed, tests, failures: [{title, error}], seconds, exitCode }.
 * Never throws: a harness failure counts as one failed test.
 */
export async function runSuites({ extensionDir = ROOT, grep, keep = false, log = console.log, timeoutMs = +(process.env.CACHE_COACH_E2E_TIMEOUT_MS || 240_000) } = {}) {
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const say = (...a) => log(`[suites ${stamp()}]`, ...a);
  rmSync(join(ARTIFACTS, 'suites-harness-failure.png'), { force: true }); // from an earlier run
  const tmp = tempDir('cache-coach-e2e-suites-');
  const resultsFile = join(tmp, 'results.json');
  let server, browser;
  let outcome = { passed: 0, failed: 1, tests: 0, failures: [] };
  try {
    checkExtension(extensionDir);
    const workspace = copySampleProject(tmp);
    server = await startCodeServer({
      dir: join(tmp, 'cs'), smokeTestDriver: true, log: say,
      env: { CACHE_COACH_E2E_RESULTS: resultsFile, ...(grep ? { CACHE_COACH_E2E_GREP: grep } : {}) },
    });
    browser = await launchChromium({ dir: join(tmp, 'browser') });
    const page = browser.page;
    const exited = new Promise((resolveExit) => page.exposeFunction('codeAutomationExit', (code) => resolveExit(code)));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (/open-vsx\.org|ENOTFOUND|marketplace/i.test(line)) return; // offline gallery lookups: noise
      if (type === 'error' || !/^(Resolving|Resolved|Creating a socket|\[)/.test(line)) log(line);
    });
    page.on('pageerror', (error) => say('page error:', error.message));
    say(`workspace copy ${workspace}`);
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDir, extensionTestsPath: SUITE }), { timeout: 60_000 });
    let timer;
    const timedOut = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`the suites did not finish within ${timeoutMs / 1000} s`)), timeoutMs); });
    let code;
    try {
      code = await Promise.race([exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    say('extension host exit code', code);
    if (existsSync(resultsFile)) {
      const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
      outcome = { passed: r.passes, failed: r.failures, tests: r.tests, failures: r.failed || [] };
    } else {
      outcome = { passed: 0, failed: 1, tests: 0, failures: [{ title: 'extension host', error: `exited ${code} without results (see ${server.logFile})` }] };
    }
    if (code !== 0 && outcome.failed === 0) outcome = { ...outcome, failed: 1, failures: [{ title: 'extension host', error: `exit code ${code}` }] };
  } catch (error) {
    say('ERROR', error.message);
    outcome = { passed: outcome.passed, failed: Math.max(1, outcome.failed), tests: outcome.tests, failures: [...outcome.failures, { title: 'harness', error: error.message }] };
    if (browser) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await browser.page.screenshot({ path: join(ARTIFACTS, 'suites-harness-failure.png'), timeout: 10_000 }).catch(() => {});
    }
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop();
    if (keep) say(`kept ${tmp}`);
    else removeDir(tmp);
  }
  const seconds = (Date.now() - started) / 1000;
  return { ...outcome, seconds, exitCode: outcome.failed ? 1 : 0 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { extension: { type: 'string' }, grep: { type: 'string' }, keep: { type: 'boolean' } } });
  try {
    ensureSetup({ quiet: true });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  const result = await runSuites({ extensionDir: resolve(values.extension || process.env.CACHE_COACH_E2E_EXTENSION || ROOT), grep: values.grep, keep: values.keep });
  for (const f of result.failures) console.log(`FAILED: ${f.title}\n  ${f.error.replace(/\n/g, '\n  ')}`);
  console.log(`extension-host suites: ${result.seconds.toFixed(1)} s`);
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exit(result.exitCode);
}
