/** Loads the `typescript` compiler API for the TS/JS front end: the bundle beside dist/, or the package. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { TypeScriptApi } from '../analysis/typescript/load.js';
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
  loaded ??= load('typescript') as TypeScriptApi;
  return loaded;
}
