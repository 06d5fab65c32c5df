import type { Decorator } from '../analysis/python/facts.js';
import type { Expr } from '../analysis/python/expr.js';
import type { PyModule } from '../analysis/python/project.js';
import { Q } from '../analysis/python/qualified-names.js';
import { importEdits, indentationAt, isVaryOnCookie, localNameOf, protectsPerUser, wholeLines } from './python-helpers.js';
import { browsableApiEvidence } from './drf-browsable-api.js';
import { perUserEvidence, type PerUserEvidence } from './page-content.js';
import type { FixSpec, Rule, SpanEdit } from './rule.js';
import { pageCacheUses } from './view-resolution.js';

export const cache004: Rule = {
  code: 'CACHE004',
  name: 'page-cache-per-user',
  severity: 'warning',
  span: 'the cache_page decorator or call',
  fix: 'safe',
  lessonSection: 'per-view-cache',
  docs: {
    summary: '`cache_page`, applied anywhere (a decorator, `method_decorator`, `cache_page(t)(view)` in urls.py), on a page that differs per user: its GET code reads `request.user`, `request.session` or `request.COOKIES` in a way that changes the body, or a template it renders shows the visitor\'s data (`user`, `perms`, `request.user`, `messages`), or it is a Django REST framework view rendered as the browsable API for logged-in browser sessions, with nothing below it that varies the cache on the cookie.',
    why:
      'cache_page stores the response inside the view, before SessionMiddleware adds `Vary: Cookie`, and keys it on the URL alone. The first visitor\'s page — the navigation bar with their name, their basket, their messages — is served to everyone who asks for the same URL until it expires.',
    example: '@cache_page(60 * 15)\ndef catalogue(request):\n    # catalogue.html extends base.html, whose navbar shows {{ user.username }}\n    return render(request, "shop/catalogue.html", {"books": Book.objects.all()})',
    useInstead: '@cache_page(60 * 15)\n@vary_on_cookie\ndef catalogue(request):\n    return render(request, "shop/catalogue.html", {"books": Book.objects.all()})',
    cannotSee:
      'It follows the view to its code and templates: function views, class-based views (their methods and those of the project\'s own base classes and mixins), `View.as_view(...)` and `as_view(template_name=...)`, DRF action maps, generic views\' default templates, and the templates\' `{% extends %}` and `{% include %}` chain when names are string literals. Templates chosen at run time, inclusion tags and custom tags, and context processors other than Django\'s auth, request and messages are not followed; a mixin that applies cache_page is checked only on its own methods. A read of `request.user` only to refuse the request (a redirect, a 403/404, `PermissionDenied`), in `post()`/`form_valid()`-style methods or under `if request.method == "POST":` does not count. `vary_on_cookie`, `vary_on_headers("Cookie")`, `cache_control(private=True)` and `never_cache` below cache_page, and `patch_vary_headers(response, ["Cookie"])` in the view, count as protection. A Cookie vary decorator above cache_page is CACHE009\'s finding, not this rule\'s. A Django REST framework view counts as per-user when it answers browsers with the browsable API (`BrowsableAPIRenderer` in its `renderer_classes`, else in REST_FRAMEWORK\'s `DEFAULT_RENDERER_CLASSES`, else DRF\'s default) and knows them by session (`SessionAuthentication`, likewise): that HTML shows the signed-in user and a CSRF token, and DRF varies only on Accept. Renderer lists it cannot read keep it quiet.',
  },
  checkPython(context) {
    const { module, project, templates, report } = context;
    for (const use of pageCacheUses(module, project)) {
      if (use.below.some((applied) => protectsPerUser(applied.expr, applied.qualified))) continue;
      // A Cookie vary decorator above cache_page is CACHE009's finding (moving it fixes both).
      if (use.above.some((applied) => isVaryOnCookie(applied.expr, applied.qualified))) continue;
      if (use.views.some((view) => view.fn.patchesVaryCookie)) continue;
      const fix = use.decorator ? varyFix(module, use.decorator, use.viaMethodDecorator) : use.wrappedView ? wrapFix(module, use.wrappedView) : undefined;
      // context.templateSettings is read only here (it parses the settings that assign TEMPLATES).
      const evidence = perUserEvidence(use, project, templates, context.templateSettings);
      if (evidence) {
        report({ span: use.span, message: messageFor(module, evidence, use.decorator !== null), fixes: fix ? [fix] : [] });
        continue;
      }
      const browsable = browsableApiEvidence(use, project);
      if (browsable) {
        const remedy = use.decorator ? 'with no @vary_on_cookie below it' : 'and nothing varies it on the cookie';
        report({
          span: use.span,
          message: `cache_page on a Django REST framework view rendered as the browsable API (BrowsableAPIRenderer, from ${browsable.source}) for logged-in browser sessions, ${remedy}: the HTML page shows the first visitor's username and a CSRF token, and is served to every later browser visitor (DRF varies only on Accept).`,
          fixes: fix ? [fix] : [],
        });
      }
    }
  },
};

function messageFor(module: PyModule, evidence: PerUserEvidence, decorated: boolean): string {
  // Paths may be absolute (the language server's): the file's own name is enough to find the line.
  const where = evidence.kind === 'code' ? (evidence.path === module.path ? `line ${evidence.line}` : `${evidence.path.split('/').pop()}:${evidence.line}`) : '';
  const shows =
    evidence.kind === 'template' ? `${evidence.template.name}:${evidence.line} shows ${evidence.what}` : `its GET code reads ${evidence.what} (${where})`;
  const remedy = decorated ? 'with no @vary_on_cookie below it' : 'and nothing varies it on the cookie';
  return `cache_page on a page that differs per user (${shows}), ${remedy}: the first visitor's page is served to everyone.`;
}

function wrapFix(module: PyModule, view: Expr): FixSpec {
  const name = localNameOf(module, Q.varyOnCookie) ?? 'vary_on_cookie';
  return {
    title: 'Wrap the view in vary_on_cookie',
    safety: 'safe',
    edits: [
      { span: { start: view.start, end: view.start }, newText: `${name}(` },
      { span: { start: view.end, end: view.end }, newText: ')' },
      ...varyImportEdits(module),
    ],
  };
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
function varyImportEdits(module: PyModule): readonly SpanEdit[] {
  return localNameOf(module, Q.varyOnCookie) ? [] : importEdits(module, 'django.views.decorators.vary', 'vary_on_cookie');
}

