// `npm start`: builds Cache Coach and opens it in a real VS Code (code-server, VS Code 1.139) on a fresh copy of the
// bundled sample Django project, made at each start under .cache/start/sample-project (so quick fixes you save
// never change the tracked fixture test/fixtures/sample-project). Prints the URL; Ctrl+C stops code-server and
// everything it started (its whole process group).
//
// The extension is linked, not copied: <extensions dir>/cache-coach.cache-coach-<version> -> this repo. After a
// rebuild (`npm run build`), run "Developer: Reload Window" in the browser to pick it up.
// `--install vsix` instead packages with `vsce package --no-dependencies` and runs `code-server --install-extension`.
//
// usage: npm start [-- --port 8080] [-- --host 0.0.0.0] [-- --install vsix] [-- --folder DIR] [-- --dry-run]
//   --host     the address code-server listens on (default 127.0.0.1; code-server runs without a password,
//              so anyone who can reach another address can use this machine: prefer an SSH tunnel)
//   --folder   open DIR itself instead of a fresh copy of the sample project
//   --dry-run  prepare the folder, print what would be opened, and stop (no build, no code-server)
//   env CACHE_COACH_E2E_CACHE: where setup keeps Node 24 and code-server (default .cache/vscode-e2e)
//   env CACHE_COACH_START_DIR: where the sample project copy goes (default .cache/start)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' }, install: { type: 'string' }, folder: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
const method = values.install || 'symlink';
const bindHost = values.host || '127.0.0.1';

/** A fresh copy of the sample project (the previous copy, and what was changed in it, is replaced). */
function freshSampleProject() {
  const base = resolve(process.env.CACHE_COACH_START_DIR || join(root, '.cache', 'start'));
  const copy = join(base, 'sample-project');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'sample-project'), copy, { recursive: true });
  return copy;
}

const folder = values.folder ? resolve(values.folder) : freshSampleProject();
if (values['dry-run']) {
  console.log(`[start] folder: ${folder}`);
  console.log(`[start] listen: ${bindHost}:${values.port || 8080}`);
  process.exit(0);
}

const { ensureSetup } = await import('../e2e/setup.mjs');
const { exitOnSignals, freePort, removeDir, startCodeServer, tempDir } = await import('../e2e/code-server.mjs');
const { provideExtension } = await import('../e2e/ui.mjs');

console.log('[start] building (node esbuild.config.mjs) ...');
if (spawnSync(process.execPath, [join(root, 'esbuild.config.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

try {
  ensureSetup();
} catch (error) {
  console.error(`[start] ${error.message}`);
  process.exit(1);
}

const dir = tempDir('cache-coach-start-');
let server;
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping code-server (process group) ...');
  if (server) await server.stop();
  removeDir(dir);
};
exitOnSignals(shutdown);

async function pickPort() {
  if (values.port) return Number(values.port);
  // 8080 when it is free (a stable URL to keep open), another free port otherwise
  const probe = await fetch('http://127.0.0.1:8080/healthz', { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
  return probe ? freePort() : 8080;
}

try {
  const extensionsDir = join(dir, 'extensions');
  provideExtension({ extensionDir: root, extensionsDir, method, workDir: dir, server: { userDataDir: join(dir, 'user-data'), home: join(dir, 'home') }, log: (m) => console.log(`[start] ${m}`) });
  server = await startCodeServer({ dir, extensionsDir, port: await pickPort(), bindHost, timeoutMs: 60_000, settings: { 'workbench.startupEditor': 'none' } });
} catch (error) {
  console.error(`[start] ${error.message}`);
  await shutdown();
  process.exit(1);
}

const query = `/?folder=${encodeURIComponent(folder)}`;
const url = `${server.url}${query}`;
const remote = bindHost === '127.0.0.1' || bindHost === 'localhost'
  ? `From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} <you>@${hostname()} there, then open the same URL.`
  : `Listening on ${bindHost}:${server.port} with no password: http://${bindHost === '0.0.0.0' ? hostname() : bindHost}:${server.port}${query}`;
console.log(`
Cache Coach (${method === 'vsix' ? 'installed from a .vsix' : `linked from ${root}`}) in code-server on ${values.folder ? folder : `a fresh copy of the sample project (${folder})`}:

    ${url}

Open it in a browser, then open catalog/views.py.
${remote}
code-server log: ${server.logFile}
Ctrl+C stops everything.`);
if (!existsSync(folder)) console.warn(`[start] warning: ${folder} does not exist`);

server.child.on('exit', async (code, signal) => {
  if (stopping) return;
  console.error(`[start] code-server exited (${signal || code}); log: ${server.logFile}`);
  await shutdown();
  process.exit(1);
});
