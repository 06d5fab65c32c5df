import { qualify, type Decorator, type FunctionFacts } from '../analysis/python/facts.js';
import type { Expr } from '../analysis/python/expr.js';
import type { PyModule } from '../analysis/python/project.js';
import { Q } from '../analysis/python/qualified-names.js';
import type { Span } from '../analysis/types.js';
import { cachePageIndex, decoratorTarget, importEdits, indentationAt, isVaryOnCookie, localNameOf, protectsPerUser, wholeLines } from './python-helpers.js';
import type { FixSpec, Rule, SpanEdit } from './rule.js';
import { classMethods, resolveView } from './view-resolution.js';

export const cache004: Rule = {
  code: 'CACHE004',
  name: 'page-cache-per-user',
  severity: 'warning',
  span: 'the cache_page decorator or call',
  fix: 'safe',
  lessonSection: 'per-view-cache',
  docs: {
    summary: '`@cache_page` (or `cache_page(...)(view)`) on a view that reads `request.user`, `request.session` or `request.COOKIES`, with nothing below it that varies the cache on the cookie.',
    why:
      'cache_page keys the stored page on the URL (and headers named in Vary). A view that renders per-user data is stored once and the first visitor\'s page — their name, basket, messages — is served to everyone who asks for the same URL.',
    example: '@cache_page(60 * 15)\ndef account(request):\n    return render(request, "account.html", {"orders": request.user.orders.all()})',
    useInstead: '@cache_page(60 * 15)\n@vary_on_cookie\ndef account(request):\n    ...\n\n# or do not page-cache per-user views; cache the expensive parts with keys that include the user',
    cannotSee:
      'It reads the view body (and, for class-based views, every method of the class) for direct reads of the request\'s user, session and cookies. User data reached only through helpers, context processors or the template (`{{ user }}`) is not followed. `vary_on_cookie`, `vary_on_headers("Cookie")`, `cache_control(private=True)` and `never_cache` below cache_page, and `patch_vary_headers(response, ["Cookie"])` in the view, count as protection. A Cookie vary decorator above cache_page is CACHE009\'s finding, not this rule\'s.',
  },
  checkPython({ module, project, report }) {
    for (const fn of module.facts.functions) {
      const cachePage = cachePageIndex(fn, module);
      if (cachePage < 0) continue;
      const views = fn.className ? methodsOf(module, fn.className) : [fn];
      checkDecorated(module, fn.decorators, cachePage, views, report);
    }
    for (const cls of module.facts.classes) {
      const cachePage = cachePageIndex(cls, module);
      if (cachePage >= 0) checkDecorated(module, cls.decorators, cachePage, methodsOf(module, cls.name), report);
    }
    for (const wrapped of module.facts.wrappedViews) {
      const views = resolveView(project, module, wrapped.view)?.views.map((view) => view.fn);
      if (!views || !readsUserState(views)) continue;
      if (isVaryWrapped(module, wrapped.view)) continue;
      const name = localNameOf(module, Q.varyOnCookie) ?? 'vary_on_cookie';
      report({
        span: wrapped.cachePageSpan,
        message: `cache_page wraps a view that reads ${describeReads(views)}: the first visitor's page is served to everyone. Wrap the view in vary_on_cookie first.`,
        fixes: [
          {
            title: 'Wrap the view in vary_on_cookie',
            safety: 'safe',
            edits: [
              { span: { start: wrapped.view.start, end: wrapped.view.start }, newText: `${name}(` },
              { span: { start: wrapped.view.end, end: wrapped.view.end }, newText: ')' },
              ...varyImportEdits(module),
            ],
          },
        ],
      });
    }
  },
};

function checkDecorated(module: PyModule, decorators: Decorator[], cachePage: number, views: FunctionFacts[], report: (r: { span: Span; message: string; fixes?: FixSpec[] }) => void): void {
  if (!readsUserState(views)) return;
  if (views.some((view) => view.patchesVaryCookie)) return;
  const targets = decorators.map((decorator) => decoratorTarget(decorator, module));
  if (targets.slice(cachePage + 1).some((target) => protectsPerUser(target.expr, target.qualified))) return;
  // A Cookie vary decorator above cache_page is CACHE009's finding (moving it fixes both); another vary header leaves the leak to this rule.
  if (targets.slice(0, cachePage).some((target) => isVaryOnCookie(target.expr, target.qualified))) return;
  const decorator = decorators[cachePage];
  report({
    span: decorator.span,
    message: `cache_page on a view that reads ${describeReads(views)}, with no @vary_on_cookie below it: the first visitor's page is served to everyone.`,
    fixes: [varyFix(module, decorator, targets[cachePage].viaMethodDecorator)],
  });
}

function varyFix(module: PyModule, decorator: Decorator, viaMethodDecorator: boolean): FixSpec {
  const line = wholeLines(module, decorator.atSpan);
  const indentation = indentationAt(module, decorator.atSpan.start);
  const vary = localNameOf(module, Q.varyOnCookie) ?? 'vary_on_cookie';
  let text = `@${vary}`;
  if (viaMethodDecorator && decorator.expr.kind === 'call') {
    const methodDecorator = module.text.slice(decorator.expr.callee.start, decorator.expr.callee.end);
    const name = decorator.expr.keywords.name;
    text = `@${methodDecorator}(${vary}${name ? `, name=${module.text.slice(name.start, name.end)}` : ''})`;
  }
  const eol = module.lines.eol;
  const endsWithBreak = /[\r\n]$/.test(module.text.slice(line.start, line.end));
  return {
    title: 'Add @vary_on_cookie below @cache_page',
    safety: 'safe',
    edits: [
      { span: { start: line.end, end: line.end }, newText: `${endsWithBreak ? '' : eol}${indentation}${text}${endsWithBreak ? eol : ''}` },
      ...varyImportEdits(module),
    ],
  };
}

/** The vary_on_cookie import, unless it is already imported (under any name: the fix uses that name). */
function varyImportEdits(module: PyModule): SpanEdit[] {
  return localNameOf(module, Q.varyOnCookie) ? [] : importEdits(module, 'django.views.decorators.vary', 'vary_on_cookie');
}

function methodsOf(module: PyModule, className: string): FunctionFacts[] {
  return classMethods(module, className).map((method) => method.fn);
}

function readsUserState(views: FunctionFacts[]): boolean {
  return views.some((view) => view.userStateReads.length > 0);
}

function describeReads(views: FunctionFacts[]): string {
  const kinds = new Set(views.flatMap((view) => view.userStateReads.map((read) => `request.${read.kind}`)));
  return [...kinds].join(', ');
}

function isVaryWrapped(module: PyModule, view: Expr): boolean {
  if (view.kind !== 'call') return false;
  const qualified = qualify(view.callee, module.facts.bindings);
  return qualified === Q.varyOnCookie || (view.callee.kind === 'call' && protectsPerUser(view.callee, qualify(view.callee.callee, module.facts.bindings)));
}
