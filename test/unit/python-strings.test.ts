// String literals in module facts: their values as Python reads them, whether read from the source text
// (plain literals) or from the tree (f-strings). Key templates and settings are built from these values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workspaceOf } from '../helpers/engine.js';
import type { Expr } from '../../server/src/analysis/python/expr.js';

async function valuesOf(source: string): Promise<Record<string, Expr>> {
  const workspace = await workspaceOf({ 'shop/constants.py': source });
  const module = workspace.python.module('shop/constants.py');
  assert.ok(module);
  return Object.fromEntries(module.facts.assignments.map((assignment) => [assignment.name, assignment.value]));
}

test('plain string literals: escapes, raw, bytes, prefixes, triple quotes, continuations, concatenation', async () => {
  const values = await valuesOf(
    [
      'TAB = "a\\tb"',
      "RAW = r'a\\tb'",
      'BYTES = b"k:1"',
      'UNICODE = u"\\x41\\u0042"',
      'UPPER_RAW = R"C:\\new"',
      'EMPTY = ""',
      'QUOTE = "say \\"hi\\""',
      "TRIPLE = '''one\ntwo'''",
      'DOUBLE_TRIPLE = """a"b"""',
      'CONTINUED = "ab\\',
      'cd"',
      'JOINED = "shop:" \'item\'',
      'BRACES = "{not} {{a field}}"',
    ].join('\n') + '\n',
  );
  const expected: Record<string, [string, boolean]> = {
    TAB: ['a\tb', false],
    RAW: ['a\\tb', false],
    BYTES: ['k:1', true],
    UNICODE: ['AB', false],
    UPPER_RAW: ['C:\\new', false],
    EMPTY: ['', false],
    QUOTE: ['say "hi"', false],
    TRIPLE: ['one\ntwo', false],
    DOUBLE_TRIPLE: ['a"b', false],
    CONTINUED: ['abcd', false],
    JOINED: ['shop:item', false],
    BRACES: ['{not} {{a field}}', false],
  };
  for (const [name, [value, bytes]] of Object.entries(expected)) {
    const expr = values[name];
    assert.equal(expr?.kind, 'string', name);
    if (expr.kind !== 'string') continue;
    assert.equal(expr.value, value, name);
    assert.equal(expr.bytes, bytes, name);
  }
});

test('f-strings keep their fields, and an f-string joined to a plain string keeps both', async () => {
  const values = await valuesOf('KEY = f"item:{pk}:{lang!r}"\nMIXED = "shop:" f"{pk}"\n');
  assert.equal(values.KEY.kind, 'fstring');
  if (values.KEY.kind === 'fstring') {
    assert.deepEqual(values.KEY.parts.map((part) => (typeof part === 'string' ? part : part.kind === 'name' ? `{${part.id}}` : `{${part.kind}}`)), ['item:', '{pk}', ':', '{lang}']);
  }
  assert.equal(values.MIXED.kind, 'fstring');
  if (values.MIXED.kind === 'fstring') assert.deepEqual(values.MIXED.parts.map((part) => (typeof part === 'string' ? part : `{${part.kind}}`)), ['shop:', '{name}']);
});
