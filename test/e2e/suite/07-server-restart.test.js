const h = require('./helpers');
const { assert, vscode } = h;

describe('the server process dies', function () {
  this.timeout(120000);

  after(() => h.restore('catalog/services.py'));

  it('the client starts a new server and diagnostics come back', async () => {
    const extension = await h.activate();
    const document = await h.open('catalog/services.py');
    await h.waitForDiagnostic(document.uri, 'CACHE006', 131, 60000);
    const firstPid = await h.waitFor('the server process id', () => extension.exports.serverProcessId());
    process.kill(firstPid, 'SIGKILL');
    const secondPid = await h.waitFor('a new server process', () => {
      const pid = extension.exports.serverProcessId();
      return pid && pid !== firstPid ? pid : undefined;
    }, 60000);
    assert.notStrictEqual(secondPid, firstPid);
    // The new server answers for the open document: an edit gets a fresh finding.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(document.lineCount, 0), '\n\ndef restart_probe():\n    cache.get("after restart")\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await h.waitForDiagnostic(document.uri, 'CACHE008', document.lineCount - 1, 60000);
    await h.waitForDiagnostic(document.uri, 'CACHE006', 131, 60000);
  });
});
