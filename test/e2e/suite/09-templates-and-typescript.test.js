const h = require('./helpers');
const { assert, vscode } = h;

describe('templates and TypeScript in the editor', function () {
  this.timeout(120000);

  after(() => h.restore('catalog/templates/catalog/publisher_list.html'));

  it('a template under templates/ gets diagnostics, a {% cache %} hover, and the CACHE105 quick fix', async () => {
    await h.activate();
    const document = await h.open('catalog/templates/catalog/publisher_list.html');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE105', 13, 60000);
    assert.match(document.getText(diagnostic.range), /^"[^"]+"$/);
    const cacheTag = document.getText().indexOf('{% cache');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, document.positionAt(cacheTag + 4));
    assert.match(h.hoverText(hovers), /cache/i);
    const actions = await h.codeActions(document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const dropQuotes = actions.find((action) => action.isPreferred);
    assert.ok(dropQuotes, `a preferred fix among ${actions.map((action) => action.title).join(', ')}`);
    await h.applyAction(dropQuotes);
    await h.waitForNoDiagnostic(document.uri, 'CACHE105', 13, 60000);
    assert.doesNotMatch(document.lineAt(12).text, /"/);
  });

  it('a TypeScript file of the Node service gets the CACHE201 diagnostic', async () => {
    const document = await h.open('services/catalog-api/src/catalog.ts');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE201', 9, 60000);
    assert.match(document.getText(diagnostic.range), /redis\.set/);
  });
});
