/**
 * A module's functions by qualified name and by object, and its calls and renders by function, indexed once per
 * facts: a module of 900 functions is asked once per call that names one (or per cache call, or per view), and a
 * search of the list each time made that quadratic.
 */
import type { CacheCall, FunctionFacts, PyModuleFacts } from './facts.js';

/** Each index built on first use: most keystrokes ask only one of them of the module being edited. */
const byQualnames = new WeakMap<PyModuleFacts, Map<string, number>>();
const byFunctions = new WeakMap<PyModuleFacts, Map<FunctionFacts, number>>();

function byQualnameOf(facts: PyModuleFacts): Map<string, number> {
  let byQualname = byQualnames.get(facts);
  if (!byQualname) {
    byQualname = new Map();
    for (let index = 0; index < facts.functions.length; index++) {
      // The first function of a name, as a search from the start would find.
      const qualname = facts.functions[index].qualname;
      if (!byQualname.has(qualname)) byQualname.set(qualname, index);
    }
    byQualnames.set(facts, byQualname);
  }
  return byQualname;
}

function byFunctionOf(facts: PyModuleFacts): Map<FunctionFacts, number> {
  let byFunction = byFunctions.get(facts);
  if (!byFunction) {
    byFunction = new Map();
    for (let index = 0; index < facts.functions.length; index++) byFunction.set(facts.functions[index], index);
    byFunctions.set(facts, byFunction);
  }
  return byFunction;
}

/** The index of the module's first function named `qualname` (`name` or `Class.name`), or -1. */
export function functionIndexOf(facts: PyModuleFacts, qualname: string): number {
  return byQualnameOf(facts).get(qualname) ?? -1;
}

/** The module's first function named `qualname`, if any. */
export function functionNamed(facts: PyModuleFacts, qualname: string): FunctionFacts | undefined {
  const index = functionIndexOf(facts, qualname);
  return index >= 0 ? facts.functions[index] : undefined;
}

/** Where `fn` sits in the module's functions, or -1. */
export function indexOfFunction(facts: PyModuleFacts, fn: FunctionFacts): number {
  return byFunctionOf(facts).get(fn) ?? -1;
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
