import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyOf, ROOT } from '../cli/helpers.js';
import { LspClient, uri } from './lsp-client.js';

const LEAKY_VIEW = 'from django.views.decorators.cache import cache_page\n\n\n@cache_page(60)\ndef me(request):\n    return request.user.username\n';
// Line 3: the list is never closed; smol-toml stops at line 4, column 1 ("expected comma or end of structure").
const BROKEN = '[tool.cache-coach]\nselect = ["CACHE0"\nignore = ["CACHE900"]\n';

test('a broken pyproject.toml is shown once: one warning with "Open pyproject.toml", a diagnostic at the parser\'s position, one log line', async () => {
  const project = copyOf(join(ROOT, 'test', 'fixtures', 'empty'));
  for (let index = 0; index < 12; index++) {
    mkdirSync(join(project.dir, `app${index}`), { recursive: true });
    writeFileSync(join(project.dir, `app${index}`, 'views.py'), LEAKY_VIEW);
  }
  const pyproject = join(project.dir, 'pyproject.toml');
  writeFileSync(pyproject, BROKEN);
  const client = await LspClient.start(project.dir);
  client.answerMessage = (request) => request.actions?.find((action) => action.title === 'Open pyproject.toml') ?? null;
  try {
    const views = client.open(join(project.dir, 'app0', 'views.py'), LEAKY_VIEW);
    // The defaults apply meanwhile: the leak is still reported.
    await client.diagnostics(views, (list) => list.some((diagnostic) => diagnostic.code === 'CACHE004'));
    await client.waitForLog(/Workspace scan: /);
    const [tomlDiagnostic] = await client.diagnostics(uri(pyproject), (list) => list.length > 0);
    assert.equal(tomlDiagnostic.severity, 1);
    assert.deepEqual(tomlDiagnostic.range.start, { line: 2, character: 0 });
    assert.match(tomlDiagnostic.message, /not valid TOML at line 3, column 1/);

    await client.until(() => client.shownDocuments.length > 0, 'the "Open pyproject.toml" action to open the file');
    const warnings = client.messageRequests.filter((request) => /pyproject\.toml/.test(request.message));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].type, 2);
    assert.deepEqual(warnings[0].actions?.map((action) => action.title), ['Open pyproject.toml']);
    assert.equal(client.shownDocuments[0].uri, uri(pyproject));
    assert.deepEqual(client.shownDocuments[0].selection, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } });
    assert.equal(client.logs.filter((line) => line.includes('not valid TOML')).length, 1, client.logs.join('\n'));
    assert.deepEqual(client.configProblems.at(-1)?.map((problem) => [problem.uri, problem.line, problem.column]), [[uri(pyproject), 3, 1]]);

    // Fixed on disk: the diagnostic goes, the client hears there is no problem left, nothing more is shown.
    writeFileSync(pyproject, '[tool.cache-coach]\nselect = ["CACHE0"]\nignore = ["CACHE900"]\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(pyproject), type: 2 }] });
    await client.diagnostics(uri(pyproject), (list) => list.length === 0);
    await client.until(() => client.configProblems.at(-1)?.length === 0, 'an empty configProblems notification');
    assert.equal(client.messageRequests.filter((request) => /pyproject\.toml/.test(request.message)).length, 1);
  } finally {
    await client.stop();
    project.dispose();
  }
});

test('a bad value in [tool.cache-coach] puts the diagnostic on the table header', async () => {
  const project = copyOf(join(ROOT, 'test', 'fixtures', 'empty'));
  mkdirSync(join(project.dir, 'shop'), { recursive: true });
  writeFileSync(join(project.dir, 'shop', 'views.py'), LEAKY_VIEW);
  const pyproject = join(project.dir, 'pyproject.toml');
  writeFileSync(pyproject, '[project]\nname = "shop"\n\n[tool.cache-coach]\ndefault-timeout = -5\n');
  const client = await LspClient.start(project.dir);
  try {
    client.open(join(project.dir, 'shop', 'views.py'), LEAKY_VIEW);
    const [tomlDiagnostic] = await client.diagnostics(uri(pyproject), (list) => list.length > 0);
    assert.equal(tomlDiagnostic.range.start.line, 3);
    assert.match(tomlDiagnostic.message, /default-timeout must be a positive whole number, got -5/);
  } finally {
    await client.stop();
    project.dispose();
  }
});
