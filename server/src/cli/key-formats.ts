/** `cache-coach keys` output: JSON (a contract, like check's) and text (one block per key, problem keys first). */
import type { LineIndex } from '../analysis/text.js';
import { mapKeySites, type KeyEntry, type KeyFinding, type KeyMap, type KeySite, type Timeout } from '../engine/key-map.js';

export const KEYS_JSON_VERSION = 1;

/** The map as the CLI prints it: columns in Unicode code points (the engine counts UTF-16 units), like check's. */
export function toCliKeyMap(map: KeyMap, linesOf: (path: string) => LineIndex): KeyMap {
  const column = (path: string, line: number, character: number): number => linesOf(path).codePointColumn({ line: line - 1, character: character - 1 }) + 1;
  const site = (item: KeySite): KeySite => ({ ...item, column: column(item.path, item.line, item.column), endColumn: column(item.path, item.endLine, item.endColumn) });
  const finding = (item: KeyFinding): KeyFinding => ({ ...item, column: column(item.path, item.line, item.column) });
  return { keys: mapKeySites(map.keys, site, finding) };
}

export function formatKeysJson(map: KeyMap): string {
  return `${JSON.stringify({ version: KEYS_JSON_VERSION, keys: map.keys }, null, 2)}\n`;
}

export function formatKeysText(map: KeyMap): string {
  return map.keys.map((entry) => keyBlock(entry)).join('\n');
}

const PROBLEM_LABEL: Record<string, string> = { 'never-invalidated': 'stale until evicted', 'per-user-leak': 'per-user leak', collision: 'fragment name collision' };

const EXPIRES_LABEL: Record<KeyEntry['expires'], string> = {
  never: 'never expires',
  always: 'expires',
  sometimes: 'some writes never expire',
  unknown: 'expiry unknown',
};

function keyBlock(entry: KeyEntry): string {
  const label = entry.kind === 'key' ? entry.key : `${entry.kind} ${entry.key}`;
  // A cached page is only ever dropped by its timeout: "never invalidated" would say nothing about it.
  const invalidation = entry.kind === 'page' && !entry.invalidated ? '' : ` · ${entry.invalidated ? 'invalidated' : 'never invalidated'}`;
  const facts = entry.writes.length > 0 ? `${EXPIRES_LABEL[entry.expires]}${invalidation}` : entry.invalidated ? 'invalidated, not written here' : 'read, not written here';
  const problems = entry.problems.length > 0 ? `  ! ${entry.problems.map((problem) => PROBLEM_LABEL[problem]).join(', ')}` : '';
  const lines = [`${label}  [${entry.alias ?? '?'}]  ${facts}${problems}`];
  for (const write of entry.writes) lines.push(siteLine('write', write, [timeoutText(write.timeout, entry.language), write.vary && write.vary.length > 0 ? `vary ${write.vary.join(', ')}` : write.vary ? 'no vary' : '']));
  for (const read of entry.reads) lines.push(siteLine('read', read, []));
  for (const invalidation of entry.invalidations) lines.push(siteLine('invalidate', invalidation, [invalidation.how && invalidation.how !== invalidation.method ? `(${invalidation.how})` : '']));
  for (const finding of entry.findings) lines.push(`  ${'finding'.padEnd(10)}  ${finding.path}:${finding.line}:${finding.column}  ${finding.code} ${finding.message}`);
  return `${lines.join('\n')}\n`;
}

function siteLine(what: string, site: KeySite, extra: string[]): string {
  return `  ${what.padEnd(10)}  ${site.path}:${site.line}  ${[site.method, ...extra.filter(Boolean)].join('  ')}`;
}

function timeoutText(timeout: Timeout | undefined, language: KeyEntry['language']): string {
  if (!timeout) return '';
  switch (timeout.kind) {
    case 'seconds':
      return `timeout ${duration(timeout.seconds)}`;
    case 'never':
      return language === 'typescript' ? 'no TTL' : 'timeout None';
    case 'default': {
      const value = timeout.seconds === null ? (timeout.from ? 'None' : 'unknown') : duration(timeout.seconds);
      return `default timeout ${value}${timeout.from ? ` (${timeout.from})` : ''}`;
    }
    case 'unknown':
      return `timeout ${timeout.text}`;
  }
}

/** `3600` -> `3600 s (1 h)`; `45` -> `45 s`. */
function duration(seconds: number): string {
  const human = seconds >= 3600 && seconds % 60 === 0 ? `${+(seconds / 3600).toFixed(2)} h` : seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : '';
  return human ? `${seconds} s (${human})` : `${seconds} s`;
}
