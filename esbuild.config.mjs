// Bundles the CLI (and later the server and client) into dist/, next to the wasm files they load.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), 'dist/web-tree-sitter.wasm');
copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), 'dist/tree-sitter-python.wasm');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
};

// The VS Code client: `vscode` is provided by the editor.
await build({ ...common, entryPoints: { extension: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] });

await build({
  ...common,
  entryPoints: { cli: 'server/src/cli.ts', server: 'server/src/server.ts' },
  outdir: 'dist',
  // web-tree-sitter is an ES module that reads import.meta.url; give it the bundle's own URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "#!/usr/bin/env node\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The TypeScript compiler API for the TS/JS front end (server/src/node/typescript.ts loads dist/typescript.js
// on the first TS/JS file): its own bundle, so the CLI and server bundles stay small and load fast.
await build({ ...common, entryPoints: { typescript: require.resolve('typescript') }, outdir: 'dist', sourcemap: false, legalComments: 'none' });
