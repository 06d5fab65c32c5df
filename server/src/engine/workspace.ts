/**
 * The analysis engine: file texts in, findings with fixes out. It knows nothing of LSP, VS Code or the
 * file system; the CLI and the language server adapt it.
 */
import { RULES, RULE_CODES } from '../rules/index.js';
import type { FixSpec, Report, Rule } from '../rules/rule.js';
import { DEFAULT_CONFIG, isRuleEnabled, type CacheCoachConfig } from '../analysis/config.js';
import { deploymentKind, Deployments, type DeploymentFile } from '../analysis/deployment.js';
import type { SuppressionComment } from '../analysis/suppression.js';
import { isPythonPath, isPythonTestPath } from '../analysis/python/modules.js';
import type { PythonWasm } from '../analysis/python/parser.js';
import { PythonParser } from '../analysis/python/parser.js';
import { PythonProject, type PyModule, type TextChange, type TextSource } from '../analysis/python/project.js';
import { SettingsIndex } from '../analysis/python/settings.js';
import { isTemplatePath, TemplateProject, type TemplateModule } from '../analysis/template/project.js';
import { dialectOf, readTemplateSettings, type TemplateSettings } from '../analysis/template/settings.js';
import { templateStructureBroken } from '../analysis/template/validity.js';
import type { LineIndex } from '../analysis/text.js';
import { isStackOverflow, isTypeScriptPath } from '../analysis/typescript/load.js';
import { TypeScriptProject, type TsModule } from '../analysis/typescript/project.js';
import type { Finding, Fix, Severity, Span } from '../analysis/types.js';

export interface WorkspaceOptions {
  wasm: PythonWasm;
  /** Reads a file's text; undefined when it cannot be read (missing, binary, too large). */
  source: TextSource;
  /** Every file of the workspace, with `/` separators. */
  paths: Iterable<string>;
  /** The configuration in force for a file (defaults when omitted). */
  configFor?: (path: string) => CacheCoachConfig;
  /** Loads the `typescript` module; called on the first TS/JS file only. Without it TS/JS files are not analysed. */
  loadTypeScript?: () => typeof import('typescript');
  /**
   * Workspace folders, when paths are absolute (the language server's): name-based judgements (dev/test
   * settings, globs) look at the path below its folder, so `/home/dev/...` does not make everything "dev".
   */
  roots?: string[];
  /**
   * Skim Python modules read from the source (analysis/python/skim.ts): parse the bodies of functions that never
   * name the cache only when a rule asks what they hold. On by default; the findings are the same either way.
   */
  skimFunctionBodies?: boolean;
}

export class Workspace {
  private readonly settingsByConfig = new WeakMap<CacheCoachConfig, SettingsIndex>();
  private templateSettings: TemplateSettings | undefined;
  private readonly deploymentPaths = new Set<string>();
  private deploymentFacts: Deployments | undefined;
  private readonly source: TextSource;
  private readonly configFor: (path: string) => CacheCoachConfig;
  readonly templates: TemplateProject;
  readonly typescript: TypeScriptProject;

  private constructor(
    readonly python: PythonProject,
    options: WorkspaceOptions,
  ) {
    this.configFor = options.configFor ?? (() => DEFAULT_CONFIG);
    this.roots = (options.roots ?? []).map((root) => root.replace(/\/+$/, ''));
    const paths = [...options.paths];
    this.source = options.source;
    for (const path of paths) if (deploymentKind(path)) this.deploymentPaths.add(path);
    this.templates = new TemplateProject(options.source, paths, (folder) => this.python.hasPath(`${folder}/__init__.py`));
    this.typescript = new TypeScriptProject(options.source, paths, options.loadTypeScript);
  }

  /**
   * Starts compiling the parser's wasm (on V8's background threads) so that it overlaps the caller's own work,
   * such as walking the workspace; `create` then finds it done or nearly. Failures surface in `create`.
   */
  static prepare(wasm: PythonWasm): void {
    PythonParser.create(wasm).catch(() => undefined);
  }

  static async create(options: WorkspaceOptions): Promise<Workspace> {
    const parser = await PythonParser.create(options.wasm);
    const paths = [...options.paths];
    return new Workspace(new PythonProject(parser, options.source, paths, options.skimFunctionBodies ?? true), { ...options, paths });
  }

