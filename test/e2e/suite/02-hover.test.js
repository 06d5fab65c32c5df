const h = require('./helpers');
const { assert, vscode } = h;

describe('hover', function () {
  this.timeout(60000);

  it('on cache.set in catalog/services.py shows its signature', async () => {
    const document = await h.open('catalog/services.py');
    const line = document.getText().split('\n').findIndex((l) => l.includes('cache.set('));
    assert.ok(line >= 0, 'no cache.set( in catalog/services.py');
    const column = document.lineAt(line).text.indexOf('cache.set(') + 'cache.'.length + 1; // inside "set"
    const position = new vscode.Position(line, column);
    const text = await h.waitFor('a Cache Coach hover on cache.set', async () => {
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, position);
      const t = h.hoverText(hovers);
      return /set\s*\(\s*key\s*,\s*value/.test(t) ? t : null;
    }, 45000, 250);
    assert.match(text, /timeout/, `hover mentions the timeout parameter:\n${text}`);
  });
});
