/** Reading Django settings dicts (CACHES, MIDDLEWARE) for the settings rules. */
import type { Expr } from '../analysis/python/expr.js';
import type { ModuleAssignment } from '../analysis/python/facts.js';
import { constantValue } from '../analysis/python/key-template.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';

export interface CacheAlias {
  alias: string;
  config: Expr & { kind: 'dict' };
  entry(key: string): Expr | undefined;
}

/** The module-level assignments of `name` that are in force: later unguarded assignments replace earlier ones. */
export function assignmentsInForce(module: PyModule, name: string): ModuleAssignment[] {
  const all = module.facts.assignments.filter((assignment) => assignment.name === name);
  const lastUnguarded = all.map((assignment) => assignment.guard === 'none').lastIndexOf(true);
  return all.filter((_, index) => index >= lastUnguarded);
}

export function cacheAliases(caches: Expr): CacheAlias[] {
  if (caches.kind !== 'dict') return [];
  return caches.entries.flatMap(({ key, value }) => {
    if (key?.kind !== 'string' || value.kind !== 'dict') return [];
    const config = value;
    return [
      {
        alias: key.value,
        config,
        entry: (name: string) => {
          for (let i = config.entries.length - 1; i >= 0; i--) {
            const candidate = config.entries[i];
            if (candidate.key?.kind === 'string' && candidate.key.value === name) return candidate.value;
          }
          return undefined;
        },
      },
    ];
  });
}

/** Every alias of a CACHES dict with its value, whatever it is (a dict, `env.cache(...)`, a name). */
export function aliasValues(caches: Expr): { alias: string; value: Expr }[] {
  if (caches.kind !== 'dict') return [];
  return caches.entries.flatMap(({ key, value }) => (key?.kind === 'string' ? [{ alias: key.value, value }] : []));
}

/** A constant string or number setting as seen from `module`. */
export function constantSetting(project: PythonProject, module: PyModule, expr: Expr): string | number | undefined {
  return constantValue(expr, project.keyScope(module, -1));
}
