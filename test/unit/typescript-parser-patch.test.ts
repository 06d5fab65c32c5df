/**
 * The mend to TypeScript's parser (server/src/analysis/typescript/parser-patch.ts): it applies to the installed
 * typescript, parses nested `async` expressions without parsing each level twice, and reads every other text as
 * the parser as shipped does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type * as TS from 'typescript';
import { patchTypeScriptParser } from '../../server/src/analysis/typescript/parser-patch.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';

const require = createRequire(import.meta.url);
const asShipped = require('typescript') as typeof TS;
const mended = loadTypeScript();

function parse(ts: typeof TS, text: string, kind: TS.ScriptKind = asShipped.ScriptKind.TS): TS.SourceFile {
  return ts.createSourceFile('a.ts', text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, kind);
}

/** Nodes the parse made, those of parses it threw away included (an internal field of the source file). */
function nodesMade(ts: typeof TS, text: string): number {
  return (parse(ts, text) as unknown as { nodeCount: number }).nodeCount;
}

/** The tree as kinds and spans, and the parse diagnostics: what two parsers must agree on. */
function outline(ts: typeof TS, text: string, kind?: TS.ScriptKind): string {
  const file = parse(ts, text, kind);
  const parts: string[] = [];
  const visit = (node: TS.Node, depth: number): void => {
    parts.push(`${' '.repeat(depth)}${ts.SyntaxKind[node.kind]} ${node.pos}-${node.end}`);
    ts.forEachChild(node, (child) => visit(child, depth + 1));
  };
  visit(file, 0);
  const diagnostics = (file as unknown as { parseDiagnostics: TS.Diagnostic[] }).parseDiagnostics.map((diagnostic) => `${diagnostic.start} ${diagnostic.code}`);
  return `${parts.join('\n')}\n${diagnostics.join('\n')}`;
}

test('the mend applies to the installed typescript, whose token numbers it names', () => {
  const source = readFileSync(require.resolve('typescript'), 'utf8');
  const patched = patchTypeScriptParser(source);
  assert.ok(patched !== undefined, 'typescript changed: update parser-patch.ts, or drop it if the parser no longer parses twice after `async`');
  assert.equal(patched.length > source.length, true);
  assert.equal(asShipped.SyntaxKind.Identifier, 80);
  assert.equal(asShipped.SyntaxKind.LastReservedWord, 118);
  assert.equal(patchTypeScriptParser('function unrelated() {}'), undefined);
});

test('nested async callbacks are parsed once per level, not twice (node count grows linearly)', () => {
  for (const [open, close] of [
    ['g(async function () {\n', '});\n'],
    ['async.each(items, function (item, done) {\n', '});\n'],
    ['async(function () {\n', '});\n'],
    ['t: 2, async function f() {\n', '}\n'],
  ]) {
    const depth = 14;
    const text = open.repeat(depth) + close.repeat(depth);
    const shippedCount = nodesMade(asShipped, text);
    const mendedCount = nodesMade(mended, text);
    const oneLevel = nodesMade(mended, open + close);
    // As shipped, each level parses the one inside it twice: 2^14 times the innermost callback.
    assert.ok(shippedCount > 2 ** depth, `${open}: the parser as shipped made ${shippedCount} nodes`);
    assert.ok(mendedCount <= depth * oneLevel, `${open}: the mended parser made ${mendedCount} nodes for ${depth} levels (${oneLevel} for one)`);
  }
});

test('every form of `async` reads as it does with the parser as shipped', () => {
  const texts = [
    'const f = async x => x + 1;',
    'const f = async (x: number) => x;',
    'const f = async <T,>(x: T): Promise<T> => x;',
    'const f = async function named() { await g(); };',
    'const g = async\nx => x;',
    'async.each(items, function (item, done) { done(); });',
    'async(function () {});',
    'const async = 1; const y = async + 2; async[0]; async`t`;',
    'class A { async m() { await this.n(); } async *gen() { yield 1; } static async s() {} }',
    'const o = { async m() {}, async: 1, async [k]() {} };',
    'function* gen() { const f = async yield; }',
    'async function outer() { const f = async await => 1; const h = async (await) => 1; }',
    'export default async function () {}',
    'const f = async x\n=> x;',
    'const f = async => async;',
    'const bad = async function ( {',
    'const bad = async + ;',
    'const f = async x as any => x;',
    'foo(async x => x, async (y) => y, async function () {}, async);',
  ];
  const kinds: [string, TS.ScriptKind][] = [['TS', asShipped.ScriptKind.TS], ['TSX', asShipped.ScriptKind.TSX], ['JS', asShipped.ScriptKind.JS]];
  for (const text of texts) {
    for (const [name, kind] of kinds) assert.equal(outline(mended, text, kind), outline(asShipped, text, kind), `${name}: ${text}`);
  }
});
