// The cost of the key map (`cache-coach keys`, the editor's "Cache keys" view): buildKeyMap over a workspace
// that has already been checked, reusing its index and findings, as the server and the CLI call it. Also
// counts the tree-sitter parses and template/TS builds made during buildKeyMap: it must make none.
//
// In bench.mjs: runKeyMapBench(label, folder) prints one line per project.
// Alone (cwd = the folder's parent, engine from its TypeScript sources):
//   node --import tsx test/bench/key-map.mjs FOLDER   -> one JSON object on stdout
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const RUNS = 5;

/** Measures one folder in a fresh process and prints its figures. */
export function runKeyMapBench(label, folder) {
  const tsx = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
  const result = spawnSync(process.execPath, ['--import', tsx, fileURLToPath(import.meta.url), basename(folder)], { cwd: dirname(folder), encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) {
    console.log(`\nkey map, ${label}: failed\n${result.stderr}`);
    return undefined;
  }
  const figures = JSON.parse(result.stdout);
  console.log(`\nkey map, ${label}:`);
  console.log(
    `  buildKeyMap after check: ${figures.firstMs.toFixed(1)} ms first, ${figures.medianMs.toFixed(1)} ms median of ${figures.runs} (min ${figures.minMs.toFixed(1)}, max ${figures.maxMs.toFixed(1)});` +
      ` check ${Math.round(figures.checkMs)} ms; ${figures.keys} keys (${figures.problemKeys} with problems), ${figures.sites} sites;` +
      ` parses during buildKeyMap: ${figures.parsesDuringMap}, template/TS builds: ${figures.buildsDuringMap}`,
  );
  return figures;
}

async function measure(folder) {
  const { Workspace } = await import('../../server/src/engine/workspace.ts');
  const { buildKeyMap } = await import('../../server/src/engine/key-map.ts');
  const { ConfigFinder } = await import('../../server/src/node/config-files.ts');
  const { readSourceFile, walkWorkspace } = await import('../../server/src/node/files.ts');
  const { loadTypeScript } = await import('../../server/src/node/typescript.ts');
  const { loadPythonWasm } = await import('../../server/src/node/wasm.ts');
  const cwd = process.cwd();
  const configs = new ConfigFinder(cwd, {});
  const walk = walkWorkspace([folder], cwd, configs.configFor(`${folder}/__cache_coach__`).exclude);
  const texts = new Map();
  const source = {
    read: (path) => {
      if (!texts.has(path)) {
        const result = readSourceFile(resolve(cwd, path), configs.configFor(path).maxFileSize);
        texts.set(path, 'text' in result ? result.text : undefined);
      }
      return texts.get(path);
    },
  };
  const workspace = await Workspace.create({ wasm: loadPythonWasm(), source, paths: walk.files, roots: [folder], configFor: (path) => configs.configFor(path), loadTypeScript });
  const checkStart = performance.now();
  const findings = workspace.check();
  const checkMs = performance.now() - checkStart;

  let parses = 0;
  let builds = 0;
  const parser = workspace.python.parser;
  const parse = parser.parse.bind(parser);
  parser.parse = (...args) => {
    parses++;
    return parse(...args);
  };
  for (const side of [workspace.templates, workspace.typescript]) {
    const module = side.module.bind(side);
    side.module = (path) => {
      if (!side.modules?.has(path)) builds++;
      return module(path);
    };
  }
  const times = [];
  let map;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    map = buildKeyMap(workspace, { findings });
    times.push(performance.now() - start);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs: RUNS,
    firstMs: times[0],
    medianMs: sorted[Math.floor(sorted.length / 2)],
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    checkMs,
    keys: map.keys.length,
    problemKeys: map.keys.filter((entry) => entry.problems.length > 0).length,
    sites: map.keys.reduce((sum, entry) => sum + entry.writes.length + entry.reads.length + entry.invalidations.length, 0),
    parsesDuringMap: parses,
    buildsDuringMap: builds,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await measure(process.argv[2]);
  process.stdout.write(JSON.stringify(figures));
}
