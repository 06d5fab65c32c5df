import type { Expr } from '../analysis/python/expr.js';
import type { KeyScope } from '../analysis/python/key-template.js';
import { pageCacheUses } from './view-resolution.js';
import type { Rule } from './rule.js';

export const cache010: Rule = {
  code: 'CACHE010',
  name: 'cache-page-none',
  severity: 'warning',
  span: 'the timeout argument',
  fix: 'unsafe',
  lessonSection: 'per-view-cache',
  docs: {
    summary: '`cache_page(None)`, written in the belief that it caches the page forever.',
    why:
      'For cache_page, `None` does not mean "forever": Django falls back to the response\'s max-age or to CACHE_MIDDLEWARE_SECONDS (600 seconds by default), so the page expires after ten minutes and sends `max-age=600` to browsers.',
    example: '@cache_page(None)\ndef pricing(request):\n    ...',
    useInstead: '@cache_page(60 * 60 * 24)   # say how long you mean\ndef pricing(request):\n    ...',
    cannotSee: 'Only a literal `None` (or a constant holding it) is recognised.',
  },
  checkPython({ module, project, config, report }) {
    // A name bound to cache_page(None) and applied twice is one call to report.
    const calls = new Set(pageCacheUses(module, project).flatMap((use) => (use.cachePage ? [use.cachePage] : [])));
    for (const call of calls) {
      if (call.kind !== 'call') continue;
      const timeout = call.keywords.timeout ?? call.args[0];
      if (!timeout || !isNone(timeout, project.keyScope(module, -1))) continue;
      report({
        span: timeout,
        message: 'cache_page(None) does not cache forever: Django falls back to max-age or CACHE_MIDDLEWARE_SECONDS (600 s by default). Give the timeout you mean.',
        fixes: [{ title: `Use ${config.defaultTimeout} seconds`, safety: 'unsafe', edits: [{ span: timeout, newText: String(config.defaultTimeout) }] }],
      });
    }
  },
};

/** A literal None, or a (module-level or imported) constant holding it. */
function isNone(expr: Expr, scope: KeyScope): boolean {
  let current: { expr: Expr; scope: KeyScope } | undefined = { expr, scope };
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.expr.kind === 'none') return true;
    current = current.expr.kind === 'name' || current.expr.kind === 'attribute' ? current.scope.valueOf(current.expr) : undefined;
  }
  return false;
}
