const h = require('./helpers');
const { assert, vscode } = h;

function assertVaryFixed(text) {
  const at = h.lineIndex(text, '@cache_page(60 * 10)');
  assert.ok(at >= 0 && text.split('\n')[at + 1].trim() === '@vary_on_cookie', 'vary_on_cookie below @cache_page(60 * 10)');
  assert.ok(h.lineIndex(text, '@cache_page(None)') >= 0, 'the unsafe CACHE010 fix was not applied');
}

describe('fix all', function () {
  this.timeout(90000);
  afterEach(() => h.restore('catalog/views.py'));

  it('command cacheCoach.fixAll applies the safe fixes of the active file', async () => {
    const document = await h.open('catalog/views.py');
    await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    await h.waitForDiagnostic(document.uri, 'CACHE010', 47);
    await vscode.commands.executeCommand('cacheCoach.fixAll');
    await h.waitFor('fix-all to add @vary_on_cookie', () => /^@vary_on_cookie$/m.test(document.getText()), 20000);
    assertVaryFixed(document.getText());
    await h.waitForNoDiagnostic(document.uri, 'CACHE004');
    assert.ok(h.find(document.uri, 'CACHE010').length === 1, 'CACHE010 (no safe fix) is still reported');
  });

  it('offers a source.fixAll.cacheCoach code action', async () => {
    const document = await h.open('catalog/views.py');
    await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const actions = await h.codeActions(document.uri, whole, vscode.CodeActionKind.SourceFixAll.value);
    const fixAll = actions.find((a) => a.kind && a.kind.value === 'source.fixAll.cacheCoach');
    assert.ok(fixAll, `no source.fixAll.cacheCoach among ${JSON.stringify(actions.map((a) => [a.title, a.kind && a.kind.value]))}`);
    await h.applyAction(fixAll);
    assertVaryFixed(document.getText());
  });
});
