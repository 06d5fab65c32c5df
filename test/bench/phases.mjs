// Where one scan's time goes. Runs the engine from its TypeScript sources (loaded with
// `node --import tsx`) through the same steps as `cache-coach check`, timing each step, and counting
// the files seen, the candidates (files PYTHON_CANDIDATE matches) and the files parsed (candidates +
// the modules rules resolve into), the templates seen, matching TEMPLATE_CANDIDATE and lexed, and the
// TypeScript/JavaScript files parsed. It adds nothing to the engine: it wraps a few of its methods on
// the instance (the parser's `parse`, the Python project's `isCandidate` and `module`, the template and
// TypeScript projects' `candidateModules` and `module`).
//
// Usage (cwd = the folder's parent, as the CLI is run):
//   node --import tsx test/bench/phases.mjs FOLDER [LIST_FILE]
// Prints one JSON object: {ms, counts}. With LIST_FILE, writes the walk's file list there (for floor.mjs).
//   node --import tsx test/bench/phases.mjs --walk-only FOLDER LIST_FILE   only writes the list.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

if (process.argv[2] === '--walk-only') {
  const { ConfigFinder } = await import('../../server/src/node/config-files.ts');
  const { walkWorkspace } = await import('../../server/src/node/files.ts');
  const [folder, listFile] = process.argv.slice(3);
  const configs = new ConfigFinder(process.cwd(), {});
  writeFileSync(listFile, walkWorkspace([folder], process.cwd(), configs.configFor(`${folder}/__cache_coach__`).exclude).files.join('\n'));
  process.exit(0);
}

const { Workspace } = await import('../../server/src/engine/workspace.ts');
const { PythonParser } = await import('../../server/src/analysis/python/parser.ts');
const { PYTHON_CANDIDATE } = await import('../../server/src/analysis/python/project.ts');
const { isPythonTestPath } = await import('../../server/src/analysis/python/modules.ts');
const templateProject = await import('../../server/src/analysis/template/project.ts').catch(() => ({}));
const { ConfigFinder } = await import('../../server/src/node/config-files.ts');
const { readSourceFile, walkWorkspace } = await import('../../server/src/node/files.ts');
const { loadPythonWasm } = await import('../../server/src/node/wasm.ts');

const [folder, listFile] = process.argv.slice(2);
const cwd = process.cwd();
const ms = {};
const counts = {};

/** Runs `work`, adding its duration to ms[name]. */
function timed(name, work) {
  const start = performance.now();
  try {
    return work();
  } finally {
    ms[name] = (ms[name] ?? 0) + performance.now() - start;
  }
}

const total = performance.now();

// 1. Walk: the list of files the engine analyses (as in cli.ts).
const configs = new ConfigFinder(cwd, {});
const walk = timed('walk', () => walkWorkspace([folder], cwd, configs.configFor(`${folder}/__cache_coach__`).exclude));
counts.filesSeen = walk.files.length;
if (listFile) writeFileSync(listFile, walk.files.join('\n'));

// 2. Configuration lookup for every file (pyproject.toml up the tree, cached per folder).
timed('config', () => {
  configs.useListing(walk.listedFolders);
  walk.files.forEach((path) => configs.configFor(path));
});

// 3. Read: every file, up front (the CLI reads them lazily, on the first isCandidate()).
const texts = new Map();
timed('read', () => {
  for (const path of walk.files) {
    const result = readSourceFile(resolve(cwd, path), configs.configFor(path).maxFileSize);
    texts.set(path, 'text' in result ? result.text : undefined);
  }
});
counts.bytes = [...texts.values()].reduce((sum, text) => sum + (text === undefined ? 0 : Buffer.byteLength(text)), 0);
const isTemplate = templateProject.isTemplatePath ?? (() => false);
const textsOf = (keep) => [...texts].filter(([path, text]) => text !== undefined && keep(path)).map(([, text]) => text);
counts.python = walk.files.filter((path) => path.endsWith('.py')).length;
counts.templates = walk.files.filter((path) => isTemplate(path)).length;
// Test modules are never candidates (the engine neither reports them nor counts what they do).
counts.candidates = textsOf((path) => path.endsWith('.py') && !isPythonTestPath(path)).filter((text) => PYTHON_CANDIDATE.test(text)).length;
counts.templateCandidates = templateProject.TEMPLATE_CANDIDATE ? textsOf(isTemplate).filter((text) => templateProject.TEMPLATE_CANDIDATE.test(text)).length : 0;

