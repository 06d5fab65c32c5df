import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../server/src/analysis/engine.js';
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
