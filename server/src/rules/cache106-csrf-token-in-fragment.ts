import type { Rule } from './rule.js';
import { bodyCoverage, completeCacheBlocks } from './template-helpers.js';

export const cache106: Rule = {
  code: 'CACHE106',
  name: 'csrf-token-in-fragment',
  severity: 'error',
  span: 'the `{% csrf_token %}` tag',
  fix: 'none',
  lessonSection: 'template-fragments',
  docs: {
    summary: '`{% csrf_token %}` (or `{{ csrf_token }}`) inside a `{% cache %}` block.',
    why:
      'The fragment is rendered once and its text, token included, is served to every later visitor. For them the tag never runs, so no CSRF cookie is set (or the one they have holds another secret), and Django rejects their form posts with 403 Forbidden until the fragment expires; the first visitor\'s token is handed to everyone as well.',
    example: '{% load cache %}\n{% cache 600 newsletter %}\n<form method="post">{% csrf_token %}{{ form }}</form>\n{% endcache %}',
    useInstead: '{% load cache %}\n<form method="post">{% csrf_token %}\n{% cache 600 newsletter_fields %}{{ form }}{% endcache %}\n</form>',
    cannotSee:
      'Only tokens written in the template itself are seen: a `{% csrf_token %}` in an `{% include %}`d template or produced by a custom tag or form renderer inside the block is not. A `{% cache %}` block without its `{% endcache %}` (the template does not compile yet) is not checked.',
  },
  checkTemplate({ template, report }) {
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
  },
};
