/**
 * `[tool.cache-coach]` lookup over '/'-separated paths and a text reader: the same walk as node/config-files.ts
 * (the nearest pyproject.toml with the table wins, as Ruff does), without the file system, for the browser server.
 */
import { DEFAULT_CONFIG, mergeConfig, parsePyprojectConfig, type CacheCoachConfig } from '../analysis/config.js';
import { RULE_CODES } from '../rules/index.js';

/** What the server needs of a config finder (node/config-files.ts ConfigFinder is one). */
export interface ConfigSource {
  /** The configuration for a file. Throws ConfigError for a malformed pyproject.toml. */
  configFor(path: string): CacheCoachConfig;
}

function parentOf(directory: string): string {
  const slash = directory.lastIndexOf('/');
  return slash <= 0 ? '/' : directory.slice(0, slash);
}

export class TextConfigFinder implements ConfigSource {
  private readonly byDirectory = new Map<string, CacheCoachConfig>();

  /** `read` returns a file's text, or undefined when there is no such file. */
  constructor(private readonly read: (path: string) => string | undefined) {}

  configFor(path: string): CacheCoachConfig {
    return this.forDirectory(parentOf(path.startsWith('/') ? path : `/${path}`));
  }

  private forDirectory(directory: string): CacheCoachConfig {
    const cached = this.byDirectory.get(directory);
    if (cached) return cached;
    const file = directory === '/' ? '/pyproject.toml' : `${directory}/pyproject.toml`;
    const text = this.read(file);
    const found = text === undefined ? null : parsePyprojectConfig(text, file, RULE_CODES);
    let config: CacheCoachConfig;
    if (found) config = mergeConfig(DEFAULT_CONFIG, found);
    else config = directory === '/' ? mergeConfig(DEFAULT_CONFIG) : this.forDirectory(parentOf(directory));
    this.byDirectory.set(directory, config);
    return config;
  }
}
