import { Q } from '../analysis/python/qualified-names.js';
import { constantValue } from '../analysis/python/key-template.js';
import type { TemplateModule, TemplateProject } from '../analysis/template/project.js';
import type { Rule } from './rule.js';
import { decoratorQualifiedNames, pageCacheUses, type PageCacheUse } from './view-resolution.js';
import type { PythonProject } from '../analysis/python/project.js';

export const cache012: Rule = {
  code: 'CACHE012',
  name: 'cache-page-with-csrf',
  severity: 'warning',
  span: 'the cache_page decorator or call',
  fix: 'none',
  crossFile: true,
  lessonSection: 'per-view-cache',
  docs: {
    summary: '`cache_page` on a view whose template (following `{% extends %}` and `{% include %}`) contains `{% csrf_token %}`.',
    why:
      'The per-view cache stores the response inside the view, before CsrfViewMiddleware has set the CSRF cookie and `Vary: Cookie`. Later visitors get the first visitor\'s token in the form but no matching cookie, and their POST fails with 403.',
    example: '@cache_page(60 * 15)\ndef contact(request):\n    return render(request, "contact.html")   # the form has {% csrf_token %}',
    useInstead: '@cache_page(60 * 15)\n@csrf_protect\ndef contact(request):\n    return render(request, "contact.html")\n\n# or do not page-cache views with forms',
    cannotSee:
      'It follows `render()`, `TemplateResponse`, `render_to_response`, `render_to_string`, `get_template` called by name with a literal template name, and `template_name = "..."` on class-based views, resolved against the project\'s `templates/` folders (a project template overrides an app template of the same name). Templates chosen at run time, `loader.render_to_string(...)` called through the module, and tokens added by other means (`get_token()` in Python) are not seen. `@csrf_protect` below `@cache_page` is the documented remedy and keeps it quiet.',
  },
  checkPython({ module, project, templates, report }) {
    for (const use of pageCacheUses(module, project)) {
      if (decoratorQualifiedNames(use.below, module).includes(Q.csrfProtect)) continue;
      const withToken = renderedTemplates(use, project, templates).find((template) => holdsCsrfToken(template, templates, new Set()));
      if (!withToken) continue;
      report({
        span: use.span,
        message: `cache_page on a view whose template ${withToken.name} holds {% csrf_token %}: the first visitor's token is cached without its cookie, so later visitors' forms fail with 403. Add @csrf_protect below it, or do not page-cache this view.`,
      });
    }
  },
};

function renderedTemplates(use: PageCacheUse, project: PythonProject, templates: TemplateProject): TemplateModule[] {
  const names = new Set<string>();
  if (use.viewClass?.cls.templateName) names.add(use.viewClass.cls.templateName);
  for (const { module, fn } of use.views) {
    const index = module.facts.functions.indexOf(fn);
    for (const render of module.facts.templateRenders) {
      if (render.functionIndex !== index) continue;
      const name = constantValue(render.name, project.keyScope(module, index, render.span.start));
      if (typeof name === 'string') names.add(name);
    }
  }
  return [...names].flatMap((name) => templates.byName(name).slice(0, 1));
}

/** Whether the template, or one it extends or includes, contains {% csrf_token %}. */
function holdsCsrfToken(template: TemplateModule, templates: TemplateProject, visited: Set<string>): boolean {
  if (visited.has(template.path)) return false;
  visited.add(template.path);
  if (template.outline.tags.some((tag) => tag.name === 'csrf_token')) return true;
  const referenced = [template.outline.extendsTag, ...template.outline.includes].flatMap((tag) => {
    const argument = tag?.bits[1]?.text;
    return argument && /^(["']).*\1$/.test(argument) ? [argument.slice(1, -1)] : [];
  });
  return referenced.some((name) => templates.byName(name).slice(0, 1).some((next) => holdsCsrfToken(next, templates, visited)));
}
