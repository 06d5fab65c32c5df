// A real VS Code on this machine: code-server (VS Code 1.139 with a Node extension host) driven from Debian's
// Chromium through playwright-core. Flags and recipe: shared NOTES.md. Every wait here has a timeout.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, paths } from './setup.mjs';

const require = createRequire(import.meta.url);
export const SAMPLE_PROJECT = join(ROOT, 'test', 'fixtures', 'sample-project');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const EXTENSION_ID = 'cache-coach.cache-coach';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Process groups of the code-servers started here: killed if this process exits before stopping them.
const liveGroups = new Set();
process.on('exit', () => {
  for (const pid of liveGroups) try { process.kill(-pid, 'SIGKILL'); } catch {}
});

/** Makes Ctrl+C / SIGTERM exit through process.exit (so the 'exit' hook above stops every code-server). */
export function exitOnSignals(onSignal = () => {}) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, async () => {
      try { await onSignal(signal); } finally { process.exit(signal === 'SIGINT' ? 130 : 143); }
    });
  }
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

// VS Code user settings for a quiet, deterministic workbench.
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.hover.delay': 100,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** A folder under the system temp dir (removed by the caller's cleanup). */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Copies the sample Django project into a fresh temp folder (the fixture is never touched). */
export function copySampleProject(into = tempDir('cache-coach-ws-')) {
  const workspace = join(into, 'sample-project');
  cpSync(SAMPLE_PROJECT, workspace, { recursive: true });
  return workspace;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function codeServerEnv(home, extra = {}) {
  for (const dir of ['.config', '.local/share', '.cache']) mkdirSync(join(home, dir), { recursive: true });
  return {
    ...process.env,
    ...extra,
    PATH: `${paths.node24Bin}:${process.env.PATH}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    // never let the extension host inherit a debugger or a test runner's options from the caller
    NODE_OPTIONS: '',
    ELECTRON_RUN_AS_NODE: '',
  };
}

/**
 * Installs a .vsix into an extensions dir with code-server's own CLI (no server is started).
 * Returns the CLI output.
 */
export function installExtension(vsix, { extensionsDir, userDataDir, home }) {
  const result = spawnSync(paths.codeServer, ['--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--install-extension', vsix, '--force'], { env: codeServerEnv(home), encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status}):\n${output}`);
  return output.trim();
}

/** Packages the extension folder into a .vsix with the project's @vscode/vsce. Returns the .vsix path. */
export function packageExtension(extensionDir, outDir) {
  mkdirSync(outDir, { recursive: true });
  const vsix = join(outDir, 'cache-coach.vsix');
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', vsix],
    { cwd: extensionDir, encoding: 'utf8', timeout: 180_000, input: 'y\n' });
  if (result.status !== 0 || !existsSync(vsix)) throw new Error(`vsce package failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return vsix;
}

/**
 * Starts code-server on 127.0.0.1:<free port> with fresh user-data, extensions and HOME/XDG dirs under `dir`.
 * opts: { dir, smokeTestDriver, settings, extensionsDir, port, bindHost, log, timeoutMs, extraArgs, env (passed on to the extension host) }
 * Returns { url, host, port, pid, dir, userDataDir, extensionsDir, home, logFile, stop() }.
 */
export async function startCodeServer(opts = {}) {
  const dir = opts.dir || tempDir('cache-coach-cs-');
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = opts.extensionsDir || join(dir, 'extensions');
  const home = join(dir, 'home');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...opts.settings }, null, 2));
  const logFile = join(dir, 'code-server.log');
  const log = opts.log || (() => {});
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);

  for (let attempt = 1; ; attempt++) {
    const port = opts.port || await freePort();
    // opts.bindHost: the address to listen on (127.0.0.1 unless asked; `npm start -- --host 0.0.0.0`)
    const bind = `${opts.bindHost || '127.0.0.1'}:${port}`;
    const host = opts.bindHost && opts.bindHost !== '127.0.0.1' ? `127.0.0.1:${port}` : bind;
    const out = createWriteStream(logFile, { flags: 'a' });
    await new Promise((resolve) => out.on('open', resolve));
    const args = ['--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--bind-addr', bind, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened',
      // the URL payload's extensionDevelopmentPath/extensionTestsPath are honoured only with the smoke-test driver on
      ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ...(opts.extraArgs || [])];
    // detached: code-server, its extension hosts, file watchers and language servers share one process group
    const child = spawn(paths.codeServer, args, { env: codeServerEnv(home, opts.env), detached: true, stdio: ['ignore', out, out] });
    let exited = null;
    liveGroups.add(child.pid);
    child.on('exit', (code, signal) => { exited = { code, signal }; });
    const stop = async () => {
      liveGroups.delete(child.pid);
      if (child.exitCode === null && child.signalCode === null) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch {}
        for (let i = 0; i < 30 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
      }
      try { process.kill(-child.pid, 'SIGKILL'); } catch {} // stragglers of the group (extension hosts live on otherwise)
      out.end();
    };
    log(`code-server pid ${child.pid} on http://${host} (log ${logFile})`);
    while (Date.now() < deadline && !exited) {
      try {
        const response = await fetch(`http://${host}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return { url: `http://${host}`, host, port, pid: child.pid, child, dir, userDataDir, extensionsDir, home, logFile, stop };
      } catch {}
      await sleep(200);
    }
    await stop();
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    if (exited && !opts.port && attempt < 3 && /EADDRINUSE/.test(tail)) continue; // lost the port race: take another
    throw new Error(`code-server did not answer /healthz (${exited ? `exited ${JSON.stringify(exited)}` : 'timed out'}):\n${tail}`);
  }
}

/** Launches Debian's Chromium (headless) with a fresh profile. Returns { context, page, close() }. */
export async function launchChromium({ dir, viewport = { width: 1400, height: 900 }, headless = true } = {}) {
  const ownDir = !dir;
  if (ownDir) dir = tempDir('cache-coach-chromium-');
  const { chromium } = require(join(ROOT, 'node_modules', 'playwright-core'));
  const profile = join(dir, 'chromium-profile');
  const home = join(dir, 'chromium-home');
  mkdirSync(profile, { recursive: true });
  mkdirSync(home, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: paths.chromium, headless, viewport, args: CHROMIUM_ARGS, timeout: 60_000,
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config') },
  });
  const page = context.pages()[0] || await context.newPage();
  const close = async () => {
    await Promise.race([context.close().catch(() => {}), sleep(10_000)]);
    removeDir(ownDir ? dir : profile);
  };
  return { context, page, close };
}

/** `vscode-remote://host/abs/path`: how the workbench names a path on the code-server machine. */
export function remoteUri(host, absolutePath) {
  return `vscode-remote://${host}${absolutePath}`;
}

/** The workbench URL for a folder, optionally with a smoke-test payload (extensionDevelopmentPath/extensionTestsPath). */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  let url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(server.host, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server.host, extensionTestsPath)]);
  if (payload.length) {
    payload.push(['skipWelcome', 'true']);
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

/** Removes a temp folder, never failing. */
export function removeDir(dir) {
  try { rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {}
}
