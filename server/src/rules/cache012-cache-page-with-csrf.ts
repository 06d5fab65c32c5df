import { Q } from '../analysis/python/qualified-names.js';
import { csrfTokenTemplate } from './page-content.js';
import { protectsPerUser } from './python-helpers.js';
import type { Rule } from './rule.js';
import { pageCacheUses } from './view-resolution.js';

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
      'It resolves the view as CACHE004 does (every form of cache_page, class-based views and their project base classes, `as_view(template_name=...)`, generic views\' default templates) and follows `{% extends %}` and `{% include %}` with literal names; a token is `{% csrf_token %}`, `{{ csrf_token }}` or Jinja2\'s `{{ csrf_input }}`. Templates chosen at run time and tokens added by other means (`get_token()` in Python, form renderers) are not seen. `@csrf_protect` below `@cache_page` is the documented remedy and keeps it quiet, as does a Cookie vary below it (each visitor then gets the page stored for their own cookie).',
  },
  checkPython({ module, project, templates, report }) {
    for (const use of pageCacheUses(module, project)) {
      // csrf_protect sets the cookie on every response; a Cookie vary keeps each visitor's token with their cookie.
      if (use.below.some((applied) => applied.qualified === Q.csrfProtect || protectsPerUser(applied.expr, applied.qualified))) continue;
      const withToken = csrfTokenTemplate(use, project, templates);
      if (!withToken) continue;
      report({
        span: use.span,
        message: `cache_page on a view whose template ${withToken.template.name}:${withToken.line} holds a CSRF token: the first visitor's token is cached without its cookie, so later visitors' forms fail with 403. Add @csrf_protect below it, or do not page-cache this view.`,
      });
    }
  },
};
