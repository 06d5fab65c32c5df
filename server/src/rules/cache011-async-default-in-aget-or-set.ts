import type { Expr } from '../analysis/python/expr.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import type { Rule } from './rule.js';

export const cache011: Rule = {
  code: 'CACHE011',
  name: 'async-default-in-aget-or-set',
  severity: 'error',
  span: 'the default argument',
  fix: 'none',
  lessonSection: 'low-level-api',
  docs: {
    summary: '`await cache.aget_or_set(key, f)` where `f` is an `async def`.',
    why:
      'Django (4.0+) calls a callable default synchronously, even in `aget_or_set`. An async function returns a coroutine, which Django then tries to store: pickling it fails with a TypeError, and the coroutine is never awaited.',
    example: 'async def load_profile():\n    ...\n\nprofile = await cache.aget_or_set("profile:42", load_profile)',
    useInstead: 'profile = await cache.aget("profile:42")\nif profile is None:\n    profile = await load_profile()\n    await cache.aset("profile:42", profile, 300)',
    cannotSee: 'It recognises functions defined with `async def` in the project (by name, through imports, or as `self.method`); callables from other packages, partials and objects with an async `__call__` are not recognised.',
  },
  checkPython({ module, project, report }) {
    for (const call of module.facts.cacheCalls) {
      if (call.method !== 'aget_or_set') continue;
      const fallback = call.args[1] ?? call.keywords.default;
      if (!fallback || !isAsyncFunction(project, module, call.functionIndex, fallback)) continue;
      report({
        span: fallback,
        message: `${module.text.slice(fallback.start, fallback.end)} is an async function: aget_or_set calls its default synchronously, so a coroutine is stored and Django raises TypeError. Await it yourself and use aset().`,
      });
    }
  },
};

function isAsyncFunction(project: PythonProject, module: PyModule, functionIndex: number, expr: Expr): boolean {
  if (expr.kind === 'name') {
    const bound = module.facts.bindings[expr.id];
    return bound !== undefined && project.resolveFunction(bound, module.path)?.fn.isAsync === true;
  }
  if (expr.kind === 'attribute' && expr.object.kind === 'name' && expr.object.id === 'self') {
    const className = module.facts.functions[functionIndex]?.className;
    return module.facts.functions.some((fn) => fn.className === className && fn.name === expr.attribute && fn.isAsync);
  }
  return false;
}
