/**
 * Where `cache_page` is applied and what the cached page is made of: one resolution for CACHE004,
 * CACHE009, CACHE010 and CACHE012.
 *
 * Forms: `@cache_page(t)`, `@method_decorator(cache_page(t))` on a method, `@method_decorator(cache_page(t),
 * name="dispatch")` on a class (also inside a decorator list), `cache_page(t)(view)` and
 * `cache_page(t)(View.as_view(...))` (urls.py), and a name bound to `cache_page(t)` applied later.
 * A view resolves to the functions a GET runs (the function, or the class's methods, inherited from
 * the project's own base classes too) and the templates it renders.
 */
import type { Expr } from '../analysis/python/expr.js';
import { qualify, type ClassFacts, type Decorator, type FunctionFacts, type ViewAttribute } from '../analysis/python/facts.js';
import { constantValue } from '../analysis/python/key-template.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import { boundCachePage, flattened, isCachePage, type AppliedDecorator } from '../analysis/python/page-cache.js';
import { Q } from '../analysis/python/qualified-names.js';
import type { Span } from '../analysis/types.js';
import { groupedByFunction, indexOfFunction } from '../analysis/python/function-lookup.js';

export interface ViewFunction {
  module: PyModule;
  fn: FunctionFacts;
}

export interface ViewClass {
  module: PyModule;
  cls: ClassFacts;
}

export interface PageCacheUse {
  /** What a finding underlines: the `cache_page(...)` expression. */
  span: Span;
  /** The `cache_page(...)` call (null when only a name bound to one was seen). */
  cachePage: Expr | null;
  /** Applied after cache_page (written above it): they act on the stored response too late. */
  above: AppliedDecorator[];
  /** Applied before cache_page (written below it, or wrapping the view inside the call). */
  below: AppliedDecorator[];
  /** The `@` decorator that holds cache_page, when it is written as one. */
  decorator: Decorator | null;
  viaMethodDecorator: boolean;
  /** For `cache_page(t)(view)`: the view expression. */
  wrappedView: Expr | null;
  /** The functions that run for a GET or HEAD. */
  views: ViewFunction[];
  /** For class-based views: the class and its project base classes, nearest first. */
  viewClasses: ViewClass[];
  /** Qualified names of library base classes (`django.views.generic.ListView`). */
  libraryBases: string[];
  /** Template names given where the view is wired (`as_view(template_name=...)`). */
  extraTemplateNames: string[];
}

/** Methods a cached GET never runs. */
const UNSAFE_METHOD_HANDLERS = new Set([
  'post', 'put', 'patch', 'delete', 'form_valid', 'form_invalid', 'perform_create', 'perform_update', 'perform_destroy',
  'create', 'update', 'partial_update', 'destroy', 'get_success_url', 'get_form_kwargs', 'get_initial', 'options',
]);

const usesByModule = new WeakMap<PyModule, { project: PythonProject; uses: PageCacheUse[] }>();

export function pageCacheUses(module: PyModule, project: PythonProject): PageCacheUse[] {
  const cached = usesByModule.get(module);
  if (cached && cached.project === project) return cached.uses;
  const uses = computeUses(module, project);
  usesByModule.set(module, { project, uses });
  return uses;
}

function computeUses(module: PyModule, project: PythonProject): PageCacheUse[] {
  const uses: PageCacheUse[] = [];
  const fromDecorators = (decorators: Decorator[], views: () => Omit<PageCacheUse, 'span' | 'cachePage' | 'above' | 'below' | 'decorator' | 'viaMethodDecorator' | 'wrappedView'>): void => {
    const applied = flattened(decorators, module);
    const index = applied.findIndex((item) => isCachePage(item.qualified));
    if (index < 0) return;
    const use = applied[index];
    const cachePage = use.qualified === Q.cachePage ? use.expr : boundCachePage(module, use.expr);
    const alone = use.decorator !== null && applied.filter((item) => item.decorator === use.decorator).length === 1;
    const resolved = views();
    // Field by field, not spread: V8 makes every later read of a spread-built object slow (see moduleFacts in facts.ts).
    uses.push({
      span: alone ? use.decorator!.span : use.expr,
      cachePage,
      above: applied.slice(0, index),
      below: applied.slice(index + 1),
      decorator: use.decorator,
      viaMethodDecorator: use.viaMethodDecorator,
      wrappedView: null,
      views: resolved.views,
      viewClasses: resolved.viewClasses,
      libraryBases: resolved.libraryBases,
      extraTemplateNames: resolved.extraTemplateNames,
    });
  };
  for (const fn of module.facts.functions) {
    // Most functions have no decorator: nothing to build for them (this runs on every keystroke).
    if (fn.decorators.length === 0) continue;
    if (fn.className) {
      const cls = module.facts.classes.find((candidate) => candidate.name === fn.className);
      fromDecorators(fn.decorators, () => (cls ? classView(project, { module, cls }) : { views: [{ module, fn }], viewClasses: [], libraryBases: [], extraTemplateNames: [] }));
    } else {
      fromDecorators(fn.decorators, () => ({ views: [{ module, fn }], viewClasses: [], libraryBases: [], extraTemplateNames: [] }));
    }
  }
  for (const cls of module.facts.classes) if (cls.decorators.length > 0) fromDecorators(cls.decorators, () => classView(project, { module, cls }));
  for (const wrapped of module.facts.wrappedViews) {
    const below: AppliedDecorator[] = [];
    const resolved = resolveWrappedView(project, module, wrapped.view, below) ?? { views: [], viewClasses: [], libraryBases: [], extraTemplateNames: [] };
    uses.push({
      span: wrapped.cachePageSpan,
      cachePage: wrapped.cachePage.kind === 'call' ? wrapped.cachePage : boundCachePage(module, wrapped.cachePage),
      above: [],
      below,
      decorator: null,
      viaMethodDecorator: false,
      wrappedView: wrapped.view,
      views: resolved.views,
      viewClasses: resolved.viewClasses,
      libraryBases: resolved.libraryBases,
      extraTemplateNames: resolved.extraTemplateNames,
    });
  }
  return uses;
}

