/** `cache-coach`: the command-line adapter over the engine. Output formats and exit codes are contracts. */
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import packageJson from '../../package.json';
import { ConfigError, type CacheCoachConfig } from './analysis/config.js';
import { fixAllEdits } from './engine/fix-all.js';
import { Workspace } from './engine/workspace.js';
import { LineIndex, applyEdits } from './analysis/text.js';
import type { Finding } from './analysis/types.js';
import { formatGithub, formatJson, formatSarif, formatText, toCliFinding } from './cli/formats.js';
import { formatKeysJson, formatKeysText, toCliKeyMap } from './cli/key-formats.js';
import { buildKeyMap } from './engine/key-map.js';
import { ruleDocsText } from './cli/rule-docs.js';
import { ConfigFinder } from './node/config-files.js';
import { projectRootOf, readSourceFile, toPosix, walkWorkspace } from './node/files.js';
import { loadTypeScript } from './node/typescript.js';
import { loadPythonWasm } from './node/wasm.js';
import { RULE_CODES, ruleByCode } from './rules/index.js';

const USAGE = `Usage:
  cache-coach check [PATH...] [--format text|json|sarif|github] [--fix] [--select CODES] [--ignore CODES]
  cache-coach keys [PATH...] [--format text|json]
  cache-coach rule CODE
  cache-coach --version | --help

Exit status (check): 0 no findings, 1 findings, 2 usage or configuration error.
Exit status (keys): 0, 2 usage or configuration error.
Columns are 1-based and count Unicode code points.
`;

class UsageError extends Error {}

type Format = 'text' | 'json' | 'sarif' | 'github';

interface CheckOptions {
  paths: string[];
  format: Format;
  fix: boolean;
  select?: string[];
  ignore?: string[];
}

/** What the command's host wants to hear of a run (cli-entry.ts: how many files it scanned, for the code cache). */
export interface CliHooks {
  scanned?(files: number): void;
}

export async function main(argv: string[], cwd: string, out: (text: string) => void, err: (text: string) => void, hooks: CliHooks = {}): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined) throw new UsageError('no command given; to check the current folder, run `cache-coach check`');
    if (command === '--help' || command === '-h' || command === 'help') {
      out(USAGE);
      return 0;
    }
    if (command === '--version' || command === '-V') {
      out(`${packageJson.version}\n`);
      return 0;
    }
    if (command === 'rule') {
      const rule = rest[0] ? ruleByCode(rest[0]) : undefined;
      if (!rule) throw new UsageError(rest[0] ? `unknown rule "${rest[0]}" (known: ${[...RULE_CODES].join(', ')})` : 'rule needs a CODE');
      out(ruleDocsText(rule));
      return 0;
    }
    if (command === 'check') return await check(parseCheckArguments(rest), cwd, out, err, hooks);
    if (command === 'keys') return await keys(parseKeysArguments(rest), cwd, out, err, hooks);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`cache-coach: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err(`cache-coach: configuration error in ${error.file}:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
      return 2;
    }
    throw error;
  }
}

function parseCheckArguments(args: string[]): CheckOptions {
  const options: CheckOptions = { paths: [], format: 'text', fix: false };
  const codes = (value: string | undefined, flag: string): string[] => {
    if (!value) throw new UsageError(`${flag} needs a comma-separated list of rule codes`);
    const list = value.split(',').map((code) => code.trim().toUpperCase()).filter(Boolean);
    const unknown = list.filter((code) => !/^CACHE\d{0,3}$/.test(code) || ![...RULE_CODES].some((known) => known.startsWith(code)));
    if (unknown.length > 0) throw new UsageError(`${flag}: unknown rule code ${unknown.join(', ')}`);
    return list;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--format': {
        const format = value();
        if (format !== 'text' && format !== 'json' && format !== 'sarif' && format !== 'github') throw new UsageError(`--format must be text, json, sarif or github`);
        options.format = format;
        break;
      }
      case '--fix':
        options.fix = true;
        break;
      case '--select':
        options.select = codes(value(), '--select');
        break;
      case '--ignore':
        options.ignore = codes(value(), '--ignore');
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}"`);
        options.paths.push(arg);
    }
  }
  if (options.paths.length === 0) options.paths.push('.');
  return options;
}

