import type { Decorator } from '../analysis/python/facts.js';
import { Q } from '../analysis/python/qualified-names.js';
import { isVaryOnCookie, wholeLines } from './python-helpers.js';
import type { Rule } from './rule.js';
import { pageCacheUses } from './view-resolution.js';

export const cache009: Rule = {
  code: 'CACHE009',
  name: 'vary-above-cache-page',
  severity: 'warning',
  span: 'the vary decorator',
  fix: 'safe',
  lessonSection: 'per-view-cache',
  docs: {
    summary: '`@vary_on_cookie` or `@vary_on_headers(...)` written above `@cache_page`.',
    why:
      'Decorators apply bottom-up, so `cache_page` wraps the view first and stores the response before the vary decorator above it adds the Vary header. The stored page has no `Vary: Cookie` and is served to every user.',
    example: '@vary_on_cookie\n@cache_page(60 * 15)\ndef dashboard(request):\n    ...',
    useInstead: '@cache_page(60 * 15)\n@vary_on_cookie\ndef dashboard(request):\n    ...',
    cannotSee: 'Decorators applied by assignment (`view = vary_on_cookie(cache_page(60)(view))`) and custom decorators that set Vary are not read.',
  },
  checkPython({ module, project, report }) {
    for (const use of pageCacheUses(module, project)) {
      const cachePageDecorator = use.decorator;
      if (!cachePageDecorator) continue;
      const reported = new Set<Decorator>();
      for (const applied of use.above) {
        if (!isVaryOnCookie(applied.expr, applied.qualified) && applied.qualified !== Q.varyOnHeaders) continue;
        const decorator = applied.decorator;
        if (!decorator || reported.has(decorator)) continue;
        reported.add(decorator);
        // In one decorator list, or on one line with cache_page: moving whole lines cannot reorder them.
        const sameLines = decorator === cachePageDecorator || module.lines.positionAt(decorator.atSpan.end).line === module.lines.positionAt(cachePageDecorator.atSpan.start).line;
        const moved = wholeLines(module, decorator.atSpan);
        const below = wholeLines(module, cachePageDecorator.atSpan);
        report({
          span: decorator === cachePageDecorator ? applied.expr : decorator.span,
          message: 'This vary decorator is above @cache_page, so the page is cached before the Vary header is added and is still served to every user. Move it below @cache_page.',
          fixes: sameLines
            ? []
            : [
                {
                  title: 'Move it below @cache_page',
                  safety: 'safe',
                  edits: [
                    { span: moved, newText: '' },
                    { span: { start: below.end, end: below.end }, newText: module.text.slice(moved.start, moved.end) },
                  ],
                },
              ],
        });
      }
    }
  },
};
