import type { Rule } from './rule.js';
import type { TemplateModule } from '../analysis/template/project.js';
import { bodyCoverage, completeCacheBlocks, includedInBlock } from './template-helpers.js';

export const cache106: Rule = {
  code: 'CACHE106',
  name: 'csrf-token-in-fragment',
  severity: 'error',
  span: 'the `{% csrf_token %}` tag, or the `{% include %}` that brings one into the block',
  fix: 'none',
  lessonSection: 'template-fragments',
  docs: {
    summary: '`{% csrf_token %}` (or `{{ csrf_token }}`) inside a `{% cache %}` block.',
    why:
      'The fragment is rendered once and its text, token included, is served to every later visitor. For them the tag never runs, so no CSRF cookie is set (or the one they have holds another secret), and Django rejects their form posts with 403 Forbidden until the fragment expires; the first visitor\'s token is handed to everyone as well.',
    example: '{% load cache %}\n{% cache 600 newsletter %}\n<form method="post">{% csrf_token %}{{ form }}</form>\n{% endcache %}',
    useInstead: '{% load cache %}\n<form method="post">{% csrf_token %}\n{% cache 600 newsletter_fields %}{{ form }}{% endcache %}\n</form>',
    cannotSee:
      'Tokens written in the template itself and in templates it `{% include %}`s inside the block with a literal name are seen; a token produced by a custom tag or a form renderer inside the block is not. A `{% cache %}` block without its `{% endcache %}` (the template does not compile yet) is not checked.',
  },
  checkTemplate({ template, templates, report }) {
    const blocks = completeCacheBlocks(template).map(({ block }) => block);
    if (blocks.length === 0) return;
    const cached = bodyCoverage(blocks);
    const tokens = [
      ...template.outline.tags.filter((tag) => tag.name === 'csrf_token').map((tag) => ({ start: tag.token.start, end: tag.token.end, what: '{% csrf_token %}' })),
      ...template.outline.variables
        .filter((variable) => /^csrf_token(?![\p{L}\p{N}_.])/u.test(variable.expression))
        .map((variable) => ({ start: variable.token.start, end: variable.token.end, what: '{{ csrf_token }}' })),
    ].sort((a, b) => a.start - b.start);
    for (const token of tokens) {
      if (!cached(token.start)) continue;
      report({
        span: { start: token.start, end: token.end },
        message: `${token.what} inside a cached fragment: the first visitor's token is stored and served to everyone, who get no matching CSRF cookie, so their form posts fail with 403. Move it out of the {% cache %} block.`,
      });
    }
    const reported = new Set<number>();
    for (const block of blocks) {
      for (const { tag, template: included } of includedInBlock(template, block, templates)) {
        if (reported.has(tag.token.start) || !holdsToken(included)) continue;
        reported.add(tag.token.start);
        report({
          span: { start: tag.token.start, end: tag.token.end },
          message: `${included.name} holds {% csrf_token %} and is included inside a cached fragment: the first visitor's token is stored and served to everyone, whose form posts then fail with 403. Include it outside the {% cache %} block.`,
        });
      }
    }
  },
};

function holdsToken(template: TemplateModule): boolean {
  return template.outline.tags.some((tag) => tag.name === 'csrf_token') || template.outline.variables.some((variable) => /^csrf_token(?![\p{L}\p{N}_.])/u.test(variable.expression));
}