// 4. Wasm: load both binaries and start tree-sitter (PythonParser caches the started runtime, so
//    Workspace.create below does not pay for it again).
const wasm = await timedAsync('wasm', async () => {
  const binaries = loadPythonWasm();
  await PythonParser.create(binaries);
  return binaries;
});

// 5. Index: Workspace.create, i.e. the module resolver and template index over every path.
const workspace = await timedAsync('index', () =>
  Workspace.create({ wasm, source: { read: (path) => texts.get(path) }, paths: walk.files, configFor: (path) => configs.configFor(path) }),
);

// 6. Check, split into: candidate regex, tree-sitter parse, fact extraction (module() minus parse),
//    templates (candidate regex + lexing), typescript (candidate search + parsing, loading `typescript`
//    included), rules (the rest).
instrument(workspace.python);
instrumentSide('templates', workspace.templates);
instrumentSide('typescript', workspace.typescript);
const checkStart = performance.now();
const findings = workspace.check();
ms.check = performance.now() - checkStart;
ms.facts = ms.module - ms.parse;
ms.rules = ms.check - ms.module - ms.candidateRegex - ms.templates - ms.typescript;
ms.total = performance.now() - total;
counts.findings = findings.length;

process.stdout.write(JSON.stringify({ ms, counts }));

async function timedAsync(name, work) {
  const start = performance.now();
  const result = await work();
  ms[name] = performance.now() - start;
  return result;
}

/** Wraps the project's per-file steps on the instance, so their time and calls are counted. */
function instrument(project) {
  if (typeof project.parser?.parse !== 'function' || typeof project.isCandidate !== 'function' || typeof project.module !== 'function') {
    throw new Error('phases.mjs: PythonProject no longer has parser.parse / isCandidate / module; update instrument()');
  }
  ms.parse = ms.module = ms.candidateRegex = 0;
  counts.parsed = counts.parsedBytes = 0;
  const parser = project.parser;
  const parse = parser.parse.bind(parser);
  parser.parse = (...args) => {
    counts.parsed++;
    counts.parsedBytes += Buffer.byteLength(args[0]);
    return timed('parse', () => parse(...args));
  };
  const isCandidate = project.isCandidate.bind(project);
  project.isCandidate = (path) => timed('candidateRegex', () => isCandidate(path));
  const module = project.module.bind(project);
  let depth = 0;
  project.module = (path) => {
    if (depth > 0) return module(path);
    depth++;
    try {
      return timed('module', () => module(path));
    } finally {
      depth--;
    }
  };
}

/**
 * Wraps a side project's candidate search and per-file build (`candidateModules`, `module`) on the
 * instance: their time goes to ms[name], the files they build to counts[`${name}Built`]. A side an
 * older engine lacks is skipped.
 */
function instrumentSide(name, side) {
  ms[name] = 0;
  counts[`${name}Built`] = 0;
  if (typeof side?.candidateModules !== 'function' || typeof side?.module !== 'function') return;
  let depth = 0;
  const wrap = (method, count) => {
    const original = side[method].bind(side);
    side[method] = (...args) => {
      if (count && !side.modules?.has(args[0])) counts[`${name}Built`]++;
      if (depth > 0) return original(...args);
      depth++;
      try {
        return timed(name, () => original(...args));
      } finally {
        depth--;
      }
    };
  };
  wrap('candidateModules', false);
  wrap('module', true);
}
