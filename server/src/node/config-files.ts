/** Finds each file's `[tool.cache-coach]` the way Ruff finds its config: the nearest pyproject.toml with the table. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CONFIG, mergeConfig, parsePyprojectConfig, type CacheCoachConfig } from '../analysis/config.js';
import { RULE_CODES } from '../rules/index.js';

export class ConfigFinder {
  private readonly byDirectory = new Map<string, CacheCoachConfig>();

  constructor(
    private readonly cwd: string,
    private readonly overrides: Partial<CacheCoachConfig> = {},
  ) {}

  /** The configuration for a file (path relative to cwd). Throws ConfigError for a malformed pyproject.toml. */
  configFor(path: string): CacheCoachConfig {
    return this.forDirectory(dirname(resolve(this.cwd, path)));
  }

  private forDirectory(directory: string): CacheCoachConfig {
    const cached = this.byDirectory.get(directory);
    if (cached) return cached;
    let config: CacheCoachConfig | undefined;
    const file = join(directory, 'pyproject.toml');
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    const found = text === undefined ? null : parsePyprojectConfig(text, file, RULE_CODES);
    if (found) config = mergeConfig(DEFAULT_CONFIG, found, this.overrides);
    else {
      const parent = dirname(directory);
      config = parent === directory ? mergeConfig(DEFAULT_CONFIG, this.overrides) : this.forDirectory(parent);
    }
    this.byDirectory.set(directory, config);
    return config;
  }
}
