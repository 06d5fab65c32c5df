// CPU profile of one CLI scan: `node --cpu-prof dist/cli.js check FOLDER --format json`, the whole
// process. Self time is summed per source file and per function; positions in the minified bundle are
// mapped back to the TypeScript (and node_modules) sources with dist/cli-main.js.map, and each function is
// shown by the source line it starts on. Wasm functions (tree-sitter's parser) have no names: "wasm".
// PROFILE_TOP (default 15) sets how many functions are listed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Runs one profiled scan of `name` (in `cwd`) and returns the V8 CPU profile. */
export function profileScan(cli, name, cwd, directory) {
  const args = ['--cpu-prof', '--cpu-prof-dir', directory, '--cpu-prof-interval', '250', cli, 'check', name, '--format', 'json'];
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`profiled scan failed:\n${result.stderr}`);
  const file = readdirSync(directory).find((entry) => entry.endsWith('.cpuprofile'));
  return JSON.parse(readFileSync(join(directory, file), 'utf8'));
}

/** Prints the top self-time files and functions of `profile`, a profile of the bundle `cli`. */
export function printProfile(profile, cli, root) {
  const locate = locator(cli, root);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFile = new Map();
  const byFunction = new Map();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const { file, where } = locate(nodes.get(id).callFrame);
    add(byFile, file, us);
    add(byFunction, where, us);
    totalUs += us;
  });
  const top = (map, count) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, us]) => `    ${String(Math.round(us / 1000)).padStart(5)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${key}`)
      .join('\n');
  console.log(`\n== CPU profile of one scan of the first project (whole CLI process, ${Math.round(totalUs / 1000)} ms sampled, self time)`);
  console.log(`  by file:\n${top(byFile, 10)}`);
  console.log(`  by function (source line it starts on):\n${top(byFunction, Number(process.env.PROFILE_TOP ?? 15))}`);
}

function add(map, key, value) {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** callFrame -> { file, where } with bundle positions mapped to sources. */
function locator(cli, root) {
  // dist/cli.js loads the CLI proper, dist/cli-main.js, as a script named by its path (node/compile-cache.ts).
  const main = join(dirname(cli), 'cli-main.js');
  const bundle = existsSync(main) ? main : cli;
  const payload = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
  const map = new SourceMap(payload);
  const bundleUrls = new Set([pathToFileURL(bundle).href, bundle]);
  const sourceDir = resolve(bundle, '..', payload.sourceRoot ?? '');
  const lines = new Map();
  const sourceLine = (source, line) => {
    const index = payload.sources.indexOf(source);
    if (!lines.has(index)) lines.set(index, (payload.sourcesContent?.[index] ?? '').split('\n'));
    return lines.get(index)[line]?.trim().slice(0, 70) ?? '';
  };
  return ({ functionName, url, lineNumber, columnNumber }) => {
    if (bundleUrls.has(url)) {
      const entry = map.findEntry(lineNumber, columnNumber);
      if (entry?.originalSource) {
        const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(sourceDir, entry.originalSource);
        const file = relative(root, source);
        const original = payload.sources.find((candidate) => resolve(sourceDir, candidate) === source) ?? entry.originalSource;
        return { file, where: `${file}:${entry.originalLine + 1}  ${sourceLine(original, entry.originalLine)}` };
      }
      return { file: relative(root, bundle), where: `${functionName} ${relative(root, bundle)}` };
    }
    if (url.startsWith('wasm://')) return { file: 'wasm (tree-sitter)', where: `${functionName} (tree-sitter wasm)` };
    if (!url) return { file: functionName, where: functionName };
    const file = url.startsWith('file:') ? relative(root, fileURLToPath(url)) : url;
    return { file, where: `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}` };
  };
}
