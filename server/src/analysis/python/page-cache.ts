/**
 * Where `cache_page` is applied in a module: `@cache_page(t)`, through `method_decorator` (also a
 * decorator list), `cache_page(t)(view)`, and a name bound to `cache_page(t)` at module level applied
 * later. The rules' view resolution builds on it; the project reads the `cache=` aliases from it.
 */
import type { Expr } from './expr.js';
import { qualify, type Decorator, type PyModuleFacts } from './facts.js';
import { Q } from './qualified-names.js';

/** A parsed module (PyModule), as far as these need it: its facts. */
interface WithFacts {
  facts: PyModuleFacts;
}

/** One decorator as applied, with method_decorator and decorator lists looked through. */
export interface AppliedDecorator {
  expr: Expr;
  qualified: string | null;
  /** The `@...` it is written in (a list's decorators share it). */
  decorator: Decorator | null;
  viaMethodDecorator: boolean;
}

export function isCachePage(qualified: string | null): boolean {
  return qualified === Q.cachePage || qualified === Q.cachePageDecorator;
}

/**
 * A decorator's applied decorators, in order from outermost to innermost. Kept per decorator while the module's
 * bindings stay the same object (an editor's keystroke elsewhere in the module keeps both): every rule asks.
 */
export function appliedDecorators(decorator: Decorator, module: WithFacts): AppliedDecorator[] {
  const bindings = module.facts.bindings;
  const known = appliedByDecorator.get(decorator);
  if (known?.bindings === bindings) return known.applied;
  const applied = applyDecorator(decorator, bindings);
  appliedByDecorator.set(decorator, { bindings, applied });
  return applied;
}

const appliedByDecorator = new WeakMap<Decorator, { bindings: Record<string, string>; applied: AppliedDecorator[] }>();

function applyDecorator(decorator: Decorator, bindings: Record<string, string>): AppliedDecorator[] {
  let inner = decorator.expr;
  let viaMethodDecorator = false;
  if (inner.kind === 'call' && qualify(inner.callee, bindings) === Q.methodDecorator && inner.args[0]) {
    inner = inner.args[0];
    viaMethodDecorator = true;
  }
  // method_decorator([a, b]) applies them so that they run in list order: a is the outer one.
  const items = inner.kind === 'sequence' ? inner.items : [inner];
  return items.map((expr) => ({ expr, qualified: qualify(expr.kind === 'call' ? expr.callee : expr, bindings), decorator, viaMethodDecorator }));
}

/** A definition's decorators flattened, outermost first. */
export function flattened(decorators: Decorator[], module: WithFacts): AppliedDecorator[] {
  return decorators.flatMap((decorator) => appliedDecorators(decorator, module));
}

/** `hourly` where `hourly = cache_page(3600)` at module level: that call. */
export function boundCachePage(module: WithFacts, expr: Expr): Expr | null {
  if (expr.kind !== 'name') return null;
  for (let i = module.facts.assignments.length - 1; i >= 0; i--) {
    const assignment = module.facts.assignments[i];
    if (assignment.name === expr.id) return assignment.value.kind === 'call' ? assignment.value : null;
  }
  return null;
}

/** Every `cache_page(...)` call the module applies (as a decorator, around a view, or through a bound name). */
export function cachePageCalls(module: WithFacts): Expr[] {
  const calls: Expr[] = [];
  const add = (call: Expr | null): void => {
    if (call?.kind === 'call') calls.push(call);
  };
  // The first cache_page of each definition, read without building a list per definition: CACHE001 asks on every keystroke.
  const firstCachePage = (decorators: Decorator[]): void => {
    for (const decorator of decorators) {
      for (const applied of appliedDecorators(decorator, module)) {
        if (!isCachePage(applied.qualified)) continue;
        add(applied.qualified === Q.cachePage ? applied.expr : boundCachePage(module, applied.expr));
        return;
      }
    }
  };
  for (const fn of module.facts.functions) firstCachePage(fn.decorators);
  for (const cls of module.facts.classes) firstCachePage(cls.decorators);
  for (const wrapped of module.facts.wrappedViews) add(wrapped.cachePage.kind === 'call' ? wrapped.cachePage : boundCachePage(module, wrapped.cachePage));
  return calls;
}
