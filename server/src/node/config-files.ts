/** Finds each file's `[tool.cache-coach]` the way Ruff finds its config: the nearest pyproject.toml with the table. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CONFIG, mergeConfig, parsePyprojectConfig, type CacheCoachConfig } from '../analysis/config.js';
import { RULE_CODES } from '../rules/index.js';

export class ConfigFinder {
  private readonly byDirectory = new Map<string, CacheCoachConfig>();
  /** Directory -> the directory holding the pyproject.toml whose table is in force there (null: none). */
  private readonly rootByDirectory = new Map<string, string | null>();
  /** Folders a walk listed, and whether one of their entries is named pyproject.toml (useListing). */
  private listing: ReadonlyMap<string, boolean> | undefined;
  /** A folder's absolute path, by the folder part of the paths asked for (every file is asked several times per run). */
  private readonly absoluteByFolder = new Map<string, string>();

  constructor(
    private readonly cwd: string,
    private readonly overrides: Partial<CacheCoachConfig> = {},
  ) {}

  /** The configuration for a file (path relative to cwd). Throws ConfigError for a malformed pyproject.toml. */
  configFor(path: string): CacheCoachConfig {
    return this.forDirectory(this.directoryOf(path));
  }

  /**
   * What a walk of the project saw (WalkResult.listedFolders): a folder it listed without a pyproject.toml is not
   * asked about again. For a single run (the CLI), where no file appears after the walk.
   */
  useListing(listedFolders: ReadonlyMap<string, boolean>): void {
    this.listing = listedFolders;
  }

  /** The absolute folder holding the `[tool.cache-coach]` table in force for a file, if there is one. */
  configRootFor(path: string): string | undefined {
    this.configFor(path);
    return this.rootByDirectory.get(this.directoryOf(path)) ?? undefined;
  }

  /** The file's absolute folder: resolved once per folder, since resolving a path costs more than the lookup it serves. */
  private directoryOf(path: string): string {
    const folder = dirname(path);
    let directory = this.absoluteByFolder.get(folder);
    if (directory === undefined) this.absoluteByFolder.set(folder, (directory = resolve(this.cwd, folder)));
    return directory;
  }

  private forDirectory(directory: string): CacheCoachConfig {
    const cached = this.byDirectory.get(directory);
    if (cached) return cached;
    let config: CacheCoachConfig | undefined;
    const file = join(directory, 'pyproject.toml');
    let text: string | undefined;
    // Most folders have none: asking first is several times cheaper than a read that throws, and not asking
    // about a folder the walk listed cheaper still.
    if (this.listing?.get(directory) !== false && existsSync(file)) {
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = undefined;
      }
    }
    const found = text === undefined ? null : parsePyprojectConfig(text, file, RULE_CODES);
    if (found) {
      config = mergeConfig(DEFAULT_CONFIG, found, this.overrides);
      this.rootByDirectory.set(directory, directory);
    } else {
      const parent = dirname(directory);
      config = parent === directory ? mergeConfig(DEFAULT_CONFIG, this.overrides) : this.forDirectory(parent);
      this.rootByDirectory.set(directory, parent === directory ? null : (this.rootByDirectory.get(parent) ?? null));
    }
    this.byDirectory.set(directory, config);
    return config;
  }
}
