import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../server/src/engine/workspace.js';
import { readSourceFile, walkWorkspace } from '../../server/src/node/files.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';

const SAMPLE = join(__dirname, '..', 'fixtures', 'sample-project');

async function findings(toPath: (relative: string) => string, roots?: string[]): Promise<string[]> {
  const relative = walkWorkspace(['.'], SAMPLE, []).files;
  const workspace = await Workspace.create({
    wasm: loadPythonWasm(),
    loadTypeScript,
    roots,
    paths: relative.map(toPath),
    source: {
      read: (path) => {
        const result = readSourceFile(join(SAMPLE, relative.find((candidate) => toPath(candidate) === path)!), 2 ** 21);
        return 'text' in result ? result.text : undefined;
      },
    },
  });
  const prefix = toPath('');
  return workspace.check().map((finding) => `${finding.path.slice(prefix.length)}:${finding.range.start.line + 1} ${finding.code}`);
}

test('the language server names files by absolute path: every front end finds the same as with relative paths', async () => {
  const relative = await findings((path) => path);
  // `dev` above the workspace folder must not make every settings module a development one.
  const absolute = await findings((path) => `/home/dev/work/bookshop/${path}`, ['/home/dev/work/bookshop']);
  assert.deepEqual(absolute, relative);
  for (const code of ['CACHE001', 'CACHE003', 'CACHE101', 'CACHE201', 'CACHE202', 'CACHE203']) assert.ok(relative.some((line) => line.endsWith(code)), code);
});

test('deployment files are judged below the workspace folder too: a compose file under ~/code/tests/ is a shipped deployment', async () => {
  const folder = '/home/dev/code/tests/shop';
  const files: Record<string, string> = {
    [`${folder}/shop/settings.py`]: 'import environ\n\nenv = environ.Env()\n\nCACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}\n',
    [`${folder}/docker-compose.yml`]: 'services:\n  web:\n    build: .\n    command: gunicorn shop.wsgi --workers 4\n',
  };
  const severities = async (roots?: string[]): Promise<string[]> => {
    const workspace = await Workspace.create({ wasm: loadPythonWasm(), roots, paths: Object.keys(files), source: { read: (path) => files[path] } });
    return workspace.check().filter((finding) => finding.code === 'CACHE003').map((finding) => finding.severity);
  };
  // `dev` and `tests` above the workspace folder say nothing about the project: its compose file ships, its settings are production.
  assert.deepEqual(await severities([folder]), ['warning']);
});
