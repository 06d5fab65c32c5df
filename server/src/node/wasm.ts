/** Finds the two wasm binaries: beside the bundle in dist/, or in node_modules when running from sources. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { PythonWasm } from '../analysis/python/parser.js';

function locate(fileName: string, packageSpecifier: string): string {
  const beside = join(__dirname, fileName);
  if (existsSync(beside)) return beside;
  return createRequire(__filename).resolve(packageSpecifier);
}

export function loadPythonWasm(): PythonWasm {
  return {
    runtime: readFileSync(locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm')),
    python: readFileSync(locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm')),
  };
}
