const fs = require('fs');
const h = require('./helpers');
const { assert, vscode } = h;

describe('suppression quick fix', function () {
  this.timeout(90000);
  after(() => h.restore('catalog/services.py'));

  it('adds "# noqa: CACHE006" to catalog/services.py line 131 and the finding goes away', async () => {
    const document = await h.open('catalog/services.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE006', 131);
    const actions = await h.codeActions(document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const suppress = actions.find((a) => /noqa|suppress/i.test(a.title) && /CACHE006/.test(a.title));
    assert.ok(suppress, `no suppression among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.notStrictEqual(suppress.isPreferred, true, 'suppressing is never the preferred fix');
    await h.applyAction(suppress);

    const line = document.lineAt(130).text;
    assert.match(line, /cache\.set\(.*#\s*noqa:\s*CACHE006\s*$/, `line 131 is now ${JSON.stringify(line)}`);
    assert.ok(await document.save());
    assert.match(fs.readFileSync(document.uri.fsPath, 'utf8').split('\n')[130], /#\s*noqa:\s*CACHE006/);
    await h.waitForNoDiagnostic(document.uri, 'CACHE006', 131);
    assert.strictEqual(h.find(document.uri, 'CACHE900', 131).length, 0, 'the new noqa is used, so no CACHE900');
  });
});
