/**
 * The server's layers import one way: entry points (cli, server, node and browser hosts) → lsp → engine →
 * rules → analysis → docs, and no two modules import each other, directly or around a circle. Type-only
 * imports count: a type cycle is still two modules that cannot be understood one without the other.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const SOURCE = join(__dirname, '..', '..', 'server', 'src');

const LAYERS: { name: string; holds: (path: string) => boolean }[] = [
  { name: 'docs', holds: (path) => path.startsWith('docs/') },
  { name: 'analysis', holds: (path) => path.startsWith('analysis/') },
  { name: 'rules', holds: (path) => path.startsWith('rules/') },
  { name: 'engine', holds: (path) => path.startsWith('engine/') },
  { name: 'lsp', holds: (path) => path.startsWith('lsp/') },
  {
    name: 'entry points',
    holds: (path) => ['cli.ts', 'cli-entry.ts', 'server.ts', 'server-entry.ts', 'server-browser.ts'].includes(path) || path.startsWith('cli/') || path.startsWith('node/'),
  },
];

type Graph = Map<string, string[]>;

function layerOf(path: string): number {
  return LAYERS.findIndex((layer) => layer.holds(path));
}

function sourceFiles(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** The module a relative specifier names (`./x.js` is `./x.ts` in source); undefined outside server/src. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base];
  const found = candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
  if (!found || relative(SOURCE, found).startsWith('..')) return undefined;
  return relative(SOURCE, found).split('\\').join('/');
}

/** Every module of server/src and the modules of server/src it imports (static, type-only, re-export, dynamic). */
function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(SOURCE)) {
    const imports = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles;
    const targets = imports
      .filter((entry) => entry.fileName.startsWith('.'))
      .map((entry) => resolveSpecifier(file, entry.fileName))
      .filter((target): target is string => target !== undefined);
    graph.set(relative(SOURCE, file).split('\\').join('/'), [...new Set(targets)]);
  }
  return graph;
}

function layerViolations(graph: Graph): string[] {
  const violations: string[] = [];
  for (const [module, targets] of graph) {
    const own = layerOf(module);
    if (own < 0) {
      violations.push(`${module} is in no layer`);
      continue;
    }
    for (const target of targets) {
      const theirs = layerOf(target);
      if (theirs > own) violations.push(`${module} (${LAYERS[own].name}) imports ${target} (${LAYERS[theirs].name}), a layer above it`);
    }
  }
  return violations;
}

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (module: string): void => {
    index.set(module, next);
    low.set(module, next);
    next++;
    stack.push(module);
    onStack.add(module);
    for (const target of graph.get(module) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(module, Math.min(low.get(module)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(module, Math.min(low.get(module)!, index.get(target)!));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== module);
    if (component.length > 1 || (graph.get(module) ?? []).includes(module)) found.push(component.sort());
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return found;
}

test('the checks see an upward import and a circle when there is one', () => {
  const graph: Graph = new Map([
    ['analysis/engine.ts', ['rules/index.ts', 'analysis/types.ts']],
    ['rules/index.ts', ['analysis/types.ts']],
    ['analysis/types.ts', []],
    ['docs/cache-api.ts', ['docs/method-docs.ts']],
    ['docs/method-docs.ts', ['docs/cache-api.ts']],
    ['widgets/thing.ts', []],
  ]);
  assert.deepEqual(layerViolations(graph), [
    'analysis/engine.ts (analysis) imports rules/index.ts (rules), a layer above it',
    'widgets/thing.ts is in no layer',
  ]);
  assert.deepEqual(cycles(graph), [['docs/cache-api.ts', 'docs/method-docs.ts']]);
});

test('the graph is read from the real sources', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, `only ${graph.size} modules found under ${SOURCE}`);
  assert.ok(graph.get('cli.ts')!.includes('engine/workspace.ts'), 'cli.ts imports the engine');
});

test('no module of server/src imports from a layer above its own', () => {
  assert.deepEqual(layerViolations(importGraph()), []);
});

test('no two modules of server/src import each other, directly or around a circle', () => {
  assert.deepEqual(cycles(importGraph()), []);
});
