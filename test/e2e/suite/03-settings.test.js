const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const { assert, vscode } = h;

describe('settings', function () {
  this.timeout(90000);
  const target = vscode.ConfigurationTarget.Workspace;

  after(async () => {
    await vscode.workspace.getConfiguration('cacheCoach').update('ignore', undefined, target);
  });

  it('cacheCoach.ignore ["CACHE004"] in workspace settings removes CACHE004, and removing it brings it back', async () => {
    const document = await h.open('catalog/views.py');
    await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    await h.waitForDiagnostic(document.uri, 'CACHE010', 47);

    await vscode.workspace.getConfiguration('cacheCoach').update('ignore', ['CACHE004'], target);
    const settingsFile = path.join(h.workspaceRoot(), '.vscode', 'settings.json');
    assert.match(fs.readFileSync(settingsFile, 'utf8'), /"cacheCoach\.ignore":\s*\[\s*"CACHE004"\s*\]/);
    await h.waitForNoDiagnostic(document.uri, 'CACHE004', undefined, 30000);
    assert.strictEqual(h.find(document.uri, 'CACHE010', 47).length, 1, 'other findings stay');

    await vscode.workspace.getConfiguration('cacheCoach').update('ignore', undefined, target);
    await h.waitForDiagnostic(document.uri, 'CACHE004', 24, 30000);
  });
});
