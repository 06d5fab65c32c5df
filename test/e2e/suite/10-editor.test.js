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

  it('a broken pyproject.toml puts the language status item in an error state, with a diagnostic on the file; fixing it clears both', async () => {
    const document = await h.open('catalog/views.py');
    await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    const pyproject = path.join(h.workspaceRoot(), 'pyproject.toml');
    const original = fs.readFileSync(pyproject, 'utf8');
    try {
      fs.writeFileSync(pyproject, original.replace('[tool.cache-coach]\ndefault-timeout = 600', '[tool.cache-coach]\ndefault-timeout = [600'));
      const line = original.split('\n').findIndex((text) => text.startsWith('default-timeout'));
      const status = await h.waitFor('the status item in an error state', () => (api.status().severity === 'error' ? api.status() : undefined), 30000);
      assert.strictEqual(status.text, 'Cache Coach: pyproject.toml error');
      assert.match(status.detail, /pyproject\.toml, line \d+: .*not valid TOML at line \d+, column \d+/);
      const uri = vscode.Uri.file(pyproject);
      const [diagnostic] = await h.waitFor('a diagnostic on pyproject.toml', () => (h.ours(uri).length ? h.ours(uri) : undefined), 30000);
      assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      assert.ok(diagnostic.range.start.line >= line, `the diagnostic is at the error (line ${diagnostic.range.start.line + 1})`);
    } finally {
      fs.writeFileSync(pyproject, original);
    }
    await h.waitFor('the status item back to normal', () => api.status().severity === 'information', 30000);
    await h.waitFor('the pyproject.toml diagnostic to go', () => h.ours(vscode.Uri.file(pyproject)).length === 0, 30000);
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

  it('the walkthrough steps done so far (lesson opened, finding shown, fix applied) are recorded to be ticked in later windows', async () => {
    // The tests above opened the lesson and showed findings; a user applies a quick fix.
    const document = await h.open('catalog/views.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    const actions = await h.codeActions(document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((action) => /vary_on_cookie/.test(action.title));
    assert.ok(fix, 'the vary_on_cookie quick fix');
    await h.applyAction(fix);
    await h.restore('catalog/views.py');
    assert.deepStrictEqual(api.walkthroughSteps(), ['appliedFix', 'openedLesson', 'sawFinding']);
    const [walkthrough] = vscode.extensions.getExtension(h.EXTENSION_ID).packageJSON.contributes.walkthroughs;
    const events = Object.fromEntries(walkthrough.steps.map((step) => [step.id, step.completionEvents]));
    assert.ok(events.openLesson.includes('onContext:cacheCoach.walkthrough.openedLesson'));
    assert.ok(events.seeDiagnostic.includes('onContext:cacheCoach.walkthrough.sawFinding'));
    assert.ok(events.applyQuickFix.includes('onContext:cacheCoach.walkthrough.appliedFix'));
  });
});
