/** Runs the engine on in-memory projects, the way the CLI and the server do on disk. */
import { DEFAULT_CONFIG, mergeConfig, type CacheCoachConfig } from '../../server/src/analysis/config.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import { applyEdits } from '../../server/src/analysis/text.js';
import type { Finding } from '../../server/src/analysis/types.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';

export type Files = Record<string, string>;

export async function workspaceOf(files: Files, config: Partial<CacheCoachConfig> = {}): Promise<Workspace> {
  const merged = mergeConfig(DEFAULT_CONFIG, config);
  return Workspace.create({
    wasm: loadPythonWasm(),
    source: { read: (path) => files[path] },
    paths: Object.keys(files),
    configFor: () => merged,
    loadTypeScript,
  });
}

export async function findingsOf(files: Files, config: Partial<CacheCoachConfig> = {}): Promise<Finding[]> {
  return (await workspaceOf(files, config)).check();
}

/** Findings of one rule, as `path:line` (1-based) strings, for readable assertions. */
export async function flagged(code: string, files: Files, config: Partial<CacheCoachConfig> = {}): Promise<string[]> {
  return (await findingsOf(files, config)).filter((finding) => finding.code === code).map((finding) => `${finding.path}:${finding.range.start.line + 1}`);
}

/** The text of the underlined span of each finding of `code`. */
export async function spans(code: string, files: Files): Promise<string[]> {
  const findings = (await findingsOf(files)).filter((finding) => finding.code === code);
  return findings.map((finding) => {
    const lines = files[finding.path].split('\n');
    const { start, end } = finding.range;
    if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
    return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
  });
}

/** A file's text after applying the first fix of each finding of `code` (or the fix titled `title`). */
export async function fixed(code: string, files: Files, path: string, title?: string): Promise<string> {
  const findings = (await findingsOf(files)).filter((finding) => finding.code === code && finding.path === path);
  const edits = findings.flatMap((finding) => (title ? finding.fixes.find((fix) => fix.title === title) : finding.fixes[0])?.edits ?? []);
  return applyEdits(files[path], edits);
}

/** Python source with the common indentation of a template literal removed. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((line) => line.trim()).map((line) => /^ */.exec(line)![0].length));
  return text.split('\n').map((line) => line.slice(indent)).join('\n');
}
