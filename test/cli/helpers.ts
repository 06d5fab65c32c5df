/** Runs the built CLI (dist/cli.js) the way users do. `npm test` builds it first. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const SAMPLE_PROJECT = join(ROOT, 'test', 'fixtures', 'sample-project');

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A throw-away copy of a fixture folder (for --fix and config tests). */
export function copyOf(fixture: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-'));
  cpSync(fixture, dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
