const h = require('./helpers');
const { assert, vscode } = h;

describe('diagnostics on the sample project', function () {
  this.timeout(90000);

  it('activates the extension', async () => {
    const extension = await h.activate();
    assert.ok(extension.isActive);
  });

  it('publishes CACHE004 on catalog/views.py line 24 (@cache_page(60 * 10))', async () => {
    const document = await h.open('catalog/views.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE004', 24, 60000);
    assert.strictEqual(diagnostic.source, 'Cache Coach');
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(document.getText(diagnostic.range), /cache_page/, `CACHE004 underlines ${JSON.stringify(document.getText(diagnostic.range))}`);
  });

  it('publishes CACHE006 on catalog/services.py line 131 (timeout 0)', async () => {
    const document = await h.open('catalog/services.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE006', 131, 60000);
    assert.strictEqual(document.getText(diagnostic.range), '0');
  });
});