  /** A file was created or changed (`text` given for unsaved editor buffers). */
  update(path: string, text?: string): void {
    if (deploymentKind(path)) {
      this.deploymentPaths.add(path);
      this.deploymentFacts = undefined;
    }
    if (isTemplatePath(path)) this.templates.update(path, text);
    else this.python.update(path, text);
    this.typescript.update(path, text);
    this.settingsByConfig.delete(this.configFor(path));
    this.forgetTemplateSettings(path, text);
  }

  remove(path: string): void {
    if (this.deploymentPaths.delete(path)) this.deploymentFacts = undefined;
    if (isTemplatePath(path)) this.templates.remove(path);
    else this.python.remove(path);
    this.typescript.remove(path);
    this.forgetTemplateSettings(path);
  }

  /** An editor opened a file: later changes to a Python file reparse incrementally. */
  openDocument(path: string, text: string): void {
    if (isPythonPath(path)) this.python.openDocument(path, text);
    else this.update(path, text);
  }

  changeDocument(path: string, text: string, changes: readonly TextChange[]): void {
    if (isPythonPath(path)) this.python.changeDocument(path, text, changes);
    else this.update(path, text);
    this.forgetTemplateSettings(path, text);
  }

  /** The editor closed the file: its text comes from the source (the disk) again. */
  closeDocument(path: string): void {
    if (isPythonPath(path)) this.python.closeDocument(path);
    this.update(path);
  }

  /** Parses every file that can hold a cache API use, a few at a time, so a server stays responsive. */
  *warmUp(): Generator<number> {
    let parsed = 0;
    for (const path of this.python.allPaths()) {
      if (this.python.isCandidate(path) && this.python.module(path)) parsed++;
      yield parsed;
    }
    // The invalidations (read lazily by the rules) are worked out here, so that no keystroke waits for them.
    void this.python.facts().invalidated;
    for (const path of this.templates.allPaths()) {
      this.templates.module(path);
      yield parsed;
    }
    for (const path of this.typescript.candidatePaths()) {
      if (this.typescript.module(path)) parsed++;
      yield parsed;
    }
  }

  /** The files a check left unanalysed (too large or too deeply nested to parse or follow), with the reason. */
  unanalysed(): Map<string, string> {
    return new Map([...this.python.unparsed, ...this.typescript.unanalysed]);
  }

  /** Findings for the given files, or for every file that can hold a cache API use. */
  check(paths?: Iterable<string>): Finding[] {
    const findings: Finding[] = [];
    // Loops, not push(...spread): a file with 100,000 findings would overflow the call stack.
    const add = (found: Finding[]): void => {
      for (const finding of found) findings.push(finding);
    };
    if (paths) {
      for (const path of paths) {
        if (isPythonPath(path)) {
          const module = this.python.isCandidate(path) ? this.python.module(path) : undefined;
          if (module) add(this.checkModule(module));
        } else if (isTemplatePath(path)) {
          const template = this.templates.module(path);
          if (template) add(this.checkTemplate(template));
        } else if (isTypeScriptPath(path)) {
          const module = this.typescript.isCandidate(path) ? this.typescript.module(path) : undefined;
          if (module) add(this.checkTypeScript(module));
        }
      }
    } else {
      for (const module of this.python.candidateModules()) add(this.checkModule(module));
      for (const template of this.templates.candidateModules()) add(this.checkTemplate(template));
      for (const module of this.typescript.candidateModules()) add(this.checkTypeScript(module));
    }
    return findings.sort(compareFindings);
  }


  /**
   * False while a server is still scanning the workspace: rules that need the whole project (an
   * invalidation in another file, the module that star-imports a settings base) stay quiet until then.
   */
  projectComplete = true;

  private readonly roots: string[];

  /** A path relative to the workspace folder that holds it (paths are returned as given when relative). */
  relativePath(path: string): string {
    const root = this.roots.filter((candidate) => path.startsWith(`${candidate}/`)).sort((a, b) => b.length - a.length)[0];
    return root === undefined ? path : path.slice(root.length + 1);
  }

  /** Whether a rule runs now: enabled by the configuration, and not waiting for the whole project. */
  private runs(code: string, config: CacheCoachConfig): boolean {
    if (!isRuleEnabled(code, config)) return false;
    return this.projectComplete || !CROSS_FILE_CODES.has(code);
  }

