/**
 * `[tool.cache-coach]` in pyproject.toml, validated. Pure: TOML text in, configuration or problems out.
 * Every problem names the key, so the CLI and the editor can say exactly what is wrong.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Severity } from './types.js';

export type SeveritySetting = Severity | 'off';

export interface CacheCoachConfig {
  select: string[];
  ignore: string[];
  severity: Record<string, SeveritySetting>;
  productionSettings: string[];
  devSettings: string[];
  exclude: string[];
  defaultTimeout: number;
  userVariables: string[];
  maxFileSize: number;
}

export const DEFAULT_CONFIG: CacheCoachConfig = {
  select: [],
  ignore: [],
  severity: {},
  productionSettings: [],
  devSettings: [],
  exclude: [],
  defaultTimeout: 300,
  userVariables: [],
  maxFileSize: 2 * 1024 * 1024,
};

/** Where in its file a configuration problem is: 1-based line and column. */
export interface ConfigPosition {
  line: number;
  column: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
    /** The TOML parser's error position, or the `[tool.cache-coach]` table's header for a bad value; absent for editor settings. */
    readonly position?: ConfigPosition,
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

const CODE_OR_PREFIX = /^CACHE\d{0,3}$/;

/** A value as the user wrote it in TOML (or JSON settings): strings quoted, numbers and booleans bare. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value === null || value === undefined) return String(value);
  return 'a table';
}

/**
 * Reads the `[tool.cache-coach]` table of a pyproject.toml text. Returns null when the file has no such
 * table (the search for a config goes on upwards); throws ConfigError for malformed TOML or bad values.
 */
export function parsePyprojectConfig(text: string, file: string, knownCodes: ReadonlySet<string>): Partial<CacheCoachConfig> | null {
  // A pyproject.toml that never names the table cannot configure us, whatever else is wrong with it: a
  // cookiecutter template (`name = "{{ cookiecutter.slug }}"`) deep in a project must not stop the run.
  if (!text.includes('cache-coach')) return null;
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const message = (error instanceof Error ? error.message.split('\n')[0] : String(error)).replace(/^Invalid TOML document:\s*/, '');
    const position = error instanceof TomlError && error.line > 0 ? { line: error.line, column: error.column } : undefined;
    throw new ConfigError(file, [`not valid TOML${position ? ` at line ${position.line}, column ${position.column}` : ''}: ${message}`], position);
  }
  const tool = document.tool;
  if (tool === undefined || typeof tool !== 'object' || tool === null || !('cache-coach' in tool)) return null;
  const table = (tool as Record<string, unknown>)['cache-coach'];
  const header = tableHeaderPosition(text);
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new ConfigError(file, ['[tool.cache-coach] must be a table'], header);
  }
  try {
    return validateConfig(table as Record<string, unknown>, file, knownCodes, 'tool.cache-coach.');
  } catch (error) {
    if (error instanceof ConfigError && header) throw new ConfigError(error.file, error.problems, header);
    throw error;
  }
}

/** The first line that opens the `[tool.cache-coach]` table (or a sub-table of it), 1-based. */
function tableHeaderPosition(text: string): ConfigPosition | undefined {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => /^\s*\[\s*tool\s*\.\s*(?:"cache-coach"|'cache-coach'|cache-coach)\s*[\].]/.test(line));
  return index < 0 ? undefined : { line: index + 1, column: lines[index].search(/\S/) + 1 };
}

/** Validates a config object (from TOML or from editor settings); throws ConfigError listing every problem. */
export function validateConfig(
  raw: Record<string, unknown>,
  file: string,
  knownCodes: ReadonlySet<string>,
  keyPrefix = '',
): Partial<CacheCoachConfig> {
  const problems: string[] = [];
  const config: Partial<CacheCoachConfig> = {};
  const isKnownCodeOrPrefix = (code: string): boolean =>
    CODE_OR_PREFIX.test(code) && (knownCodes.has(code) || [...knownCodes].some((known) => known.startsWith(code)));
  const codeList = (key: string, value: unknown): string[] | undefined => {
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      problems.push(`${keyPrefix}${key} must be a list of rule codes, e.g. ["CACHE001"]`);
      return undefined;
    }
    const codes = value.map((code: string) => code.trim().toUpperCase());
    const unknown = codes.filter((code) => !isKnownCodeOrPrefix(code));
    if (unknown.length > 0) problems.push(`${keyPrefix}${key}: unknown rule code ${unknown.map((code) => `"${code}"`).join(', ')}`);
    return codes;
  };
  const stringList = (key: string, value: unknown): string[] | undefined => {
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      problems.push(`${keyPrefix}${key} must be a list of strings`);
      return undefined;
    }
    return value as string[];
  };
  const positiveInteger = (key: string, value: unknown): number | undefined => {
    if (typeof value === 'bigint') value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      problems.push(`${keyPrefix}${key} must be a positive whole number, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'select':
        config.select = codeList(key, value);
        break;
      case 'ignore':
        config.ignore = codeList(key, value);
        break;
      case 'severity': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push(`${keyPrefix}severity must be a table of CODE = "error" | "warning" | "info" | "off"`);
          break;
        }
        const severity: Record<string, SeveritySetting> = {};
        for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
          const upper = code.toUpperCase();
          if (!knownCodes.has(upper)) problems.push(`${keyPrefix}severity: unknown rule code "${code}"`);
          else if (level !== 'error' && level !== 'warning' && level !== 'info' && level !== 'off') {
            problems.push(`${keyPrefix}severity.${code} must be "error", "warning", "info" or "off", got ${describeValue(level)}`);
          } else severity[upper] = level;
        }
        config.severity = severity;
        break;
      }
      case 'production-settings':
      case 'productionSettings':
        config.productionSettings = stringList(key, value);
        break;
      case 'dev-settings':
      case 'devSettings':
        config.devSettings = stringList(key, value);
        break;
      case 'exclude':
        config.exclude = stringList(key, value);
        break;
      case 'user-variables':
      case 'userVariables':
        config.userVariables = stringList(key, value);
        break;
      case 'default-timeout':
      case 'defaultTimeout':
        config.defaultTimeout = positiveInteger(key, value);
        break;
      case 'max-file-size':
      case 'maxFileSize':
        config.maxFileSize = positiveInteger(key, value);
        break;
      default:
        problems.push(`unknown key ${keyPrefix}${key}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  for (const key of Object.keys(config) as (keyof CacheCoachConfig)[]) if (config[key] === undefined) delete config[key];
  return config;
}

export function mergeConfig(base: CacheCoachConfig, ...overrides: Partial<CacheCoachConfig>[]): CacheCoachConfig {
  const merged = { ...base };
  for (const override of overrides) Object.assign(merged, override);
  return merged;
}

/** Whether a rule runs under a configuration (select/ignore take codes or prefixes; severity "off" disables). */
export function isRuleEnabled(code: string, config: CacheCoachConfig): boolean {
  const matches = (pattern: string): boolean => code.startsWith(pattern);
  if (config.select.length > 0 && !config.select.some(matches)) return false;
  if (config.ignore.some(matches)) return false;
  return config.severity[code] !== 'off';
}
