/** Loads the `typescript` compiler API for the TS/JS front end: the bundle beside dist/, or the package (both with analysis/typescript/parser-patch.ts). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { TypeScriptApi } from '../analysis/typescript/load.js';
import { patchTypeScriptParser } from '../analysis/typescript/parser-patch.js';
import { requireWithCompileCache } from './compile-cache.js';

let loaded: TypeScriptApi | undefined;

export function loadTypeScript(): TypeScriptApi {
  if (loaded) return loaded;
  // A computed require: bundlers leave both paths alone, so `typescript` is never inlined into the CLI or server bundle.
  const load = createRequire(__filename);
  const beside = join(__dirname, 'typescript.js');
  if (existsSync(beside)) {
    const bundled = requireWithCompileCache(beside).exports as Partial<TypeScriptApi>;
    if (typeof bundled.createSourceFile === 'function') loaded = bundled as TypeScriptApi;
  }
  // From the sources: the package, with the parser mend the bundle gets at build time.
  loaded ??= requireWithCompileCache(load.resolve('typescript'), undefined, (source) => patchTypeScriptParser(source) ?? source).exports as TypeScriptApi;
  return loaded;
}
