import type { Expr } from '../analysis/python/expr.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import type { Report, Rule, SpanEdit } from './rule.js';
import { assignmentsInForce, constantSetting } from './settings-helpers.js';
import { wholeLines } from './python-helpers.js';

const UPDATE = 'django.middleware.cache.UpdateCacheMiddleware';
const FETCH = 'django.middleware.cache.FetchFromCacheMiddleware';
/** Middleware that add to the Vary header (Django's documentation, "Order of MIDDLEWARE"). */
const VARY_MIDDLEWARE = new Set([
  'django.contrib.sessions.middleware.SessionMiddleware',
  'django.middleware.locale.LocaleMiddleware',
  'django.middleware.gzip.GZipMiddleware',
]);

export const cache005: Rule = {
  code: 'CACHE005',
  name: 'cache-middleware-order',
  severity: 'warning',
  span: 'the misplaced entry',
  fix: 'unsafe',
  lessonSection: 'site-cache',
  docs: {
    summary: '`UpdateCacheMiddleware` listed after a middleware that adds to `Vary` (Session, Locale, GZip), or `FetchFromCacheMiddleware` listed before one.',
    why:
      'Responses pass through middleware bottom-up. If UpdateCacheMiddleware runs before SessionMiddleware has added `Vary: Cookie`, the page is stored without it and one user\'s page is served to the next. FetchFromCacheMiddleware placed too early answers before the request is fully known.',
    example: 'MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n    "django.middleware.cache.UpdateCacheMiddleware",\n    "django.middleware.common.CommonMiddleware",\n    "django.middleware.cache.FetchFromCacheMiddleware",\n]',
    useInstead: 'MIDDLEWARE = [\n    "django.middleware.cache.UpdateCacheMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n    "django.middleware.common.CommonMiddleware",\n    "django.middleware.cache.FetchFromCacheMiddleware",\n]',
    cannotSee:
      'Only literal MIDDLEWARE lists (and constants) are read, and `MIDDLEWARE += (...)` appending UpdateCacheMiddleware to a list that already adds to Vary (no fix is offered there: the entry has to move into the base list); lists built with `insert()` or comprehensions are not. Third-party middleware that add to Vary are not known.',
  },
  checkPython({ module, project, report }) {
    checkExtensions(module, project, report);
    for (const assignment of assignmentsInForce(module, 'MIDDLEWARE')) {
      if (assignment.value.kind !== 'sequence') continue;
      const items = assignment.value.items;
      const names = items.map((item) => constantSetting(project, module, item));
      const varyPositions = names.flatMap((name, index) => (typeof name === 'string' && VARY_MIDDLEWARE.has(name) ? [index] : []));
      if (varyPositions.length === 0) continue;
      const firstVary = varyPositions[0];
      const lastVary = varyPositions[varyPositions.length - 1];
      names.forEach((name, index) => {
        if (name === UPDATE && index > firstVary) {
          report({
            span: items[index],
            message: `UpdateCacheMiddleware comes after ${shortName(names[firstVary])}, which adds to the Vary header: pages are stored before Vary is set and served to the wrong users. Put it first.`,
            fixes: [{ title: 'Move UpdateCacheMiddleware before the middleware that add to Vary', safety: 'unsafe', edits: moveItem(module, items, index, firstVary, 'before') }],
          });
        } else if (name === FETCH && index < lastVary) {
          report({
            span: items[index],
            message: `FetchFromCacheMiddleware comes before ${shortName(names[lastVary])}, which adds to the Vary header: it must come after every such middleware. Put it last.`,
            fixes: [{ title: 'Move FetchFromCacheMiddleware after the middleware that add to Vary', safety: 'unsafe', edits: moveItem(module, items, index, lastVary, 'after') }],
          });
        }
      });
    }
  },
};

/**
 * `MIDDLEWARE += (...)` appending UpdateCacheMiddleware to a list (star-imported or earlier) that
 * already holds a middleware adding to Vary: the appended entry runs its response phase first.
 */
function checkExtensions(module: PyModule, project: PythonProject, report: (report: Report) => void): void {
  for (const extension of module.facts.extensions) {
    if (extension.name !== 'MIDDLEWARE' || extension.guard === 'debug' || extension.value.kind !== 'sequence') continue;
    const base = module.facts.assignments.filter((assignment) => assignment.name === 'MIDDLEWARE' && assignment.span.start < extension.span.start).pop()?.value ?? project.resolveConstant(module, 'MIDDLEWARE')?.expr;
    if (base?.kind !== 'sequence') continue;
    const vary = base.items.map((item) => constantSetting(project, module, item)).find((name) => typeof name === 'string' && VARY_MIDDLEWARE.has(name));
    if (!vary) continue;
    for (const item of extension.value.items) {
      if (constantSetting(project, module, item) !== UPDATE) continue;
      report({
        span: item,
        message: `UpdateCacheMiddleware is appended after ${shortName(vary)}, which adds to the Vary header: pages are stored before Vary is set and served to the wrong users. It must come first in MIDDLEWARE.`,
      });
    }
  }
}

function shortName(name: string | number | undefined): string {
  return String(name).split('.').pop() ?? String(name);
}

/** Moves a list item's line next to another's when each item has a line of its own; otherwise swaps the texts. */
function moveItem(module: PyModule, items: Expr[], from: number, to: number, where: 'before' | 'after'): SpanEdit[] {
  const lineOf = (expr: Expr): number => module.lines.positionAt(expr.start).line;
  const ownLines = new Set(items.map(lineOf)).size === items.length && items.every((item) => lineOf(item) === module.lines.positionAt(item.end).line);
  if (ownLines) {
    const moved = wholeLines(module, items[from]);
    const target = wholeLines(module, items[to]);
    let text = module.text.slice(moved.start, moved.end);
    if (!/[\r\n]$/.test(text)) text += module.lines.eol;
    if (!/,\s*(#.*)?[\r\n]*$/.test(text)) text = text.replace(/(\s*(#.*)?)([\r\n]*)$/, ',$1$3');
    const insertAt = where === 'before' ? target.start : target.end;
    const edits: SpanEdit[] = [
      { span: moved, newText: '' },
      { span: { start: insertAt, end: insertAt }, newText: text },
    ];
    // An entry moved below a last item without a trailing comma would be glued to it ("a" "b" is one string).
    const afterTarget = module.text.slice(items[to].end, target.end);
    if (where === 'after' && !/^\s*,/.test(afterTarget)) edits.push({ span: { start: items[to].end, end: items[to].end }, newText: ',' });
    return edits;
  }
  const order = items.map((_, index) => index).filter((index) => index !== from);
  order.splice(order.indexOf(to) + (where === 'after' ? 1 : 0), 0, from);
  return items.map((item, position) => ({ span: item, newText: module.text.slice(items[order[position]].start, items[order[position]].end) }));
}
