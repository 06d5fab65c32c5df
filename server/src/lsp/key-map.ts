/**
 * The key map over LSP (`cacheCoach/keyMap`) and what editors show of it: the filter, the code lenses above cache
 * writes, and the short texts for timeouts and expiry. Pure: no LSP connection, no VS Code, no file system, so the
 * VS Code client (client/src/key-view.ts) formats with the same functions as the server.
 */
import { mapKeySites, timeoutWithPath, type KeyEntry, type KeyEntryOf, type KeyMap, type KeySite, type Timeout } from '../engine/key-map.js';

/** Client → server: the project's key map. Params `KeyMapParams`, result `LspKeyMap`. */
export const KEY_MAP_REQUEST = 'cacheCoach/keyMap';
/** Server → client, no params: the map may have changed (sent after diagnostics are republished). */
export const KEY_MAP_CHANGED_NOTIFICATION = 'cacheCoach/keyMapChanged';
/** The client command a code lens runs: shows the key in the "Cache keys" view. Arguments: `[key, kind]`. */
export const REVEAL_KEY_COMMAND = 'cacheCoach.keys.reveal';

export interface KeyMapParams {
  /** Only the keys whose text, alias, sites' paths, problems or finding codes contain it (case-insensitive). */
  query?: string;
}

type WithUri<T extends { path: string }> = Omit<T, 'path'> & { uri: string };
export type LspKeySite = WithUri<KeySite>;
export type LspKeyFinding = WithUri<KeyEntry['findings'][number]>;
export type LspKeyEntry = KeyEntryOf<LspKeySite, LspKeyFinding>;
export interface LspKeyMap {
  version: 1;
  keys: LspKeyEntry[];
}

/**
 * The map as the LSP request answers it: every path a URI. `displayPath` shortens the "path:line" a default timeout
 * names (`settings/production.py:43`), which is text to read, not a place to open.
 */
export function toLspKeyMap(keys: readonly KeyEntry[], uriOf: (path: string) => string, displayPath: (path: string) => string = (path) => path): LspKeyMap {
  const site = ({ path, timeout, ...rest }: KeySite): LspKeySite => ({ ...rest, ...(timeout ? { timeout: timeoutWithPath(timeout, displayPath) } : {}), uri: uriOf(path) });
  return { version: 1, keys: mapKeySites(keys, site, ({ path, ...rest }) => ({ ...rest, uri: uriOf(path) })) };
}

/** The keys a query selects; `relative` turns a workspace path into the one the user sees (paths match on it). */
export function filterKeys(map: KeyMap, query: string | undefined, relative: (path: string) => string): KeyEntry[] {
  const wanted = query?.trim().toLowerCase();
  if (!wanted) return map.keys;
  return map.keys.filter((entry) => {
    const texts = [
      entry.key,
      entry.kind,
      entry.alias ?? '',
      ...entry.problems,
      ...entry.findings.map((finding) => finding.code),
      ...[...entry.writes, ...entry.reads, ...entry.invalidations, ...entry.findings].map((site) => relative(site.path)),
    ];
    return texts.some((text) => text.toLowerCase().includes(wanted));
  });
}

