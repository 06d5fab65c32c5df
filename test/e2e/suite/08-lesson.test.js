const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const { assert, vscode } = h;

/** The lesson panels open in any tab group (view type cacheCoach.lesson; VS Code prefixes it in the tab input). */
function lessonTabs() {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && /(^|-)cacheCoach\.lesson$/.test(tab.input.viewType));
}

describe('the lesson panel', function () {
  this.timeout(90000);
  let api;
  let questions;

  before(async () => {
    const extension = await h.activate();
    api = extension.exports.lesson;
    assert.ok(api, 'the extension API has `lesson`');
    questions = JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'lessons', 'quiz.json'), 'utf8')).questions;
    await vscode.commands.executeCommand('cacheCoach.resetProgress');
  });

  after(async () => {
    const tabs = lessonTabs();
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    await vscode.commands.executeCommand('cacheCoach.resetProgress');
  });

  it('Open Lesson at a section opens one webview tab of view type cacheCoach.lesson, whose page loads and reports the section read', async () => {
    await h.open('catalog/views.py'); // the panel opens beside the editor
    await vscode.commands.executeCommand('cacheCoach.openLesson', 'timeouts');
    const tab = await h.waitFor('a cacheCoach.lesson tab', () => lessonTabs()[0]);
    assert.strictEqual(tab.label, 'Cache Coach: Lesson');
    // The page ran under its CSP in the real webview: it asked for the lesson, showed the section and said so.
    await h.waitFor('the page to report "timeouts" read', () => api.progress().sectionsRead.includes('timeouts'), 30000);
    // A hover link's target (a rule code) and Start Quiz reuse the same panel.
    await vscode.commands.executeCommand('cacheCoach.openLesson', 'CACHE004');
    await h.waitFor('the page to report rule-cache004 read', () => api.progress().sectionsRead.includes('rule-cache004'), 30000);
    await vscode.commands.executeCommand('cacheCoach.startQuiz');
    await h.sleep(500);
    assert.strictEqual(lessonTabs().length, 1, 'one lesson panel');
    // An unknown section or a non-string argument opens the lesson rather than failing.
    await vscode.commands.executeCommand('cacheCoach.openLesson', 'no-such-section');
    await vscode.commands.executeCommand('cacheCoach.openLesson', { not: 'a section' });
    assert.strictEqual(lessonTabs().length, 1);
    assert.match(api.uri('timeouts'), /^[a-z-]+:\/\/cache-coach\.cache-coach\/lesson\?section=timeouts$/);
  });

  it('a quiz answer goes through the page\'s message checks and is recorded in the progress kept across restarts', async () => {
    const question = questions[1];
    const wrong = (question.answer + 1) % question.options.length;
    let progress = await api.answer(question.id, wrong);
    assert.deepStrictEqual(progress.answers[question.id], { option: wrong, correct: false });
    progress = await api.answer(question.id, question.answer);
    assert.deepStrictEqual(progress.answers[question.id], { option: question.answer, correct: true });
    // What the checks refuse is not recorded.
    progress = await api.answer('q-no-such-question', 0);
    assert.strictEqual(progress.answers['q-no-such-question'], undefined);
    progress = await api.answer(question.id, 99);
    assert.deepStrictEqual(progress.answers[question.id], { option: question.answer, correct: true });
    await vscode.commands.executeCommand('cacheCoach.resetProgress');
    assert.deepStrictEqual(api.progress().answers, {});
  });

  it('the walkthrough: four steps with their Markdown media, and applying a Cache Coach quick fix runs the command that ticks its step', async () => {
    const extension = await h.activate();
    const [walkthrough] = extension.packageJSON.contributes.walkthroughs;
    assert.deepStrictEqual(walkthrough.steps.map((step) => step.id), ['openLesson', 'seeDiagnostic', 'applyQuickFix', 'takeQuiz']);
    for (const step of walkthrough.steps) {
      assert.ok(fs.existsSync(path.join(extension.extensionPath, step.media.markdown)), `${step.media.markdown} exists`);
      assert.ok(step.completionEvents.length > 0);
    }
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('cacheCoach.walkthrough.quickFixApplied'));
    const document = await h.open('catalog/views.py');
    const diagnostic = await h.waitForDiagnostic(document.uri, 'CACHE004', 24);
    const actions = await h.codeActions(document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((action) => /vary_on_cookie/.test(action.title));
    assert.ok(fix, `no vary_on_cookie fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.strictEqual(fix.command && fix.command.command, 'cacheCoach.walkthrough.quickFixApplied');
  });
});
