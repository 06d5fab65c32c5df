import type { TemplateModule } from '../analysis/template/project.js';
import type { FixSpec, Rule } from './rule.js';

export const cache103: Rule = {
  code: 'CACHE103',
  name: 'cache-tag-not-loaded',
  severity: 'error',
  span: 'the `{% cache %}` tag',
  fix: 'safe',
  lessonSection: 'template-fragments',
  docs: {
    summary: 'A template uses `{% cache %}` without `{% load cache %}` before it.',
    why:
      '`cache` is not a built-in tag: without the load, Django refuses to compile the template ("Invalid block tag … \'cache\'") and the page fails with a server error. Loads are per template file, so a `{% load cache %}` in the parent of an `{% extends %}` or in an included template does not count.',
    example: '{% extends "base.html" %}\n{% block content %}\n{% cache 600 book_grid %}…{% endcache %}\n{% endblock %}',
    useInstead: '{% extends "base.html" %}\n{% load cache %}\n{% block content %}\n{% cache 600 book_grid %}…{% endcache %}\n{% endblock %}',
    cannotSee:
      'Only `django.templatetags.cache` in some DjangoTemplates backend\'s `OPTIONS["builtins"]` is recognised as making the tag available everywhere; a custom library registered under the name `cache` in `OPTIONS["libraries"]` is taken to be Django\'s. Only the first `{% cache %}` without a load is reported: Django stops there.',
  },
  checkTemplate({ template, settings, report }) {
    if (settings.cacheTagIsBuiltin) return;
    const first = template.outline.tags.find((tag) => tag.name === 'cache');
    if (!first) return;
    const loadsBefore = template.outline.loads.filter((load) => load.tag.token.start < first.token.start);
    const loaded = loadsBefore.some((load) => load.libraries.includes('cache') || (load.fromForm?.library === 'cache' && load.fromForm.names.includes('cache')));
    if (loaded) return;
    const fix = loadFix(template, first.token.start);
    report({
      span: { start: first.token.start, end: first.token.end },
      message: '{% cache %} is used without {% load cache %} before it in this template: Django refuses to compile the template (loads are not inherited from {% extends %} or {% include %}).',
      fixes: fix ? [fix] : [],
    });
  },
};

/** Adds `cache` to a `{% load … %}` before the tag, or a `{% load cache %}` after `{% extends %}`, or at the very top. */
function loadFix(template: TemplateModule, before: number): FixSpec | undefined {
  const title = 'Load the cache tag library';
  const existing = template.outline.loads.find((load) => !load.fromForm && load.libraries.length > 0 && load.tag.token.start < before);
  if (existing) {
    const end = existing.tag.token.contentsStart + existing.tag.token.contents.length;
    return { title: 'Add cache to the {% load %} tag', safety: 'safe', edits: [{ span: { start: end, end }, newText: ' cache' }] };
  }
  const extendsTag = template.outline.extendsTag;
  if (extendsTag) {
    // `{% extends %}` must stay the first tag; text outside blocks of a child template is not rendered.
    if (extendsTag.token.start > before) return undefined;
    const at = extendsTag.token.end;
    return { title, safety: 'safe', edits: [{ span: { start: at, end: at }, newText: `${template.lines.eol}{% load cache %}` }] };
  }
  // No line break after it: a template that does not extend another renders its text, a leading new line would show.
  const at = template.text.startsWith('\uFEFF') ? 1 : 0;
  return { title, safety: 'safe', edits: [{ span: { start: at, end: at }, newText: '{% load cache %}' }] };
}