  /** Whether applying fixes turned a file that parsed into one that does not (fixes must never do that). */
  introducesSyntaxError(path: string, original: string, fixed: string): boolean {
    if (isPythonPath(path)) return this.python.introducesSyntaxError(original, fixed);
    if (isTypeScriptPath(path)) return this.typescript.introducesSyntaxError(path, original, fixed);
    if (isTemplatePath(path)) return templateStructureBroken(original, fixed);
    return false;
  }

  private settingsFor(config: CacheCoachConfig): SettingsIndex {
    let settings = this.settingsByConfig.get(config);
    if (!settings) {
      settings = new SettingsIndex(this.python, config, (path) => this.relativePath(path), (target) => this.deployments().copiedTo(target));
      this.settingsByConfig.set(config, settings);
    }
    return settings;
  }

  /**
   * TEMPLATES is read again only when a change can alter it: a Python module that assigns it, or whose
   * new text mentions it. Every keystroke in a views module would otherwise rescan the settings.
   */
  private forgetTemplateSettings(path: string, text?: string): void {
    if (!this.templateSettings || !isPythonPath(path)) return;
    if (text !== undefined && !text.includes('TEMPLATES') && !this.templateSettings.sources.has(path)) return;
    this.templateSettings = undefined;
  }

  private currentTemplateSettings(): TemplateSettings {
    this.templateSettings ??= readTemplateSettings(this.python);
    return this.templateSettings;
  }

  /** The repository's deployment files, read when a rule first asks (texts through the host's source). */
  deployments(): Deployments {
    if (!this.deploymentFacts) {
      const files: DeploymentFile[] = [];
      for (const path of this.deploymentPaths) {
        const kind = deploymentKind(path);
        const text = kind ? this.source.read(path) : undefined;
        if (kind && text !== undefined) files.push({ path, relative: this.relativePath(path), kind, text });
      }
      this.deploymentFacts = new Deployments(files);
    }
    return this.deploymentFacts;
  }

  private checkModule(module: PyModule): Finding[] {
    if (module.facts.skipFile || isPythonTestPath(module.path)) return [];
    const config = this.configFor(module.path);
    const settings = this.settingsFor(config);
    const raw: RawReport[] = [];
    // TEMPLATES is read when a rule first asks (reading it parses the settings modules that assign it).
    const templateSettings = (): TemplateSettings => this.currentTemplateSettings();
    for (const rule of RULES) {
      if (!rule.checkPython || !this.runs(rule.code, config)) continue;
      rule.checkPython({
        module,
        project: this.python,
        templates: this.templates,
        get templateSettings() {
          return templateSettings();
        },
        settings,
        deployments: () => this.deployments(),
        config,
        report: (report) => raw.push({ rule, report }),
      });
    }
    return suppressAndConvert({ path: module.path, text: module.text, lines: module.lines, suppressions: module.facts.suppressions }, raw, config, (code) => this.runs(code, config));
  }

  private checkTemplate(template: TemplateModule): Finding[] {
    if (template.skipFile) return [];
    const templateSettings = this.currentTemplateSettings();
    if (dialectOf(template, templateSettings) !== 'django') return [];
    const config = this.configFor(template.path);
    const raw: RawReport[] = [];
    for (const rule of RULES) {
      if (!rule.checkTemplate || !this.runs(rule.code, config)) continue;
      rule.checkTemplate({ template, templates: this.templates, python: this.python, settings: templateSettings, config, report: (report) => raw.push({ rule, report }) });
    }
    return suppressAndConvert(template, raw, config, (code) => this.runs(code, config));
  }

  private checkTypeScript(module: TsModule): Finding[] {
    if (module.skipFile) return [];
    const config = this.configFor(module.path);
    const raw: RawReport[] = [];
    try {
      for (const rule of RULES) {
        if (!rule.checkTypeScript || !this.runs(rule.code, config)) continue;
        rule.checkTypeScript({ module, project: this.typescript, config, report: (report) => raw.push({ rule, report }) });
      }
    } catch (error) {
      // A syntax tree deeper than a rule's recursion can follow: the file is left unanalysed, as one too deep for
      // typescript's own parser is (TypeScriptProject), rather than failing the whole check.
      if (!isStackOverflow(error)) throw error;
      this.typescript.leaveUnanalysed(module.path, 'nested too deep for the rules to follow');
      return [];
    }
    return suppressAndConvert(module, raw, config, (code) => this.runs(code, config));
  }
}