/**
 * The view inside `cache_page(t)(...)`: a function, `View.as_view(...)`, or either wrapped in other
 * decorators (`login_required(...)`, `vary_on_cookie(...)`), which are collected into `below`.
 */
function resolveWrappedView(project: PythonProject, module: PyModule, view: Expr, below: AppliedDecorator[], depth = 0): Omit<PageCacheUse, 'span' | 'cachePage' | 'above' | 'below' | 'decorator' | 'viaMethodDecorator' | 'wrappedView'> | undefined {
  if (depth > 4) return undefined;
  if (view.kind === 'call' && view.callee.kind === 'attribute' && view.callee.attribute === 'as_view') {
    const found = resolveClass(project, module, view.callee.object);
    const libraryClass = found ? undefined : qualify(view.callee.object, module.facts.bindings);
    if (!found && !libraryClass) return undefined;
    // A library class (`TemplateView.as_view(template_name=...)`) runs none of the project's code.
    const result = found ? classView(project, found) : { views: [], viewClasses: [], libraryBases: [libraryClass!], extraTemplateNames: [] };
    const templateName = view.keywords.template_name;
    if (templateName?.kind === 'string') result.extraTemplateNames.push(templateName.value);
    // DRF viewsets: as_view({"get": "list"}) runs the mapped actions.
    const actions = view.args[0];
    if (actions?.kind === 'dict') {
      const getActions = actions.entries.flatMap((entry) => (entry.key?.kind === 'string' && /^(get|head)$/i.test(entry.key.value) && entry.value.kind === 'string' ? [entry.value.value] : []));
      if (getActions.length > 0) result.views = result.views.filter((view) => getActions.includes(view.fn.name) || !isActionHandler(view.fn.name));
    }
    return result;
  }
  if (view.kind === 'call' && view.args.length >= 1) {
    // A decorator applied by hand: it sits between cache_page and the view.
    below.push({ expr: view.callee.kind === 'call' ? view.callee : view, qualified: qualify(view.callee.kind === 'call' ? view.callee.callee : view.callee, module.facts.bindings), decorator: null, viaMethodDecorator: false });
    return resolveWrappedView(project, module, view.args[0], below, depth + 1);
  }
  const qualified = qualify(view, module.facts.bindings);
  const resolved = qualified ? project.resolveFunction(qualified, module.path) : undefined;
  return resolved ? { views: [{ module: resolved.module, fn: resolved.fn }], viewClasses: [], libraryBases: [], extraTemplateNames: [] } : undefined;
}

const ACTION_HANDLERS = new Set(['get', 'head', 'list', 'retrieve']);

function isActionHandler(name: string): boolean {
  return ACTION_HANDLERS.has(name) || UNSAFE_METHOD_HANDLERS.has(name);
}

/** A class by expression (`DetailView`, `views.BookDetail`), through imports. */
export function resolveClass(project: PythonProject, module: PyModule, expr: Expr): ViewClass | undefined {
  const qualified = qualify(expr, module.facts.bindings);
  if (!qualified) return undefined;
  const target = project.resolveQualified(qualified, module.path);
  const className = target?.rest.join('.');
  if (!target || !className) return undefined;
  const cls = target.module.facts.classes.find((candidate) => candidate.name === className);
  if (cls) return { module: target.module, cls };
  // A re-export (`from .detail import BookDetail` in views/__init__.py).
  const reexport = target.module.facts.bindings[target.rest[0]];
  if (reexport && !reexport.startsWith('<local>.') && target.rest.length === 1 && target.module !== module) {
    const next = project.resolveQualified(reexport, target.module.path);
    const nextClass = next?.module.facts.classes.find((candidate) => candidate.name === next.rest.join('.'));
    if (next && nextClass) return { module: next.module, cls: nextClass };
  }
  return undefined;
}

