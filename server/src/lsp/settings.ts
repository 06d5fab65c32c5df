/**
 * The configuration in force for a document: `cacheCoach.*` editor settings the user set explicitly,
 * merged over `[tool.cache-coach]` from the nearest pyproject.toml.
 */
import { ConfigError, DEFAULT_CONFIG, mergeConfig, validateConfig, type CacheCoachConfig } from '../analysis/config.js';
import { RULE_CODES } from '../rules/index.js';
import type { ConfigSource } from './config-finder.js';

/** The `cacheCoach` section as the client sends it; null means "not set" (pyproject decides). */
export interface EditorSettings {
  enable?: boolean;
  run?: 'onType' | 'onSave';
  select?: string[] | null;
  ignore?: string[] | null;
  severity?: Record<string, string> | null;
  productionSettings?: string[] | null;
  exclude?: string[] | null;
  defaultTimeout?: number | null;
  codeLens?: { enable?: boolean } | null;
}

export interface DocumentSettings {
  enable: boolean;
  run: 'onType' | 'onSave';
  config: CacheCoachConfig;
  /** Code lenses above cache writes (`cacheCoach.codeLens.enable`, off by default). */
  codeLens: boolean;
}

/** A problem in the configuration; `error` is there when a pyproject.toml is at fault (its file and position). */
export type ProblemReporter = (problem: string, error?: ConfigError) => void;

/** Merges editor settings over the pyproject configuration; problems are reported, never thrown. */
export function resolveSettings(path: string, editor: EditorSettings | null | undefined, finder: ConfigSource, report: ProblemReporter): DocumentSettings {
  let config = DEFAULT_CONFIG;
  try {
    config = finder.configFor(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report(`Cache Coach: ${error.file}: ${error.problems.join('; ')}. Using the defaults for that project until it is fixed.`, error);
  }
  const explicit: Record<string, unknown> = {};
  for (const key of ['select', 'ignore', 'severity', 'productionSettings', 'exclude', 'defaultTimeout'] as const) {
    const value = editor?.[key];
    if (value !== null && value !== undefined) explicit[key] = value;
  }
  try {
    config = mergeConfig(config, validateConfig(explicit, 'settings', RULE_CODES, 'cacheCoach.'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report(`Cache Coach: editor settings: ${error.problems.join('; ')}. Those settings are ignored until fixed.`);
  }
  return { enable: editor?.enable !== false, run: editor?.run === 'onSave' ? 'onSave' : 'onType', config, codeLens: editor?.codeLens?.enable === true };
}
