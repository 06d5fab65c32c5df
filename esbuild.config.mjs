// Bundles the CLI (and later the server and client) into dist/, next to the wasm files they load.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), 'dist/web-tree-sitter.wasm');
copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), 'dist/tree-sitter-python.wasm');

// typescript's parser, mended where nested `async` expressions take exponential time (analysis/typescript/parser-patch.ts).
const { patchTypeScriptParser } = await importTypeScriptModule('server/src/analysis/typescript/parser-patch.ts');
const typescriptParserPatch = {
  name: 'typescript-parser-patch',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]typescript[\\/]lib[\\/]typescript\.js$/ }, async (args) => {
      const patched = patchTypeScriptParser(await readFile(args.path, 'utf8'));
      if (patched === undefined) throw new Error('typescript changed: update server/src/analysis/typescript/parser-patch.ts (or drop it if the parser no longer parses twice after `async`)');
      return { contents: patched, loader: 'js' };
    });
  },
};

// web-tree-sitter's glue, mended to read and write its transfer buffer directly (analysis/python/tree-sitter-patch.ts).
const { patchWebTreeSitter } = await importTypeScriptModule('server/src/analysis/python/tree-sitter-patch.ts');
function mendedWebTreeSitter(source) {
  const patched = patchWebTreeSitter(source);
  if (patched === undefined) throw new Error('web-tree-sitter changed: update server/src/analysis/python/tree-sitter-patch.ts');
  return patched;
}
const webTreeSitterPatch = {
  name: 'web-tree-sitter-patch',
  setup(plugin) {
    plugin.onLoad({ filter: /web-tree-sitter[\\/]web-tree-sitter\.cjs$/ }, async (args) => ({ contents: mendedWebTreeSitter(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};

/** A module of the sources (TypeScript, no imports of its own), compiled by esbuild: this script runs in plain Node. */
async function importTypeScriptModule(path) {
  const { outputFiles } = await build({ entryPoints: [path], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

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
  // dist/cli.js and dist/server.js are small loaders that read the CLI and the server proper, dist/cli-main.js and
  // dist/server-main.js, with V8's code cache.
  entryPoints: { cli: 'server/src/cli-entry.ts', 'cli-main': 'server/src/cli.ts', server: 'server/src/server-entry.ts', 'server-main': 'server/src/server.ts' },
  outdir: 'dist',
  // web-tree-sitter's CommonJS build: its ES module build loads node:module with import(), which a script run
  // from V8's code cache (node/compile-cache.ts) cannot do on Node 20.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  // Code that reads import.meta.url gets the bundle's own URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "#!/usr/bin/env node\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [webTreeSitterPatch],
});

// The TypeScript compiler API for the TS/JS front end (server/src/node/typescript.ts loads dist/typescript.js
// on the first TS/JS file): its own bundle, so the CLI and server bundles stay small and load fast.
await build({ ...common, entryPoints: { typescript: require.resolve('typescript') }, outdir: 'dist', sourcemap: false, legalComments: 'none', plugins: [typescriptParserPatch] });

// The lesson panel's page (a browser script, loaded by the webview under a strict CSP): no Node, no eval. It goes
// next to its style sheet in media/lesson/ because a webview may load only from folders (localResourceRoots), and
// media/ is the only one the panel opens to it.
await build({ entryPoints: { page: 'client/src/lesson-page/main.ts' }, outdir: 'media/lesson', bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: true, sourcemap: false, logLevel: 'warning' });

// The web extension (package.json "browser": vscode.dev, github.dev), in dist/web/: no Node APIs anywhere
// (test/web/web-bundle.test.ts checks). The wasm binaries are not duplicated: the worker fetches dist/*.wasm.
mkdirSync('dist/web', { recursive: true });
// web-tree-sitter's emscripten glue has a Node branch (require("fs"), process.argv) behind a runtime test; in a
// worker it is dead code: make the test a constant so that the minifier drops the branch from the bundle.
const webTreeSitterWithoutNode = {
  name: 'web-tree-sitter-without-node',
  setup(plugin) {
    plugin.onLoad({ filter: /web-tree-sitter[\\/]web-tree-sitter\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const patched = source.replace(/var ENVIRONMENT_IS_NODE = [^;\n]+;/, 'var ENVIRONMENT_IS_NODE = false;').replaceAll('if (ENVIRONMENT_IS_NODE) {', 'if (false) {');
      if (patched === source || patched.includes('if (ENVIRONMENT_IS_NODE)')) throw new Error('web-tree-sitter changed: update the web-tree-sitter-without-node plugin in esbuild.config.mjs');
      return { contents: mendedWebTreeSitter(patched), loader: 'js' };
    });
  },
};
const web = { bundle: true, platform: 'browser', target: 'es2022', minify: true, sourcemap: true, logLevel: 'warning', plugins: [webTreeSitterWithoutNode] };
// The client, loaded by VS Code's web worker extension host as CommonJS; `vscode` is provided by the editor.
await build({ ...web, entryPoints: { extension: 'client/src/extension-browser.ts' }, outdir: 'dist/web', format: 'cjs', external: ['vscode'] });
// The server, started by that client with `new Worker(url)`: VS Code loads nested workers with importScripts,
// so a classic script (iife). web-tree-sitter reads import.meta.url only to find its wasm, which is passed in.
await build({
  ...web,
  entryPoints: { server: 'server/src/server-browser.ts' },
  outdir: 'dist/web',
  format: 'iife',
  define: { 'import.meta.url': '"https://cache-coach.invalid/dist/web/server.js"' },
});
// The TypeScript compiler API for the worker, fetched when the workspace has TS/JS files (lsp/browser-host.ts runs
// it with its own `module`); typescript's package.json "browser" field leaves out fs, path, os and the rest.
await build({ ...web, entryPoints: { typescript: require.resolve('typescript') }, outdir: 'dist/web', format: 'cjs', sourcemap: false, legalComments: 'none', plugins: [...web.plugins, typescriptParserPatch] });