async function check(options: CheckOptions, cwd: string, out: (text: string) => void, err: (text: string) => void, hooks: CliHooks): Promise<number> {
  const overrides: Partial<CacheCoachConfig> = {};
  if (options.select) overrides.select = options.select;
  if (options.ignore) overrides.ignore = options.ignore;
  // Texts are read when the engine asks (candidates twice: the pre-filter, then the parse) and not kept,
  // so memory stays bounded by the files that can hold findings; fixed files are kept as written.
  const fixedTexts = new Map<string, string>();
  const { workspace, source } = await loadWorkspace(options.paths, cwd, overrides, err, hooks, fixedTexts);
  let findings = workspace.check();
  if (options.fix) findings = applySafeFixes(workspace, findings, cwd, err);
  for (const [path, reason] of workspace.unanalysed()) err(`cache-coach: ${path}: skipped: ${reason}\n`);
  const homepage = packageJson.homepage;
  // One line index per file, not per finding: a file with 100,000 findings would be indexed 100,000 times.
  const lineIndexes = new Map<string, LineIndex>();
  const linesOf = (path: string): LineIndex => {
    let lines = lineIndexes.get(path);
    if (!lines) lineIndexes.set(path, (lines = new LineIndex(source.read(path) ?? '')));
    return lines;
  };
  const cliFindings = findings.map((finding) => toCliFinding(finding, linesOf(finding.path), homepage));
  switch (options.format) {
    case 'json':
      out(formatJson(cliFindings));
      break;
    case 'sarif':
      out(formatSarif(cliFindings, packageJson.version, homepage));
      break;
    case 'github':
      out(formatGithub(cliFindings));
      break;
    default:
      out(formatText(cliFindings));
      if (cliFindings.length > 0) err(`Found ${cliFindings.length} problem${cliFindings.length === 1 ? '' : 's'}.\n`);
  }
  return cliFindings.length > 0 ? 1 : 0;

  function applySafeFixes(space: Workspace, initial: Finding[], root: string, log: (text: string) => void): Finding[] {
    let current = initial;
    for (let pass = 0; pass < 5; pass++) {
      const byPath = new Map<string, Finding[]>();
      for (const finding of current) {
        if (!finding.fixes.some((fix) => fix.safety === 'safe')) continue;
        const list = byPath.get(finding.path);
        if (list) list.push(finding);
        else byPath.set(finding.path, [finding]);
      }
      if (byPath.size === 0) break;
      let changed = false;
      for (const [path, fixable] of byPath) {
        const original = source.read(path);
        if (original === undefined) continue;
        const fixed = applyEdits(original, fixAllEdits(fixable));
        if (fixed === original) continue;
        if (space.introducesSyntaxError(path, original, fixed)) {
          log(`cache-coach: ${path}: fixes not written, the result would not parse\n`);
          continue;
        }
        writeAtomically(resolve(root, path), fixed);
        fixedTexts.set(path, fixed);
        space.update(path, fixed);
        changed = true;
      }
      if (!changed) break;
      current = space.check();
    }
    return current;
  }
}

interface KeysOptions {
  paths: string[];
  format: 'text' | 'json';
}

