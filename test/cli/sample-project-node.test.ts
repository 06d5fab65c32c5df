import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT, runCli, SAMPLE_PROJECT } from './helpers.js';

const SERVICE = 'services/catalog-api/';

test('every TS/JS rule fires exactly once on the sample project\'s Node service', () => {
  const expected = JSON.parse(readFileSync(join(ROOT, 'test', 'sample-project.expected.json'), 'utf8')) as { code: string; path: string }[];
  const codes = expected.filter((finding) => finding.path.startsWith(SERVICE)).map((finding) => finding.code).sort();
  assert.deepEqual(codes, ['CACHE201', 'CACHE202', 'CACHE203']);
});

test('the CLI shows the Node service\'s findings in text form, run from the service folder too', () => {
  const run = runCli(['check', SERVICE], SAMPLE_PROJECT);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((line) => line.split(': ')[0]),
    [`${SERVICE}src/catalog.ts:9:9`, `${SERVICE}src/clients/memory.ts:10:8`, `${SERVICE}src/recommendations.ts:8:25`],
  );
  assert.match(lines[0], /CACHE201 "product:\{\}" is stored with no TTL/);
  const inside = runCli(['check', '--format', 'json'], join(SAMPLE_PROJECT, SERVICE));
  assert.deepEqual((JSON.parse(inside.stdout) as { code: string }[]).map((finding) => finding.code), ['CACHE201', 'CACHE203', 'CACHE202']);
});

test('the Node service is complete: its own modules all exist and type-check; only its npm packages wait for `npm install`', () => {
  const service = join(SAMPLE_PROJECT, SERVICE);
  const manifest = JSON.parse(readFileSync(join(service, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const packages = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]);
  // The fixture has no node_modules: Node's own types come from this repository's.
  const config = ts.getParsedCommandLineOfConfigFile(join(service, 'tsconfig.json'), { types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')], noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => assert.fail(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
  });
  assert.ok(config && config.errors.length === 0, 'tsconfig.json parses');
  const program = ts.createProgram(config.fileNames, config.options);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ({ code: diagnostic.code, file: diagnostic.file?.fileName.slice(service.length), message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ') }))
    .filter(({ code, message }) => {
      const module = /module '([^']+)'/.exec(message)?.[1];
      return !((code === 2307 || code === 7016) && module && !module.startsWith('.') && packages.has(module));
    });
  assert.deepEqual(problems, []);
  // package.json "main" is the build of a source file that exists.
  assert.ok(config.fileNames.some((file) => file.endsWith(manifest.main.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))), manifest.main);
});
