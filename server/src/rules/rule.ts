/** What a rule is: its contract (code, name, severity, span, fix kind), its documentation, and its check. */
import type { CacheCoachConfig } from '../analysis/config.js';
import type { Deployments } from '../analysis/deployment.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import type { SettingsIndex } from '../analysis/python/settings.js';
import type { TemplateSettings } from '../analysis/template/settings.js';
import type { TemplateModule, TemplateProject } from '../analysis/template/project.js';
import type { TsModule, TypeScriptProject } from '../analysis/typescript/project.js';
import type { FixSafety, Severity, Span } from '../analysis/types.js';

export interface RuleDocs {
  /** One sentence: what the rule flags. */
  summary: string;
  /** Why it is a problem, in production terms. */
  why: string;
  /** Code it flags. */
  example: string;
  /** The same code written correctly: code only (prose goes in useInsteadNote or in code comments). */
  useInstead: string;
  /** A sentence shown before the useInstead code, as prose. */
  useInsteadNote?: string;
  /** What the rule cannot see (its known blind spots). */
  cannotSee: string;
}

export interface SpanEdit {
  span: Span;
  newText: string;
}

export interface FixSpec {
  title: string;
  safety: FixSafety;
  edits: SpanEdit[];
}

export interface Report {
  span: Span;
  message: string;
  fixes?: FixSpec[];
  /** Overrides the rule's default severity for this finding (a configured severity still wins). */
  severity?: Severity;
}

export interface PythonRuleContext {
  module: PyModule;
  project: PythonProject;
  templates: TemplateProject;
  /** What TEMPLATES says (context processors, Jinja2 backends). */
  templateSettings: TemplateSettings;
  settings: SettingsIndex;
  /** How the repository deploys (its Dockerfiles, compose files, charts...), read on first use. */
  deployments(): Deployments;
  config: CacheCoachConfig;
  report(report: Report): void;
}

export interface TemplateRuleContext {
  template: TemplateModule;
  templates: TemplateProject;
  python: PythonProject;
  settings: TemplateSettings;
  config: CacheCoachConfig;
  report(report: Report): void;
}

export interface TypeScriptRuleContext {
  module: TsModule;
  project: TypeScriptProject;
  config: CacheCoachConfig;
  report(report: Report): void;
}

export interface Rule {
  code: string;
  name: string;
  severity: Severity;
  /** What the diagnostic underlines. */
  span: string;
  fix: FixSafety | 'none';
  /** Needs the whole project (an invalidation elsewhere, another module's settings): quiet until the workspace scan completes. */
  crossFile?: boolean;
  /** The lesson section that explains the mistake. */
  lessonSection: string;
  docs: RuleDocs;
  checkPython?(context: PythonRuleContext): void;
  checkTemplate?(context: TemplateRuleContext): void;
  checkTypeScript?(context: TypeScriptRuleContext): void;
}

/** Where a rule's documentation lives: its section of the README at the extension's homepage. */
export function ruleUrl(homepage: string, code: string): string {
  return `${homepage}#${code.toLowerCase()}`;
}