/** "45 s", "5 min", "1 h 30 min", "25 h", "2 days". */
export function durationText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return seconds % 60 === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds <= 48 * 3600 || seconds % 86400 !== 0) {
    const minutes = Math.floor((seconds % 3600) / 60);
    return `${Math.floor(seconds / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
  }
  return `${seconds / 86400} days`;
}

function shorten(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A write's timeout in a few words, for the view: "5 min", "None: never expires", "default (300 s, settings.py:12)". */
export function timeoutText(timeout: Timeout | undefined, language: KeyEntry['language'] = 'python'): string {
  if (!timeout) return '';
  switch (timeout.kind) {
    case 'seconds':
      return timeout.seconds <= 0 ? `${timeout.seconds}: not cached` : durationText(timeout.seconds);
    case 'never':
      return language === 'typescript' ? 'no TTL: never expires' : 'None: never expires';
    case 'default': {
      // No seconds but a source: the default itself is "no expiry" (`"TIMEOUT": None`).
      const value = timeout.seconds !== null ? durationText(timeout.seconds) : timeout.from ? 'None: never expires' : null;
      const details = [value, timeout.from].filter(Boolean);
      return details.length > 0 ? `default (${details.join(', ')})` : 'default timeout';
    }
    case 'unknown':
      return shorten(timeout.text);
  }
}

/** When one write's entry expires, as a lens says it: "expires in 5 min", "never expires". */
export function expiryText(timeout: Timeout | undefined): string {
  if (!timeout) return 'expiry unknown';
  switch (timeout.kind) {
    case 'seconds':
      return timeout.seconds <= 0 ? 'expires at once (timeout 0)' : `expires in ${durationText(timeout.seconds)}`;
    case 'never':
      return 'never expires';
    case 'default':
      if (timeout.seconds !== null) return `expires in ${durationText(timeout.seconds)} (default)`;
      return timeout.from ? 'never expires (default TIMEOUT None)' : 'expires after the default timeout';
    case 'unknown':
      return `expires after ${shorten(timeout.text, 30)}`;
  }
}

/** The whole key's expiry, over all its writes: "expires in 5 min", "expires in 1 min to 1 h", "never expires". */
export function keyExpiryText(entry: Pick<KeyEntry, 'expires'> & { writes: readonly { timeout?: Timeout }[] }): string {
  if (entry.expires === 'never') return 'never expires';
  if (entry.expires === 'sometimes') return 'sometimes never expires';
  const seconds = entry.writes.flatMap((write) => (write.timeout?.kind === 'seconds' || (write.timeout?.kind === 'default' && write.timeout.seconds !== null) ? [write.timeout.seconds as number] : []));
  if (entry.expires === 'unknown' || seconds.length === 0) return entry.writes.length === 0 ? 'no write found' : 'expiry unknown';
  const low = Math.min(...seconds);
  const high = Math.max(...seconds);
  return low === high ? `expires in ${durationText(low)}` : `expires in ${durationText(low)} to ${durationText(high)}`;
}

/** The view's one-line summary of a key: "default · expires in 5 min · never invalidated". */
export function keySummary(entry: KeyEntry | LspKeyEntry): string {
  const parts = [entry.alias ?? '', keyExpiryText(entry)];
  if (entry.kind !== 'page' && !entry.invalidated) parts.push('never invalidated');
  if (entry.problems.includes('per-user-leak')) parts.push(entry.kind === 'page' ? 'per-user page' : 'shared between users');
  if (entry.problems.includes('collision')) parts.push('name collision');
  return parts.filter(Boolean).join(' · ');
}

export interface KeyLens {
  /** 1-based, the write's first line and column. */
  line: number;
  column: number;
  title: string;
  key: string;
  kind: KeyEntry['kind'];
}

/**
 * The lenses of one file: one above each cache write (`set`, `get_or_set`, `{% cache %}`, `cache_page` …) of a key
 * the map knows. `fileName` names another file as the lens shows it ("signals.py").
 */
export function keyLenses(keys: readonly KeyEntry[], path: string, fileName: (path: string) => string): KeyLens[] {
  const lenses: KeyLens[] = [];
  for (const entry of keys) {
    for (const write of entry.writes) {
      if (write.path !== path) continue;
      lenses.push({ line: write.line, column: write.column, key: entry.key, kind: entry.kind, title: lensTitle(entry, write, path, fileName) });
    }
  }
  return lenses.sort((a, b) => a.line - b.line || a.column - b.column || a.key.localeCompare(b.key));
}

function lensTitle(entry: KeyEntry, write: KeySite, path: string, fileName: (path: string) => string): string {
  const parts = [expiryText(write.timeout)];
  if (entry.kind === 'page') {
    const vary = write.vary ?? [];
    if (entry.problems.includes('per-user-leak')) parts.push('per-user page: not varied on Cookie');
    else if (vary.some((header) => header.toLowerCase() === 'cookie')) parts.push(`per-user page: varies on ${vary.join(', ')}`);
    else if (vary.length > 0) parts.push(`varies on ${vary.join(', ')}`);
  } else {
    const first = entry.invalidations[0];
    if (!first) parts.push(entry.invalidated ? 'invalidated' : 'never invalidated');
    else {
      const where = first.path === path ? `on line ${first.line}` : `in ${fileName(first.path)}:${first.line}`;
      const more = entry.invalidations.length - 1;
      parts.push(`invalidated ${where}${more > 0 ? ` (+${more} more)` : ''}`);
    }
    if (entry.problems.includes('per-user-leak')) parts.push('shared between users');
  }
  if (entry.problems.includes('collision')) parts.push('name used elsewhere');
  return parts.join(' · ');
}
