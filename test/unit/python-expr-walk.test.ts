import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkExpr, type Expr } from '../../server/src/analysis/python/expr.js';
import { py, workspaceOf } from '../helpers/engine.js';

/** A label per expression: its kind, and the name or attribute it reads. */
function label(expr: Expr): string {
  if (expr.kind === 'name') return `name ${expr.id}`;
  if (expr.kind === 'attribute') return `attribute .${expr.attribute}`;
  return expr.kind;
}

test('walkExpr visits every sub-expression once, each before its children and in source order', async () => {
  const path = 'shop/views.py';
  const workspace = await workspaceOf({
    [path]: py`
      from django.core.cache import cache

      def store(a, c, d, e, value):
          cache.set(f(a.b, [c, d], key=g(e if a else -e)), value, 60)
    `,
  });
  const call = workspace.python.module(path)!.facts.cacheCalls[0];
  assert.deepEqual([...walkExpr(call.args[0])].map(label), [
    'call',
    'name f',
    'attribute .b',
    'name a',
    'sequence',
    'name c',
    'name d',
    'call',
    'name g',
    'conditional',
    'name e',
    'name a',
    'unary',
    'name e',
  ]);
});

test('walkExpr stops where the caller stops reading, as a generator', async () => {
  const workspace = await workspaceOf({ 'shop/views.py': 'from django.core.cache import cache\ncache.set(f(a, b, c), 1, 60)\n' });
  const call = workspace.python.module('shop/views.py')!.facts.cacheCalls[0];
  const seen: string[] = [];
  for (const expr of walkExpr(call.args[0])) {
    seen.push(label(expr));
    if (expr.kind === 'name' && expr.id === 'a') break;
  }
  assert.deepEqual(seen, ['call', 'name f', 'name a']);
});
