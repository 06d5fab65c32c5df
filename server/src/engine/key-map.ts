/**
 * STAND-IN until the `keys` branch lands: the contract's types (labels/KEYMAP-CONTRACT.md) and an empty map, so
 * the LSP and the editor can be built against them. Dropped in favour of the real file when `keys` is merged.
 */
import type { Workspace } from '../analysis/engine.js';

export interface KeyMap {
  keys: KeyEntry[];
}
export interface KeyEntry {
  key: string;
  kind: 'key' | 'fragment' | 'page';
  language: 'python' | 'template' | 'typescript';
  alias: string | null;
  expires: 'never' | 'always' | 'sometimes' | 'unknown';
  invalidated: boolean;
  problems: ('never-invalidated' | 'per-user-leak' | 'collision')[];
  writes: KeySite[];
  reads: KeySite[];
  invalidations: KeySite[];
  findings: { code: string; severity: 'error' | 'warning' | 'info'; message: string; path: string; line: number; column: number }[];
}
export interface KeySite {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  method: string;
  timeout?: Timeout;
  how?: string;
}
export type Timeout =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'never' }
  | { kind: 'default'; seconds: number | null; from: string | null }
  | { kind: 'unknown'; text: string };

export function buildKeyMap(workspace: Workspace, options?: { paths?: string[] }): KeyMap {
  void workspace;
  void options;
  return { keys: [] };
}
