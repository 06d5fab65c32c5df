/**
 * A module's functions by qualified name and by object, and its calls and renders by function, indexed once per
 * facts: a module of 900 functions is asked once per call that names one (or per cache call, or per view), and a
 * search of the list each time made that quadratic.
 */
import type { CacheCall, FunctionFacts, PyModuleFacts } from './facts.js';

interface FunctionLookup {
  byQualname: Map<string, number>;
  byFunction: Map<FunctionFacts, number>;
}

const lookups = new WeakMap<PyModuleFacts, FunctionLookup>();

function lookupOf(facts: PyModuleFacts): FunctionLookup {
  let lookup = lookups.get(facts);
  if (!lookup) {
    lookup = { byQualname: new Map(), byFunction: new Map() };
    facts.functions.forEach((fn, index) => {
      // The first function of a name, as a search from the start would find.
      if (!lookup!.byQualname.has(fn.qualname)) lookup!.byQualname.set(fn.qualname, index);
      lookup!.byFunction.set(fn, index);
    });
    lookups.set(facts, lookup);
  }
  return lookup;
}

/** The index of the module's first function named `qualname` (`name` or `Class.name`), or -1. */
export function functionIndexOf(facts: PyModuleFacts, qualname: string): number {
  return lookupOf(facts).byQualname.get(qualname) ?? -1;
}

/** The module's first function named `qualname`, if any. */
export function functionNamed(facts: PyModuleFacts, qualname: string): FunctionFacts | undefined {
  const index = functionIndexOf(facts, qualname);
  return index >= 0 ? facts.functions[index] : undefined;
}

/** Where `fn` sits in the module's functions, or -1. */
export function indexOfFunction(facts: PyModuleFacts, fn: FunctionFacts): number {
  return lookupOf(facts).byFunction.get(fn) ?? -1;
}

const groupings = new WeakMap<readonly { functionIndex: number }[], Map<number, { functionIndex: number }[]>>();

/** A list of the module's facts (its cache calls, its template renders) by the function each item is in (-1: module level), grouped once per list. */
export function groupedByFunction<T extends { functionIndex: number }>(items: readonly T[]): Map<number, T[]> {
  let byFunction = groupings.get(items) as Map<number, T[]> | undefined;
  if (!byFunction) {
    byFunction = new Map();
    for (const item of items) {
      const group = byFunction.get(item.functionIndex);
      if (group) group.push(item);
      else byFunction.set(item.functionIndex, [item]);
    }
    groupings.set(items, byFunction);
  }
  return byFunction;
}

/** The module's cache calls made in function `functionIndex` (-1: at module level), in source order. */
export function cacheCallsIn(facts: PyModuleFacts, functionIndex: number): CacheCall[] {
  return groupedByFunction(facts.cacheCalls).get(functionIndex) ?? [];
}
