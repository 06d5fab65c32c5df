/**
 * `npx cache-coach` works from the published package: `npm pack` the repository, install the tarball
 * into a throw-away project, and run both bins from there on a copy of the sample project.
 *
 * `npm pack --ignore-scripts` packs the dist/ that `npm test` has just built (running the build here
 * would rewrite dist/ under the feet of the tests running beside this one); the pre-commit test
 * covers the `prepack` build from a clean checkout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, SAMPLE_PROJECT, assertBuilt, describeRun, expectedSampleFindings, run, temporaryFolder } from './helpers';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

interface PackedFile {
  path: string;
  size: number;
}

const work = temporaryFolder('npm-pack');
let tarball = '';
let files: PackedFile[] = [];
const project = join(work.dir, 'project');

before(() => {
  assertBuilt();
  const packed = run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work.dir], { cwd: ROOT, timeout: 120_000 });
  assert.equal(packed.status, 0, describeRun('npm pack', packed));
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[];
  tarball = join(work.dir, info.filename);
  files = info.files;
});

after(() => work.dispose());

test('the tarball holds the bundles, the wasm and the README, and no sources or tests', () => {
  const paths = files.map((file) => file.path).sort();
  for (const required of ['package.json', 'README.md', 'dist/cli.js', 'dist/cli-main.js', 'dist/server.js', 'dist/server-main.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-python.wasm']) {
    assert.ok(paths.includes(required), `${required} is missing from the tarball: ${paths.join(', ')}`);
  }
  const allowed = /^(package\.json|README\.md|LICENSE(\.\w+)?|dist\/[\w.-]+\.(js|wasm))$/;
  const unexpected = paths.filter((path) => !allowed.test(path));
  assert.deepEqual(unexpected, [], `files that do not belong in the npm package (edit .npmignore): ${unexpected.join(', ')}`);
  assert.ok(!paths.some((path) => /\.(ts|map)$/.test(path) || /^(test|server|client|lessons)\//.test(path)), paths.join(', '));
  const total = files.reduce((sum, file) => sum + file.size, 0);
  assert.ok(total < 25 * 1024 * 1024, `the package unpacks to ${total} bytes`);
});

test('npx cache-coach, installed from the tarball, reports the expected findings', () => {
  writeFileSync(join(work.dir, 'package.json'), JSON.stringify({ name: 'npx-consumer', version: '1.0.0', private: true }, null, 2));
  const install = run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: work.dir, timeout: 300_000 });
  assert.equal(install.status, 0, describeRun(`npm install ${tarball}`, install));
  // The project to lint sits below the consumer's package.json, as a Django project beside a frontend would.
  cpSync(SAMPLE_PROJECT, project, { recursive: true });

  const version = run(NPX, ['--no-install', 'cache-coach', '--version'], { cwd: project });
  assert.equal(version.status, 0, describeRun('npx cache-coach --version', version));
  assert.equal(version.stdout.trim(), packageJson.version);

  const check = run(NPX, ['--no-install', 'cache-coach', 'check', '.', '--format', 'json'], { cwd: project, timeout: 120_000 });
  assert.equal(check.status, 1, describeRun('npx cache-coach check . --format json', check));
  const findings = JSON.parse(check.stdout) as { code: string; path: string; line: number }[];
  assert.deepEqual(
    findings.map(({ code, path, line }) => ({ code, path, line })),
    expectedSampleFindings(),
  );

  // The installed bin, not the repository's dist/, did the work.
  const which = run(NPM, ['exec', '--no-install', '--', 'node', '-e', "console.log(require.resolve('cache-coach/package.json'))"], { cwd: project });
  assert.equal(which.status, 0, describeRun('resolve cache-coach', which));
  assert.ok(which.stdout.trim().startsWith(join(work.dir, 'node_modules')), which.stdout);
});

test('npx cache-coach-server --stdio answers initialize', { timeout: 60_000 }, async () => {
  const child = spawn(NPX, ['--no-install', 'cache-coach-server', '--stdio'], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = Buffer.alloc(0);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  interface Reply {
    id?: number;
    result?: { capabilities?: Record<string, unknown>; serverInfo?: { name: string } };
  }
  const reply = new Promise<Reply>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = Buffer.concat([stdout, chunk]);
      for (;;) {
        const text = stdout.toString('latin1');
        const headerEnd = text.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(text.slice(0, headerEnd))?.[1]);
        if (stdout.length < headerEnd + 4 + length) return;
        const message = JSON.parse(stdout.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Reply;
        stdout = stdout.subarray(headerEnd + 4 + length);
        if (message.id === 1) resolve(message);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  const send = (message: object): void => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  try {
    send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
    const response = await reply;
    assert.ok(response.result?.capabilities, JSON.stringify(response));
    assert.equal(response.result?.serverInfo?.name, 'cache-coach');
    send({ id: 2, method: 'shutdown' });
    send({ method: 'exit' });
  } finally {
    setTimeout(() => child.kill(), 2000).unref();
  }
});