function parseKeysArguments(args: string[]): KeysOptions {
  const options: KeysOptions = { paths: [], format: 'text' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--format') {
      const format = inline ?? args[++i];
      if (format !== 'text' && format !== 'json') throw new UsageError('keys --format must be text or json');
      options.format = format;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option "${arg}"`);
    } else {
      options.paths.push(arg);
    }
  }
  if (options.paths.length === 0) options.paths.push('.');
  return options;
}

/** `cache-coach keys`: the key map, a report (exit 0 whatever it shows). */
async function keys(options: KeysOptions, cwd: string, out: (text: string) => void, err: (text: string) => void, hooks: CliHooks): Promise<number> {
  const { workspace, source } = await loadWorkspace(options.paths, cwd, {}, err, hooks);
  const findings = workspace.check();
  for (const [path, reason] of workspace.unanalysed()) err(`cache-coach: ${path}: skipped: ${reason}\n`);
  const lineIndexes = new Map<string, LineIndex>();
  const linesOf = (path: string): LineIndex => {
    let lines = lineIndexes.get(path);
    if (!lines) lineIndexes.set(path, (lines = new LineIndex(source.read(path) ?? '')));
    return lines;
  };
  const map = toCliKeyMap(buildKeyMap(workspace, { findings }), linesOf);
  if (options.format === 'json') {
    out(formatKeysJson(map));
  } else {
    out(formatKeysText(map));
    const problems = map.keys.filter((entry) => entry.problems.length > 0).length;
    err(`${map.keys.length} key${map.keys.length === 1 ? '' : 's'}, ${problems} with problems.\n`);
  }
  return 0;
}

/** The workspace of the given paths, with the configuration each file is under: what `check` and `keys` both analyse. */
async function loadWorkspace(
  paths: string[],
  cwd: string,
  overrides: Partial<CacheCoachConfig>,
  err: (text: string) => void,
  hooks: CliHooks,
  fixedTexts: Map<string, string> = new Map(),
): Promise<{ workspace: Workspace; source: { read(path: string): string | undefined } }> {
  for (const path of paths) {
    try {
      statSync(resolve(cwd, path));
    } catch {
      throw new UsageError(`no such file or folder: ${path}`);
    }
  }
  const wasm = loadPythonWasm();
  Workspace.prepare(wasm);
  const configs = new ConfigFinder(cwd, overrides);
  const rootConfig = configs.configFor(join(paths[0], '__cache_coach__'));
  const walk = walkWorkspace(paths, cwd, rootConfig.exclude);
  configs.useListing(walk.listedFolders);
  hooks.scanned?.(walk.files.length);
  for (const note of walk.notes) err(`cache-coach: ${note}\n`);
  // Read every configuration up front, so a malformed pyproject.toml stops the run before anything is written.
  for (const path of walk.files) configs.configFor(path);

  const skipped = new Set<string>();
  const source = {
    read: (path: string): string | undefined => {
      if (fixedTexts.has(path)) return fixedTexts.get(path);
      if (skipped.has(path)) return undefined;
      const result = readSourceFile(resolve(cwd, path), configs.configFor(path).maxFileSize);
      if ('skipped' in result) {
        err(`cache-coach: ${path}: ${result.skipped}\n`);
        skipped.add(path);
        return undefined;
      }
      return result.text;
    },
  };
  // Settings are judged by their path below the project (the folder holding the config, else the project folder
  // of each path given), never by the folders the project happens to sit in.
  const rootFolders = new Set(paths.map((path) => projectRootOf(path, cwd)));
  for (const path of walk.files) {
    const configRoot = configs.configRootFor(path);
    if (configRoot) rootFolders.add(configRoot);
  }
  const roots = [...rootFolders].map((folder) => toPosix(relative(cwd, folder))).filter((root) => root !== '');
  const workspace = await Workspace.create({ wasm, source, paths: walk.files, roots, configFor: (path) => configs.configFor(path), loadTypeScript });
  return { workspace, source };
}

function writeAtomically(file: string, text: string): void {
  const directory = mkdtempSync(join(dirname(file), '.cache-coach-'));
  const temporary = join(directory, 'fixed');
  try {
    writeFileSync(temporary, text, { mode: statSync(file).mode });
    renameSync(temporary, file);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Runs `cache-coach` with the process's arguments, setting its exit code. */
export function runFromCommandLine(hooks: CliHooks = {}): void {
  main(process.argv.slice(2), process.cwd(), (text) => process.stdout.write(text), (text) => process.stderr.write(text), hooks).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cache-coach: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) runFromCommandLine();
