/** What the Django settings say about templates: builtins, context processors, template folders. */
import { dictEntry, type Expr } from '../python/expr.js';
import type { PythonProject } from '../python/project.js';

const CACHE_LIBRARY = 'django.templatetags.cache';
const DJANGO_BACKEND = 'django.template.backends.django.DjangoTemplates';

export interface TemplateSettings {
  /** `django.templatetags.cache` is in some DjangoTemplates backend's OPTIONS["builtins"]: no {% load cache %} needed. */
  cacheTagIsBuiltin: boolean;
  /** Every context processor named by a DjangoTemplates backend (empty when no settings were found). */
  contextProcessors: Set<string>;
  /** Whether any TEMPLATES setting was found at all. */
  found: boolean;
}

export function readTemplateSettings(project: PythonProject): TemplateSettings {
  const settings: TemplateSettings = { cacheTagIsBuiltin: false, contextProcessors: new Set(), found: false };
  for (const module of project.candidateModules().concat(settingsModulesByName(project))) {
    for (const assignment of module.facts.assignments) {
      if (assignment.name !== 'TEMPLATES' || assignment.value.kind !== 'sequence') continue;
      settings.found = true;
      for (const backend of assignment.value.items) {
        const name = dictEntry(backend, 'BACKEND');
        if (name?.kind === 'string' && name.value !== DJANGO_BACKEND) continue;
        const options = dictEntry(backend, 'OPTIONS');
        if (strings(dictEntry(options, 'builtins')).includes(CACHE_LIBRARY)) settings.cacheTagIsBuiltin = true;
        for (const processor of strings(dictEntry(options, 'context_processors'))) settings.contextProcessors.add(processor);
      }
    }
  }
  return settings;
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
