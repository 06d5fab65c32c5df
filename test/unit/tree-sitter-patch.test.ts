/**
 * The mend to web-tree-sitter's glue (server/src/analysis/python/tree-sitter-patch.ts): it applies to the installed
 * web-tree-sitter, both builds, and the mended glue gives the same trees as the glue as shipped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as WebTreeSitter from 'web-tree-sitter';
import { patchWebTreeSitter } from '../../server/src/analysis/python/tree-sitter-patch.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';
import { py } from '../helpers/engine.js';

const require = createRequire(__filename);
const CJS = require.resolve('web-tree-sitter');
const ESM = join(CJS, '..', 'web-tree-sitter.js');

test('the mend applies to both builds of the installed web-tree-sitter, and leaves no "i32" access through the generic accessors', () => {
  for (const path of [CJS, ESM]) {
    const source = readFileSync(path, 'utf8');
    const patched = patchWebTreeSitter(source);
    assert.ok(patched, path);
    assert.doesNotMatch(patched, /C\.[gs]etValue\([^;]*"i32"\)/, path);
    // marshalNode alone writes five values and unmarshalNode reads five.
    assert.ok((patched.match(/HEAP_DATA_VIEW\.[gs]etInt32\(/g) ?? []).length >= 10, path);
    // A node's address is a named property: no node reads or stores an index property any more.
    assert.ok(patched.includes('this._handle = other;') && patched.includes('node._handle'), path);
    assert.ok(!patched.includes('this[0] = other;') && !/node\[0\]/.test(patched), path);
  }
  assert.equal(patchWebTreeSitter('function f(C) { return C.getValue(1, "i8"); }'), undefined, 'a glue without the accessors is refused');
});

const SAMPLE = py`
  from django.core.cache import cache, caches
  from django.views.decorators.cache import cache_page

  TIMEOUT = 60 * 5


  @cache_page(TIMEOUT)
  def product(request, pk: int, *args, **kwargs):
      """A product page: "é" and 🎉 move offsets past one byte per character."""
      key = f"product:{pk}:{request.user.pk}"
      value = caches["default"].get(key)
      if value is None:
          value = {"pk": pk, "tags": [t for t in range(3)]}
          cache.set(key, value, TIMEOUT)
      return value


  class Broken(
      x = (1,
`;

type Module = typeof WebTreeSitter;

/** Every node of the tree with its type, extent, field name and row/column, depth first. */
function outline(tree: WebTreeSitter.Tree): string[] {
  const lines: string[] = [];
  const cursor = tree.walk();
  let depth = 0;
  for (;;) {
    const node = cursor.currentNode;
    lines.push(`${depth} ${cursor.currentFieldName ?? '-'} ${node.type} ${node.startIndex}-${node.endIndex} ${node.startPosition.row}:${node.startPosition.column} ${node.isMissing ? 'missing' : ''}`);
    if (cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return lines;
      }
      depth--;
    }
  }
}

async function parseWith(module: Module, text: string): Promise<{ outline: string[]; named: string[] }> {
  const wasm = loadPythonWasm();
  await module.Parser.init({ wasmBinary: wasm.runtime } as Parameters<typeof module.Parser.init>[0]);
  const parser = new module.Parser();
  parser.setLanguage(await module.Language.load(wasm.python));
  const tree = parser.parse(text)!;
  try {
    // Questions that go through the transfer buffer: children, fields, parents, descendants, positions.
    const named: string[] = [];
    const visit = (node: WebTreeSitter.Node): void => {
      const name = node.childForFieldName('name');
      // The handle in wasm memory a node keeps, under either name: the same node, the same address.
      named.push(`handle ${String((node as unknown as { _handle?: number; 0?: number })._handle ?? (node as unknown as { 0?: number })[0])}`);
      named.push(`${node.type}:${name?.text ?? ''}:${node.parent?.type ?? ''}:${node.namedChildCount}:${node.endPosition.row}:${node.endPosition.column}`);
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(tree.rootNode);
    for (const call of tree.rootNode.descendantsOfType('call')) named.push(`call ${call?.startIndex} ${call?.text}`);
    const at = text.indexOf('cache.set');
    named.push(`at ${tree.rootNode.descendantForIndex(at, at + 5)?.type}`);
    return { outline: outline(tree), named };
  } finally {
    tree.delete();
    parser.delete();
  }
}

test('the mended glue reads every node, field, parent and position as the glue as shipped', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'cache-coach-tree-sitter-'));
  try {
    const mendedPath = join(folder, 'web-tree-sitter.cjs');
    writeFileSync(mendedPath, patchWebTreeSitter(readFileSync(CJS, 'utf8'))!);
    // Several chunks of parser input (5,119 UTF-16 units each), some ending inside a surrogate pair.
    const text = `${SAMPLE.replace('class Broken', '')}${'\n'.repeat(3)}${Array.from({ length: 120 }, (_, index) => `def view_${index}(request):\n    return "${'🎉é'.repeat(index)}"\n`).join('\n')}\nclass Broken(\n    x = (1,\n`;
    assert.ok(text.length > 3 * 5119);
    const shipped = await parseWith(require(CJS) as Module, text);
    const mendedModule = require(mendedPath) as Module;
    const mended = await parseWith(mendedModule, text);
    assert.ok(shipped.outline.length > 100, 'the sample makes a tree worth comparing');
    assert.ok(shipped.outline.some((line) => line.includes('ERROR')), 'the sample holds a syntax error');
    assert.deepEqual(mended.outline, shipped.outline);
    assert.deepEqual(mended.named, shipped.named);
    // In a browser there is no Buffer: the input is copied through the Uint16Array view.
    const buffer = globalThis.Buffer;
    let withoutBuffer: Awaited<ReturnType<typeof parseWith>>;
    try {
      (globalThis as { Buffer?: unknown }).Buffer = undefined;
      withoutBuffer = await parseWith(mendedModule, text);
    } finally {
      globalThis.Buffer = buffer;
    }
    assert.deepEqual(withoutBuffer.outline, shipped.outline);
    assert.deepEqual(withoutBuffer.named, shipped.named);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
