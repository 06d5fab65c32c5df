import { Q } from '../analysis/python/qualified-names.js';
import { cachePageIndex, decoratorTarget, isVaryOnCookie, wholeLines } from './python-helpers.js';
import type { Rule } from './rule.js';

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
  checkPython({ module, report }) {
    const decorated = [...module.facts.functions, ...module.facts.classes];
    for (const definition of decorated) {
      const cachePage = cachePageIndex(definition, module);
      if (cachePage < 0) continue;
      definition.decorators.slice(0, cachePage).forEach((decorator) => {
        const target = decoratorTarget(decorator, module);
        if (!isVaryOnCookie(target.expr, target.qualified) && target.qualified !== Q.varyOnHeaders) return;
        const moved = wholeLines(module, decorator.atSpan);
        const below = wholeLines(module, definition.decorators[cachePage].atSpan);
        const sameLines = module.lines.positionAt(decorator.atSpan.end).line === module.lines.positionAt(definition.decorators[cachePage].atSpan.start).line;
        report({
          span: decorator.span,
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
      });
    }
  },
};
