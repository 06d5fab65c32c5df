/**
 * What the Django settings say about templates: builtins, context processors, and which backend
 * (Django's template language or Jinja2) renders a template file.
 */
import { dictEntry, type Expr } from '../python/expr.js';
import type { PythonProject } from '../python/project.js';
import type { TemplateModule } from './project.js';

const CACHE_LIBRARY = 'django.templatetags.cache';
const DJANGO_BACKEND = 'django.template.backends.django.DjangoTemplates';
const DJANGO_JINJA_BACKEND = 'django_jinja.backend.Jinja2';
const JINJA2_BACKEND = 'django.template.backends.jinja2.Jinja2';

/** A Jinja2 backend in TEMPLATES: which template files it may render. */
export interface JinjaBackend {
  /** The app folder it loads from when APP_DIRS is on (`templates` for django-jinja, `jinja2` for Django's backend). */
  appDirname: string | null;
  /** It names DIRS, which may be any project folder. */
  hasDirs: boolean;
  /** django-jinja's filter on template names: an extension, every name, or a regex we do not evaluate. */
  match: { extension: string } | 'all' | 'regex';
  /** A DjangoTemplates backend comes before it in TEMPLATES (and so loads a file both could find). */
  afterDjango: boolean;
}

export interface TemplateSettings {
  /** `django.templatetags.cache` is in some DjangoTemplates backend's OPTIONS["builtins"]: no {% load cache %} needed. */
  cacheTagIsBuiltin: boolean;
  /** Every context processor named by a DjangoTemplates backend (empty when no settings were found). */
  contextProcessors: Set<string>;
  /** Every context processor named by a Jinja2 backend. */
  jinjaContextProcessors: Set<string>;
  jinjaBackends: JinjaBackend[];
  /** Whether any TEMPLATES setting was found at all. */
  found: boolean;
  /** The modules that assign TEMPLATES: only a change to one of them, or a new TEMPLATES, changes these settings. */
  sources: Set<string>;
}

export function readTemplateSettings(project: PythonProject): TemplateSettings {
  const settings: TemplateSettings = { cacheTagIsBuiltin: false, contextProcessors: new Set(), jinjaContextProcessors: new Set(), jinjaBackends: [], found: false, sources: new Set() };
  const seen = new Set<string>();
  for (const module of project.candidateModules().concat(settingsModulesByName(project))) {
    if (seen.has(module.path)) continue;
    seen.add(module.path);
    for (const assignment of module.facts.assignments) {
      if (assignment.name !== 'TEMPLATES' || assignment.value.kind !== 'sequence') continue;
      settings.found = true;
      settings.sources.add(module.path);
      let djangoSeen = false;
      for (const backend of assignment.value.items) {
        const name = dictEntry(backend, 'BACKEND');
        const options = dictEntry(backend, 'OPTIONS');
        const backendName = name?.kind === 'string' ? name.value : DJANGO_BACKEND;
        if (backendName === DJANGO_BACKEND) {
          djangoSeen = true;
          if (strings(dictEntry(options, 'builtins')).includes(CACHE_LIBRARY)) settings.cacheTagIsBuiltin = true;
          for (const processor of strings(dictEntry(options, 'context_processors'))) settings.contextProcessors.add(processor);
        } else if (backendName === DJANGO_JINJA_BACKEND || backendName === JINJA2_BACKEND || /jinja/i.test(backendName)) {
          settings.jinjaBackends.push(jinjaBackend(backend, options, backendName === JINJA2_BACKEND, djangoSeen));
          for (const processor of strings(dictEntry(options, 'context_processors'))) settings.jinjaContextProcessors.add(processor);
        }
      }
    }
  }
  return settings;
}

function jinjaBackend(backend: Expr, options: Expr | undefined, isDjangosOwn: boolean, afterDjango: boolean): JinjaBackend {
  const appDirs = dictEntry(backend, 'APP_DIRS');
  const dirs = dictEntry(backend, 'DIRS');
  const appDirname = dictEntry(options, 'app_dirname');
  const extension = dictEntry(options, 'match_extension');
  const regex = dictEntry(options, 'match_regex');
  let match: JinjaBackend['match'];
  if (isDjangosOwn) match = 'all';
  else if (regex && regex.kind !== 'none') match = 'regex';
  else if (!extension) match = { extension: '.jinja' };
  else if (extension.kind === 'string') match = extension.value === '' ? 'all' : { extension: extension.value };
  else if (extension.kind === 'none') match = 'all';
  else match = 'regex';
  return {
    appDirname: appDirs?.kind === 'bool' && appDirs.value ? (appDirname?.kind === 'string' ? appDirname.value : isDjangosOwn ? 'jinja2' : 'templates') : null,
    hasDirs: dirs !== undefined && !(dirs.kind === 'sequence' && dirs.items.length === 0),
    match,
    afterDjango,
  };
}

export type Dialect = 'django' | 'jinja2' | 'unsure';

/** Syntax Django's template language does not have: whitespace control, set/macro/import/call tags. */
const JINJA_ONLY_TAGS = /\{%-|-%\}|\{\{-|-\}\}|\{%\s*(set|macro|import|from\s+\S+\s+import|call|raw|do)\b/;
const DJANGO_ONLY = /\{%\s*load\s/;
/** Names in an expression; each match takes a whole run, so scanning stays linear. */
const NAME_RUN = /[A-Za-z_][\w.]*/g;

/** `{{ url('home') }}`: a call inside `{{ }}` (Django allows only `_("…")`). */
function callsInVariables(template: TemplateModule): boolean {
  return template.outline.variables.some(({ expression }) => {
    for (const match of expression.matchAll(NAME_RUN)) {
      if (match[0] !== '_' && expression[match.index + match[0].length] === '(') return true;
    }
    return false;
  });
}

/**
 * Which language a template file is written in, from its path, its text and the project's TEMPLATES.
 * `unsure` (a Jinja2 backend may render it, and the text does not say): template rules stay quiet.
 */
export function dialectOf(template: TemplateModule, settings: TemplateSettings): Dialect {
  if (template.dialect === 'jinja2') return 'jinja2';
  if (DJANGO_ONLY.test(template.text)) return 'django';
  if (JINJA_ONLY_TAGS.test(template.text) || callsInVariables(template)) return 'jinja2';
  let verdict: Dialect = 'django';
  for (const backend of settings.jinjaBackends) {
    const inAppFolder = backend.appDirname !== null && template.path.split('/').includes(backend.appDirname);
    if (!inAppFolder && !backend.hasDirs) continue;
    const matches = backend.match === 'all' ? true : backend.match === 'regex' ? undefined : template.name.endsWith(backend.match.extension);
    if (matches === false) continue;
    if (matches === true && inAppFolder && !backend.afterDjango) return 'jinja2';
    // Its DIRS may or may not hold this file, or a Django backend before it may load it first.
    verdict = 'unsure';
  }
  return verdict;
}

function settingsModulesByName(project: PythonProject) {
  return project.allPaths().flatMap((path) => {
    if (!/settings/i.test(path)) return [];
    const module = project.textOf(path)?.includes('TEMPLATES') ? project.module(path) : undefined;
    return module ? [module] : [];
  });
}

function strings(expr: Expr | undefined): string[] {
  if (!expr || expr.kind !== 'sequence') return [];
  return expr.items.flatMap((item) => (item.kind === 'string' ? [item.value] : []));
}
