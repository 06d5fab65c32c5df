/** The views a `cache_page` applies to: decorated functions, class-based views, `cache_page(...)(view)` calls. */
import type { Expr } from '../analysis/python/expr.js';
import { qualify, type ClassFacts, type Decorator, type FunctionFacts } from '../analysis/python/facts.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import type { Span } from '../analysis/types.js';
import { cachePageIndex, decoratorTarget } from './python-helpers.js';

export interface PageCacheUse {
  /** What a finding underlines: the decorator, or the `cache_page(...)` call. */
  span: Span;
  /** The decorators of the view below `cache_page` (empty for `cache_page(...)(view)`). */
  below: Decorator[];
  /** The functions that run for the view, each with the module it is in. */
  views: { module: PyModule; fn: FunctionFacts }[];
  /** For class-based views: the class (its `template_name`). */
  viewClass?: { module: PyModule; cls: ClassFacts };
}

export function pageCacheUses(module: PyModule, project: PythonProject): PageCacheUse[] {
  const uses: PageCacheUse[] = [];
  for (const fn of module.facts.functions) {
    const index = cachePageIndex(fn, module);
    if (index < 0) continue;
    const cls = fn.className ? module.facts.classes.find((candidate) => candidate.name === fn.className) : undefined;
    uses.push({
      span: fn.decorators[index].span,
      below: fn.decorators.slice(index + 1),
      views: fn.className ? classMethods(module, fn.className) : [{ module, fn }],
      viewClass: cls ? { module, cls } : undefined,
    });
  }
  for (const cls of module.facts.classes) {
    const index = cachePageIndex(cls, module);
    if (index >= 0) uses.push({ span: cls.decorators[index].span, below: cls.decorators.slice(index + 1), views: classMethods(module, cls.name), viewClass: { module, cls } });
  }
  for (const wrapped of module.facts.wrappedViews) {
    const resolved = resolveView(project, module, wrapped.view);
    if (resolved) uses.push({ span: wrapped.cachePageSpan, below: [], ...resolved });
  }
  return uses;
}

export function classMethods(module: PyModule, className: string): { module: PyModule; fn: FunctionFacts }[] {
  return module.facts.functions.filter((fn) => fn.className === className).map((fn) => ({ module, fn }));
}

/** The view behind `view`, `views.detail` or `DetailView.as_view()`. */
export function resolveView(project: PythonProject, module: PyModule, view: Expr): Omit<PageCacheUse, 'span' | 'below'> | undefined {
  if (view.kind === 'call' && view.callee.kind === 'attribute' && view.callee.attribute === 'as_view') {
    const qualified = qualify(view.callee.object, module.facts.bindings);
    const target = qualified ? project.resolveQualified(qualified, module.path) : undefined;
    const className = target?.rest.join('.');
    const cls = target && className ? target.module.facts.classes.find((candidate) => candidate.name === className) : undefined;
    return target && cls ? { views: classMethods(target.module, cls.name), viewClass: { module: target.module, cls } } : undefined;
  }
  const qualified = qualify(view, module.facts.bindings);
  const resolved = qualified ? project.resolveFunction(qualified, module.path) : undefined;
  return resolved ? { views: [{ module: resolved.module, fn: resolved.fn }] } : undefined;
}

export function decoratorQualifiedNames(decorators: Decorator[], module: PyModule): (string | null)[] {
  return decorators.map((decorator) => decoratorTarget(decorator, module).qualified);
}
