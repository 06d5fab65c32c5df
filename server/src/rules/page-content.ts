/**
 * What a cached page shows: the per-user data its GET code or its templates put in the 200 body, and
 * CSRF tokens in its templates. Shared by CACHE004 (per-user pages) and CACHE012 (CSRF tokens).
 */
import type { PythonProject } from '../analysis/python/project.js';
import type { TemplateModule, TemplateProject } from '../analysis/template/project.js';
import { dialectOf, type TemplateSettings } from '../analysis/template/settings.js';
import { lineOf, sharedFragmentBodies, variableReferences } from './template-helpers.js';
import { classAttribute, renderedTemplateNames, type PageCacheUse } from './view-resolution.js';

export type PerUserEvidence =
  | { kind: 'code'; what: string; path: string; line: number }
  | { kind: 'template'; what: string; template: TemplateModule; line: number };

const AUTH_PROCESSOR = 'django.contrib.auth.context_processors.auth';
const REQUEST_PROCESSOR = 'django.template.context_processors.request';
const MESSAGES_PROCESSOR = 'django.contrib.messages.context_processors.messages';
const MAX_TEMPLATES = 60;

/** The first thing that makes the page differ between users, or undefined. */
export function perUserEvidence(use: PageCacheUse, project: PythonProject, templates: TemplateProject, settings: TemplateSettings): PerUserEvidence | undefined {
  for (const { module, fn } of use.views) {
    const read = fn.userStateReads.find((candidate) => candidate.role === 'body');
    if (read) return { kind: 'code', what: module.text.slice(read.span.start, read.span.end).replace(/\s+/g, ''), path: module.path, line: module.lines.positionAt(read.span.start).line + 1 };
  }
  const ownUser = passesOwnUser(use);
  for (const template of pageTemplates(use, project, templates)) {
    const found = perUserReference(template, settings, ownUser);
    if (found) return { kind: 'template', what: found.what, template, line: lineOf(template, found.offset) };
  }
  return undefined;
}

/** The first template of the page that holds a CSRF token (`{% csrf_token %}`, `{{ csrf_input }}`, `{{ csrf_token }}`). */
export function csrfTokenTemplate(use: PageCacheUse, project: PythonProject, templates: TemplateProject): { template: TemplateModule; line: number } | undefined {
  for (const template of pageTemplates(use, project, templates)) {
    const tag = template.outline.tags.find((candidate) => candidate.name === 'csrf_token');
    if (tag) return { template, line: lineOf(template, tag.token.start) };
    const variable = template.outline.variables.find((candidate) => /^\s*csrf_(input|token)\s*$/.test(candidate.expression));
    if (variable) return { template, line: lineOf(template, variable.start) };
  }
  return undefined;
}

/** The templates the page renders with everything they extend and include (literal names), in order. */
export function pageTemplates(use: PageCacheUse, project: PythonProject, templates: TemplateProject): TemplateModule[] {
  const ordered: TemplateModule[] = [];
  const seen = new Set<string>();
  const queue = renderedTemplateNames(use, project);
  while (queue.length > 0 && ordered.length < MAX_TEMPLATES) {
    const name = queue.shift()!;
    const template = templates.byName(name)[0];
    if (!template || seen.has(template.path)) continue;
    seen.add(template.path);
    ordered.push(template);
    queue.push(...referencedTemplates(template, sharedFragmentBodies(template)));
  }
  return ordered;
}

/**
 * Names a template extends or includes, when written as string literals. An include inside a fragment
 * that is shared by every visitor is left out: what it shows is the same for all (CACHE101's concern).
 */
export function referencedTemplates(template: TemplateModule, shared: (offset: number) => boolean = () => false): string[] {
  const tags = [template.outline.extendsTag, ...template.outline.includes.filter((tag) => !shared(tag.token.start))];
  return tags.flatMap((tag) => {
    const argument = tag?.bits[1]?.text;
    return argument && /^(["']).*\1$/.test(argument) ? [argument.slice(1, -1)] : [];
  });
}

/** A view that puts its own `user` into the context (a profile page): `user` there is not the visitor. */
function passesOwnUser(use: PageCacheUse): boolean {
  const name = classAttribute(use, 'context_object_name')?.expr;
  if (name?.kind === 'string' && name.value === 'user') return true;
  return use.views.some(({ module, fn }) => /["']user["']\s*[:\]]|\buser\s*=\s*(?!request\b|self\.request\b)/.test(module.text.slice(fn.span.start, fn.span.end)));
}

function perUserReference(template: TemplateModule, settings: TemplateSettings, ownUser: boolean): { what: string; offset: number } | undefined {
  const jinja = dialectOf(template, settings) !== 'django';
  const processors = jinja ? settings.jinjaContextProcessors : settings.contextProcessors;
  // No TEMPLATES found: Django's startproject defaults (auth, request, messages) are assumed.
  const has = (processor: string): boolean => !settings.found || processors.has(processor);
  // Inside a {% cache %} fragment that does not vary on the user, every visitor sees the same copy.
  const shared = sharedFragmentBodies(template);
  for (const reference of variableReferences(template)) {
    if (reference.shadowed || shared(reference.start)) continue;
    const [head, next] = reference.segments;
    const perUser =
      ((head === 'user' || head === 'perms') && !ownUser && has(AUTH_PROCESSOR)) ||
      (head === 'request' && (next === 'user' || next === 'session' || next === 'COOKIES') && (jinja || has(REQUEST_PROCESSOR))) ||
      (head === 'messages' && reference.segments.length === 1 && has(MESSAGES_PROCESSOR));
    if (perUser) return { what: reference.segments.join('.'), offset: reference.start };
  }
  return undefined;
}