const CROSS_FILE_CODES: ReadonlySet<string> = new Set(RULES.filter((rule) => rule.crossFile).map((rule) => rule.code));

interface RawReport {
  rule: Rule;
  report: Report;
}

interface CheckedFile {
  path: string;
  text: string;
  lines: LineIndex;
  suppressions: SuppressionComment[];
}

/** Applies the file's noqa comments, reports the unused ones (CACHE900), and converts spans to ranges. */
function suppressAndConvert(file: CheckedFile, raw: RawReport[], config: CacheCoachConfig, ran: (code: string) => boolean): Finding[] {
  const used = new Set<string>();
  const findings: Finding[] = [];
  // By line, so a file with a noqa comment on every line stays linear.
  const byLine = new Map<number, SuppressionComment[]>();
  for (const comment of file.suppressions) {
    const onLine = byLine.get(comment.line);
    if (onLine) onLine.push(comment);
    else byLine.set(comment.line, [comment]);
  }
  for (const { rule, report } of raw) {
    const line = file.lines.positionAt(report.span.start).line;
    const suppression = byLine.get(line)?.find((comment) => comment.codes === null || comment.codes.includes(rule.code));
    if (suppression) {
      used.add(`${suppression.line}:${rule.code}`);
      continue;
    }
    findings.push(toFinding(rule, file.path, file.lines, report.span, report.message, report.fixes ?? [], config, report.severity));
  }
  const unused = RULES.find((rule) => rule.code === 'CACHE900')!;
  if (isRuleEnabled(unused.code, config)) {
    for (const comment of file.suppressions) {
      for (const item of unusedCodes(comment, file.text, used, ran)) {
        findings.push(toFinding(unused, file.path, file.lines, item.span, `"${item.code}" suppresses nothing on this line.`, [item.fix], config));
      }
    }
  }
  return findings;
}

function toFinding(rule: Rule, path: string, lines: LineIndex, span: Span, message: string, fixes: FixSpec[], config: CacheCoachConfig, reported?: Severity): Finding {
  const severity = config.severity[rule.code];
  return {
    code: rule.code,
    name: rule.name,
    severity: severity && severity !== 'off' ? severity : (reported ?? rule.severity),
    message,
    path,
    range: lines.rangeOf(span),
    fixes: fixes.map(
      (fix): Fix => ({
        title: fix.title,
        safety: fix.safety,
        edits: fix.edits.map((edit) => ({ range: lines.rangeOf(edit.span), newText: edit.newText })),
      }),
    ),
  };
}

/** The CACHE codes of a noqa comment that suppressed nothing, each with a fix that removes it. */
function unusedCodes(comment: SuppressionComment, text: string, used: Set<string>, ran: (code: string) => boolean): { code: string; span: Span; fix: FixSpec }[] {
  if (!comment.codes) return [];
  const listText = text.slice(comment.span.start, comment.span.end);
  const pieces = [...listText.matchAll(/[A-Za-z]+[0-9]+/g)].map((match) => ({ code: match[0].toUpperCase(), start: comment.span.start + match.index, end: comment.span.start + match.index + match[0].length }));
  const unused = pieces.filter((piece) => RULE_CODES.has(piece.code) && piece.code !== 'CACHE900' && ran(piece.code) && !used.has(`${comment.line}:${piece.code}`));
  return unused.map((piece) => {
    const remaining = pieces.filter((other) => other !== piece).map((other) => text.slice(other.start, other.end));
    const fix: FixSpec =
      remaining.length === 0
        ? { title: 'Remove the unused noqa comment', safety: 'safe', edits: [{ span: trimBefore(text, comment.commentSpan), newText: '' }] }
        : { title: `Remove ${piece.code} from the noqa comment`, safety: 'safe', edits: [{ span: comment.span, newText: remaining.join(', ') }] };
    return { code: piece.code, span: { start: piece.start, end: piece.end }, fix };
  });
}

/** A comment span widened to the spaces before it, so removing it leaves no trailing white space. */
function trimBefore(text: string, span: Span): Span {
  let start = span.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  return { start, end: span.end };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}
