/**
 * Shared by the integration tests (pre-commit, Neovim, npm pack, SARIF): paths, child processes, and
 * Debian packages the tests install themselves when they run as root.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const SERVER = join(ROOT, 'dist', 'server.js');
export const SAMPLE_PROJECT = join(ROOT, 'test', 'fixtures', 'sample-project');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; never throws for a non-zero exit (the caller asserts). */
export function run(command: string, args: string[], options: SpawnSyncOptions & { timeout?: number } = {}): Run {
  const started = Date.now();
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error && (result.error as NodeJS.ErrnoException).code !== 'ENOENT') throw result.error;
  return {
    status: result.error ? null : result.status,
    stdout: String(result.stdout ?? ''),
    stderr: result.error ? String(result.error.message) : String(result.stderr ?? ''),
    ms: Date.now() - started,
  };
}

/** `what` with its output, for assertion messages. */
export function describeRun(what: string, result: Run): string {
  return `${what} exited ${result.status} after ${result.ms} ms\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-6000)}`;
}

/** A fresh temporary folder and its removal. */
export function temporaryFolder(prefix: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), `cache-coach-${prefix}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies `relativePaths` of the sample project into `target`, keeping their folders. */
export function copySampleFiles(target: string, relativePaths: string[]): void {
  for (const path of relativePaths) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    cpSync(join(SAMPLE_PROJECT, path), join(target, path));
  }
}

export function findExecutable(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder && existsSync(join(folder, name))) return join(folder, name);
  }
  return undefined;
}

export interface Expected {
  code: string;
  path: string;
  line: number;
}

/** The findings the sample project must produce (code, path, line), in the CLI's order. */
export function expectedSampleFindings(): Expected[] {
  const expected = JSON.parse(readFileSync(join(ROOT, 'test', 'sample-project.expected.json'), 'utf8')) as Expected[];
  return expected.map(({ code, path, line }) => ({ code, path, line }));
}

export type Availability = { ok: true; path: string; note?: string } | { ok: false; reason: string };

/**
 * Finds `command`, installing Debian's `debianPackage` with apt-get when it is missing and we are
 * root (as on CI). Runs `apt-get update` only when the package is not known yet. Returns why not
 * when it cannot be had, for `t.skip(reason)`.
 */
export function ensureDebianCommand(command: string, debianPackage: string): Availability {
  const present = findExecutable(command);
  if (present) return { ok: true, path: present };
  const manual = `sudo apt-get update && sudo apt-get install -y ${debianPackage}`;
  if (!existsSync('/usr/bin/apt-get')) return { ok: false, reason: `\`${command}\` is not installed and this is not a Debian-like system (no apt-get); install ${debianPackage} to run this test` };
  if (process.getuid?.() !== 0) return { ok: false, reason: `\`${command}\` is not installed; run: ${manual}` };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another test file may be installing at the same moment: wait for dpkg's lock instead of failing.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  const install = (): Run => run('apt-get', [...lockWait, 'install', '-y', '-qq', '--no-install-recommends', debianPackage], { env, timeout: 600_000 });
  let attempt = install();
  for (let tries = 0; attempt.status !== 0 && tries < 3; tries++) {
    const update = run('apt-get', [...lockWait, 'update', '-qq'], { env, timeout: 600_000 });
    if (update.status !== 0) spawnSync('sleep', ['5']);
    attempt = install();
  }
  const installed = findExecutable(command);
  if (installed) return { ok: true, path: installed, note: `installed ${debianPackage} with apt-get in ${attempt.ms} ms` };
  return { ok: false, reason: `could not install ${debianPackage} with apt-get (${attempt.stderr.trim().split('\n').pop() ?? `exit ${attempt.status}`}); run: ${manual}` };
}

/** The built CLI and server must exist: `npm test` builds them first (`npm run build`). */
export function assertBuilt(): void {
  for (const file of [CLI, SERVER]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  }
}
