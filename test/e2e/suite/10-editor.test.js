// Issue 13, the editor: what a new user meets before reading any docs.
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const { assert, vscode } = h;

function lessonTabs() {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && /(^|-)cacheCoach\.lesson$/.test(tab.input.viewType));
}

describe('the editor, for a new user', function () {
  this.timeout(90000);
  let api;

  before(async () => {
    api = (await h.activate()).exports;
  });

  after(async () => {
    const tabs = lessonTabs();
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  });

  it('a diagnostic\'s code link opens the rule\'s page in the lesson panel', async () => {
    const document = await h.open('catalog/views.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    const target = diagnostic.code && diagnostic.code.target;
    assert.ok(target, 'the diagnostic code has a link');
    assert.strictEqual(target.toString(true), `${vscode.env.uriScheme}://cache-coach.cache-coach/lesson?section=cache004`);
    // What clicking the code does: the editor opens the link, which comes back to the extension's URI handler.
    await vscode.commands.executeCommand('vscode.open', target);
    await h.waitFor('a lesson tab', () => lessonTabs()[0], 30000);
    await h.waitFor('the page to report rule-cache004 read', () => api.lesson.progress().sectionsRead.includes('rule-cache004'), 30000);
    // The hover over the finding carries the same way into the lesson.
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, diagnostic.range.start.translate(0, 3));
    assert.match(h.hoverText(hovers), /\[Lesson: CACHE004 page-cache-per-user\]\(command:cacheCoach\.openLesson\?/);
  });
});