/** A class-based view: its GET methods, inherited ones included, and its library bases. */
function classView(project: PythonProject, start: ViewClass): Omit<PageCacheUse, 'span' | 'cachePage' | 'above' | 'below' | 'decorator' | 'viaMethodDecorator' | 'wrappedView'> {
  const viewClasses: ViewClass[] = [];
  const libraryBases: string[] = [];
  const queue: ViewClass[] = [start];
  const seen = new Set<string>();
  while (queue.length > 0 && viewClasses.length < 20) {
    const current = queue.shift()!;
    const id = `${current.module.path}:${current.cls.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    viewClasses.push(current);
    for (const base of current.cls.bases) {
      const resolved = resolveClass(project, current.module, base);
      if (resolved) queue.push(resolved);
      else {
        const qualified = qualify(base, current.module.facts.bindings);
        if (qualified) libraryBases.push(qualified);
      }
    }
  }
  const names = new Set<string>();
  const views: ViewFunction[] = [];
  for (const { module, cls } of viewClasses) {
    for (const fn of module.facts.functions) {
      // The nearest class's method overrides the others of the same name.
      if (fn.className !== cls.name || names.has(fn.name)) continue;
      names.add(fn.name);
      if (!UNSAFE_METHOD_HANDLERS.has(fn.name)) views.push({ module, fn });
    }
  }
  return { views, viewClasses, libraryBases, extraTemplateNames: [] };
}

/** A class attribute, from the class or its nearest project base that sets it. */
export function classAttribute(use: PageCacheUse, name: ViewAttribute): { module: PyModule; expr: Expr } | undefined {
  for (const { module, cls } of use.viewClasses) {
    const expr = cls.attributes[name];
    if (expr) return { module, expr };
  }
  return undefined;
}

/** Default template suffixes of Django's generic views (`<app>/<model><suffix>.html`). */
const GENERIC_SUFFIX: Record<string, string> = {
  ListView: '_list', DetailView: '_detail', CreateView: '_form', UpdateView: '_form', DeleteView: '_confirm_delete',
  ArchiveIndexView: '_archive', YearArchiveView: '_archive_year', MonthArchiveView: '_archive_month', WeekArchiveView: '_archive_week',
  DayArchiveView: '_archive_day', TodayArchiveView: '_archive_day', DateDetailView: '_detail',
};

/** The template names a cached page renders, as far as they are written as constants. */
export function renderedTemplateNames(use: PageCacheUse, project: PythonProject): string[] {
  const names = new Set<string>(use.extraTemplateNames);
  const templateName = classAttribute(use, 'template_name');
  if (templateName) {
    const value = constantValue(templateName.expr, project.keyScope(templateName.module, -1));
    if (typeof value === 'string') names.add(value);
  }
  for (const { module, fn } of use.views) {
    const index = indexOfFunction(module.facts, fn);
    for (const render of groupedByFunction(module.facts.templateRenders).get(index) ?? []) {
      const name = constantValue(render.name, project.keyScope(module, index, render.span.start));
      if (typeof name === 'string') names.add(name);
    }
    if (fn.name === 'get_template_names' && fn.returnExpr?.kind === 'sequence') {
      for (const item of fn.returnExpr.items) if (item.kind === 'string') names.add(item.value);
    }
  }
  if (names.size === 0 && use.viewClasses.length > 0) {
    const generic = use.libraryBases.map((base) => base.split('.').pop()!).find((base) => GENERIC_SUFFIX[base] !== undefined);
    const model = classAttribute(use, 'model');
    if (generic && model) {
      const modelClass = resolveClass(project, model.module, model.expr);
      const appLabel = modelClass ? appLabelOf(modelClass.module.path) : undefined;
      if (modelClass && appLabel) names.add(`${appLabel}/${modelClass.cls.name.toLowerCase()}${GENERIC_SUFFIX[generic]}.html`);
    }
  }
  return [...names];
}

/** `shop/catalog/models.py` or `shop/catalog/models/book.py` -> `catalog`. */
function appLabelOf(path: string): string | undefined {
  const parts = path.split('/');
  const models = parts.lastIndexOf(parts[parts.length - 1] === 'models.py' ? 'models.py' : 'models');
  return models > 0 ? parts[models - 1] : undefined;
}
