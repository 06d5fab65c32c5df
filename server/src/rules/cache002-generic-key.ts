import { isConstantTemplate, isOpaque } from '../analysis/keys.js';
import { namesRead, walkExpr, type Expr } from '../analysis/python/expr.js';
import type { FunctionFacts } from '../analysis/python/facts.js';
import { keyExpressions, STORE_METHODS } from '../analysis/python/project.js';
import { storedValue } from './python-helpers.js';
import type { Rule } from './rule.js';

export const cache002: Rule = {
  code: 'CACHE002',
  name: 'generic-key',
  severity: 'warning',
  span: 'the key expression',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'key-design',
  docs: {
    summary: 'A constant cache key for a value computed from something the key does not mention: a function parameter, `request.user` or `self.request`.',
    why:
      'Every caller shares one entry. The first caller\'s value (one user\'s recommendations, one customer\'s basket) is served to everyone who comes after, which is both a bug and a data leak.',
    example: 'def recommendations_for(user):\n    recs = compute_recommendations(user)\n    cache.set("recommendations", recs, 600)\n    return recs',
    useInstead: 'def recommendations_for(user):\n    recs = compute_recommendations(user)\n    cache.set(f"recommendations:{user.pk}", recs, 600)\n    return recs',
    cannotSee:
      'It follows data flow through assignments inside one function. Values that depend on a parameter only through a condition (`if force:`), through instance state other than `self.request`, `self.args` and `self.kwargs`, or through a global read inside another function are not followed. Global data (site settings, exchange rates) under a constant key is correct and stays quiet.',
  },
  checkPython({ module, project, report }) {
    for (const call of module.facts.cacheCalls) {
      if (!STORE_METHODS.has(call.method) || call.functionIndex < 0) continue;
      const fn = module.facts.functions[call.functionIndex];
      const value = storedValue(call);
      if (!value) continue;
      for (const key of keyExpressions(call.method, call.args, call.keywords)) {
        const template = project.keyTemplateAt(module, call.functionIndex, key);
        if (!isConstantTemplate(template) || isOpaque(template)) continue;
        const source = distinguishingSource(fn, value);
        if (!source) continue;
        report({
          span: key,
          message: `The key "${template}" is the same for every call, but the stored value depends on \`${source}\`: one caller's value will be served to the others.`,
          fixes: keyFix(key, template, source),
        });
      }
    }
  },
};

const REQUEST_STATE = /^(request\.user|self\.request|self\.kwargs|self\.args)\b/;

/** The parameter or request state the stored value flows from, following local assignments. */
function distinguishingSource(fn: FunctionFacts, value: Expr): string | undefined {
  const params = new Set(fn.params.filter((param, index) => !(index === 0 && (param === 'self' || param === 'cls'))));
  const visited = new Set<string>();
  const pending: Expr[] = [value];
  while (pending.length > 0) {
    const expr = pending.pop()!;
    const chain = attributeChains(expr).find((text) => REQUEST_STATE.test(text));
    if (chain) return chain.match(REQUEST_STATE)![0];
    for (const name of namesRead(expr)) {
      if (params.has(name)) return name;
      if (visited.has(name)) continue;
      visited.add(name);
      for (const assignment of fn.assignments) if (assignment.targets.includes(name)) pending.push(assignment.value);
    }
  }
  return undefined;
}

function attributeChains(expr: Expr): string[] {
  const chains: string[] = [];
  for (const node of walkExpr(expr)) {
    if (node.kind !== 'attribute') continue;
    const parts: string[] = [];
    let current: Expr = node;
    while (current.kind === 'attribute') {
      parts.unshift(current.attribute);
      current = current.object;
    }
    if (current.kind === 'name') chains.push([current.id, ...parts].join('.'));
  }
  return chains;
}

function keyFix(key: Expr, template: string, source: string) {
  if (key.kind !== 'string') return [];
  const placeholder = source === 'request.user' || source === 'self.request' ? `${source === 'self.request' ? 'self.request.user' : source}.pk` : source;
  return [
    {
      title: `Put \`${placeholder}\` into the key`,
      safety: 'unsafe' as const,
      edits: [{ span: key, newText: `f${JSON.stringify(`${template.replace(/[{}]/g, (brace) => brace + brace)}:`).slice(0, -1)}{${placeholder}}"` }],
    },
  ];
}
