const fs = require('fs');
const h = require('./helpers');
const { assert, vscode } = h;

describe('quick fix', function () {
  this.timeout(90000);
  after(() => h.restore('catalog/views.py'));

  it('"Add @vary_on_cookie below @cache_page" puts @vary_on_cookie below @cache_page(60 * 10)', async () => {
    const document = await h.open('catalog/views.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    const actions = await h.codeActions(document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /vary_on_cookie/.test(a.title));
    assert.ok(fix, `no vary_on_cookie fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.strictEqual(fix.title, 'Add @vary_on_cookie below @cache_page');
    assert.strictEqual(fix.isPreferred, true, 'a safe fix is offered as preferred');
    await h.applyAction(fix);

    const text = document.getText();
    const at = h.lineIndex(text, '@cache_page(60 * 10)');
    assert.ok(at >= 0, 'the @cache_page(60 * 10) line is still there');
    assert.strictEqual(text.split('\n')[at + 1].trim(), '@vary_on_cookie', `the line below @cache_page:\n${text.split('\n').slice(at - 1, at + 3).join('\n')}`);
    assert.match(text, /^from django\.views\.decorators\.vary import .*\bvary_on_cookie\b/m, 'vary_on_cookie is imported');

    assert.ok(await document.save(), 'saved');
    assert.strictEqual(fs.readFileSync(document.uri.fsPath, 'utf8'), text, 'the file on disk holds the fix');
    await h.waitForNoDiagnostic(document.uri, 'CACHE004');
  });
});
