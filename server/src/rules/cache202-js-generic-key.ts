import { isConstantTemplate, isOpaque } from '../analysis/keys.js';
import { describeCall, invalidatedKeys } from '../analysis/typescript/calls.js';
import { distinguishingSource, isCacheAside } from '../analysis/typescript/flow.js';
import { isRedis } from '../analysis/typescript/libraries.js';
import { isTestPath } from '../analysis/typescript/load.js';
import { enclosingFunctions, lookup, spanOf, unwrap } from '../analysis/typescript/syntax.js';
import { callSitesOf } from '../analysis/typescript/units.js';
import type { TsModule, TypeScriptProject } from '../analysis/typescript/project.js';
import type { FunctionLike } from '../analysis/typescript/syntax.js';
import type * as TS from 'typescript';
import type { FixSpec, Rule } from './rule.js';

export const cache202: Rule = {
  code: 'CACHE202',
  name: 'js-generic-key',
  severity: 'warning',
  span: 'the key expression',
  fix: 'unsafe',
  lessonSection: 'key-design',
  docs: {
    summary: 'A constant TS/JS cache key for a value computed from something the key does not mention: a function parameter, `req.user`, `req.query` or `this.request`.',
    why:
      "Every caller shares one entry. The first caller's value (one user's basket, one page of results, one tenant's settings) is served to everyone who comes after, which is both a bug and a data leak.",
    example:
      "app.get('/basket', async (req, res) => {\n  let basket = await cache.get('basket');\n  if (!basket) {\n    basket = await loadBasket(req.user.id);\n    await cache.set('basket', basket, 60_000);\n  }\n  res.json(basket);\n});",
    useInstead: "app.get('/basket', async (req, res) => {\n  const key = `basket:${req.user.id}`;\n  let basket = await cache.get(key);\n  if (!basket) {\n    basket = await loadBasket(req.user.id);\n    await cache.set(key, basket, 60_000);\n  }\n  res.json(basket);\n});",
    cannotSee:
      'It follows data flow through local variables to the parameters of the function holding the store; parameters of functions around it (often injected dependencies of a factory) are not counted. Values that depend on a parameter only through a condition (`if (force)`), through instance state other than `this.request`/`this.req`/`this.ctx`, or through module state are not followed, and a function that stores exactly the parameter it was given (a setter) is left alone. Keys are resolved through constants and simple key helpers, in this module or imported; a key it cannot read keeps it quiet. A plain Redis client is only judged in the cache-aside shape, as in CACHE201. Global data (site settings, exchange rates) under a constant key is correct and stays quiet, and so is a parameter every caller in the project passes the same constant for (`pages(undefined, true)`). Keys that hold some inputs but not others (a `findOne` by more fields than the key, a locale or permission left out, a per-user URL under a resource key) are not judged: only constant keys are. Test files (`*.test.ts`, `*.spec.js`, `__tests__/`) are not checked: tests use tiny TTLs and throw-away clients on purpose.',
  },
  checkTypeScript({ module, project, report }) {
    if (isTestPath(module.path)) return;
    const ts = module.ts;
    for (const call of module.calls) {
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue;
      const client = project.clientOf(module, call.expression.expression);
      if (!client) continue;
      const operation = describeCall(project, module, call, client);
      if (operation?.kind !== 'store') continue;
      const template = project.keyTemplate(module, operation.key);
      if (!isConstantTemplate(template) || isOpaque(template)) continue;
      if (isRedis(client.library) && !isCacheAside(project, module, call, client, operation.key, operation.value)) continue;
      const source = distinguishingSource(module, call, operation.value);
      if (!source) continue;
      if (source.parameter && callersAgree(project, module, source.parameter)) continue;
      const fix = keyFix(project, module, call, operation.key, source.placeholder);
      report({
        span: spanOf(operation.key),
        message: `The key "${template}" is the same for every call, but the stored value depends on \`${source.text}\`: one caller's value will be served to the others.`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

/**
 * Whether every call of the function from outside it passes the same constant for the parameter (or
 * none passes it): the function then only ever caches one variant (`getSitemap(undefined, true)`).
 */
function callersAgree(project: TypeScriptProject, module: TsModule, parameter: { fn: FunctionLike; index: number }): boolean {
  const ts = module.ts;
  const sites = callSitesOf(project, module, parameter.fn).filter((site) => !(site.call.pos >= parameter.fn.pos && site.call.end <= parameter.fn.end && site.module === module));
  if (sites.length === 0) return false;
  const passed = new Set<string>();
  for (const site of sites) {
    const argument = site.call.arguments[parameter.index];
    if (argument === undefined) {
      passed.add('undefined');
      continue;
    }
    const node = unwrap(ts, argument);
    const constant = ts.isStringLiteralLike(node) || ts.isNumericLiteral(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined');
    if (!constant) return false;
    passed.add(ts.isStringLiteralLike(node) ? JSON.stringify(node.text) : node.getText());
  }
  return passed.size === 1;
}

/**
 * Puts the placeholder into the key at the store and at every other use of the key (reads, deletes,
 * expiries), or offers nothing: a write under the new key that the reads still look up under the old one
 * would never be found. Offered only when every string literal of the key in the project's TS/JS files is
 * such a use in the function holding the store, where the placeholder means the same thing.
 */
function keyFix(project: TypeScriptProject, module: TsModule, store: TS.CallExpression, storeKey: TS.Expression, placeholder: string): FixSpec | undefined {
  const ts = module.ts;
  const key = unwrap(ts, storeKey);
  if (!ts.isStringLiteral(key) && !ts.isNoSubstitutionTemplateLiteral(key)) return undefined;
  const fn = enclosingFunctions(ts, store)[0];
  const root = placeholder.split('.')[0];
  const rootAt = (node: TS.Node): TS.Node | undefined => (root === 'this' ? fn : lookup(ts, root, node)?.node);
  const rootAtStore = rootAt(key);
  const uses = new Set<TS.Expression>([key]);
  for (const call of module.calls) {
    if (call === store || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || enclosingFunctions(ts, call)[0] !== fn) continue;
    const client = project.clientOf(module, call.expression.expression);
    const operation = client && describeCall(project, module, call, client);
    for (const candidate of [...(operation ? [operation.key] : []), ...invalidatedKeys(ts, call)]) {
      const literal = unwrap(ts, candidate);
      if ((ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) && literal.text === key.text && rootAt(literal) === rootAtStore) uses.add(literal);
    }
  }
  const raw = key.getText().slice(1, -1);
  const rawUses = [...uses].filter((use) => use.getText().slice(1, -1) === raw).length;
  if (literalCount(project, raw) !== rawUses) return undefined;
  const escaped = key.text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const newText = `\`${escaped}:\${${placeholder}}\``;
  return {
    title: uses.size > 1 ? `Put \`${placeholder}\` into the key (here and in its ${uses.size - 1} other use${uses.size > 2 ? 's' : ''})` : `Put \`${placeholder}\` into the key`,
    safety: 'unsafe',
    edits: [...uses].map((use) => ({ span: spanOf(use), newText })),
  };
}

/** How often the project's TS/JS texts hold a string literal whose source text is exactly `raw`. */
function literalCount(project: TypeScriptProject, raw: string): number {
  return project.memo(`cache202-literal:${raw}`, () => {
    const escaped = raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(['"\`])${escaped}\\1`, 'g');
    let count = 0;
    for (const path of project.allPaths()) {
      const text = project.textOf(path);
      if (text?.includes(raw)) count += text.match(pattern)?.length ?? 0;
    }
    return count;
  });
}
