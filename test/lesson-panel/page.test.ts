/**
 * The lesson panel's page in headless Chromium (playwright-core + /usr/bin/chromium), with the real
 * lesson data and a stand-in for the VS Code API: sections and links, the quiz (answers, feedback,
 * score, review, retake with shuffled options), the simulator's expiry and cache-aside demo, the
 * exercises' feedback, escaping of the data, message validation, state restore, and the CSP (no
 * `unsafe-inline`, no `unsafe-eval`, and not one violation while all of this runs).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LessonContent } from '../../client/src/lesson/content';
import { loadRepoLesson } from './lesson-files';
import { contentSecurityPolicy } from '../../client/src/lesson/html';
import { createMarkdown } from '../../client/src/lesson/markdown';
import { emptyProgress, type LessonData, type Progress, type RunnerStatus, type View } from '../../client/src/lesson/messages';
import { CHROMIUM, LIGHT_THEME, NONCE, PageHarness, ROOT, type LessonTab } from './page-harness';
import type { QuizAttempt } from '../../client/src/lesson/messages';

const READY: RunnerStatus = { state: 'ready', python: '/usr/bin/python3', django: '3.2.25' };
let harness: PageHarness;
let content: LessonContent;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run node test/e2e/setup.mjs (it installs Debian's chromium)`);
  content = await loadRepoLesson();
  harness = await PageHarness.start();
});

after(async () => {
  await harness?.close();
});

async function opened(options: { view?: View; progress?: Progress; runner?: RunnerStatus; lesson?: LessonData; state?: unknown; viewport?: { width: number; height: number }; theme?: Record<string, string> } = {}): Promise<LessonTab> {
  const tab = await harness.open({ state: options.state, viewport: options.viewport, ...(options.theme ? { theme: options.theme } : {}) });
  await tab.waitForPosted('ready');
  await tab.send({ type: 'init', lesson: options.lesson ?? content.data, progress: options.progress ?? emptyProgress(), runner: options.runner ?? READY, ...(options.view ? { view: options.view } : {}) });
  await tab.page.waitForSelector('nav.toc .nav-item', { state: 'attached' });
  return tab;
}

/** Every test ends here: no page errors, no CSP violations, no inline handler attributes. */
async function done(tab: LessonTab): Promise<void> {
  const record = await tab.record();
  assert.deepEqual(tab.errors, [], 'page errors');
  assert.deepEqual(record.violations, [], 'Content-Security-Policy violations');
  const inlineHandlers = await tab.page.evaluate(() => [...document.querySelectorAll('*')].flatMap((element) => [...element.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${element.tagName}[${a.name}]`)));
  assert.deepEqual(inlineHandlers, [], 'inline event handler attributes');
  await tab.close();
}

test('the CSP: nonce\'d script only, no unsafe-inline or unsafe-eval, nothing but the webview\'s own resources', () => {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(harness.html)?.[1]?.replace(/&#39;/g, "'");
  assert.ok(csp, 'the page has a CSP meta tag');
  assert.equal(csp, contentSecurityPolicy(harness.origin, NONCE));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|\*/);
  const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), [`'nonce-${NONCE}'`]);
  assert.deepEqual(directives.get('style-src'), [harness.origin]);
  const scripts = [...harness.html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1, 'one script');
  assert.match(scripts[0]![1]!, new RegExp(`nonce="${NONCE.replace(/[+/=]/g, '\\$&')}"`));
  assert.match(scripts[0]![1]!, /src="/);
  assert.equal(scripts[0]![2]!.trim(), '', 'no inline script body');
  assert.doesNotMatch(harness.html, /\son[a-z]+=|style=/i, 'no inline handlers or styles in the HTML');
});

test('the page asks for its data, shows the first section, and follows links between sections', async () => {
  const tab = await opened();
  const posted = await tab.posted();
  assert.equal(posted[0]!.type, 'ready', 'the first message is ready');
  assert.equal(await tab.text('article.section h1'), content.data.sections[0]!.title);
  await tab.waitForPosted('sectionViewed', (m) => m.section === content.data.sections[0]!.id);
  // A link written [text](#timeouts) in the Markdown opens that section inside the page.
  await tab.send({ type: 'show', view: { type: 'section', id: 'rule-cache001' } });
  await tab.page.waitForSelector('article[data-section="rule-cache001"]');
  assert.match(await tab.text('article .eyebrow'), /Common mistake · CACHE001/);
  await tab.page.click('article .markdown a[data-section="timeouts"]');
  await tab.page.waitForSelector('article[data-section="timeouts"]');
  await tab.waitForPosted('sectionViewed', (m) => m.section === 'timeouts');
  assert.equal(await tab.page.locator('a.nav-item.active').getAttribute('data-section'), 'timeouts');
  // Code fences show their language only, and an output fence is labelled as output.
  assert.equal(await tab.page.locator('pre.code[data-language="python"]').first().count(), 1);
  assert.ok(!(await tab.page.content()).includes('runnable id='), 'the fence attributes are dropped');
  assert.ok(await tab.page.locator('.example-output').count() > 0);
  // Progress marks read sections in the contents.
  await tab.send({ type: 'progress', progress: { ...emptyProgress(), sectionsRead: ['why-cache', 'timeouts'] } });
  await tab.page.waitForSelector('a.nav-item.read[data-section="timeouts"]');
  assert.match(await tab.text('.progress-summary'), /^2 of \d+ sections read/);
  await done(tab);
});

test('the quiz: one question at a time, feedback with the explanation and its section, score, review of mistakes, retake with shuffled options', async () => {
  const questions = content.data.quiz.questions;
  const tab = await opened({ view: { type: 'quiz' }, progress: { ...emptyProgress(), sectionsRead: ['why-cache', 'low-level-api', 'timeouts'] } });
  const { page } = tab;
  const wrongAt = (index: number): boolean => index % 3 === 1;
  for (const [index, question] of questions.entries()) {
    await page.waitForSelector(`.question[data-question="${question.id}"]`);
    assert.equal(await tab.text('.quiz-position'), `Question ${index + 1} of ${questions.length}`);
    const pick = wrongAt(index) ? (question.answer + 1) % question.optionsHtml.length : question.answer;
    if (index === 0) {
      // The keyboard works too: the first option's number.
      const shown = await page.locator('.option').evaluateAll((buttons) => buttons.map((b) => Number((b as HTMLElement).dataset.option)));
      await page.keyboard.press(String(shown.indexOf(pick) + 1));
    } else {
      await page.click(`.option[data-option="${pick}"]`);
    }
    await page.waitForSelector('.feedback');
    const answer = await tab.waitForPosted('answer', (m) => m.questionId === question.id);
    assert.equal(answer.option, pick, 'the original option index is posted');
    if (index <= 1) {
      const feedback = await tab.text('.feedback');
      if (wrongAt(index)) {
        assert.match(feedback, /Not quite\. The answer is:/);
        assert.equal(await page.locator('.option.incorrect').getAttribute('data-option'), String(pick));
      } else {
        assert.match(feedback, /Correct\./);
      }
      assert.equal(await page.locator(`.option.correct`).getAttribute('data-option'), String(question.answer));
      assert.ok(await page.locator('.feedback .explanation').innerText(), 'the explanation is shown');
      assert.equal(await page.locator('.feedback .read-more a').first().getAttribute('data-section'), question.section);
      assert.equal(await page.locator('.option:not([disabled])').count(), 0, 'an answer is final');
      const correctSoFar = [...Array(index + 1).keys()].filter((i) => !wrongAt(i)).length;
      assert.equal(await tab.text('.quiz-score'), `${correctSoFar} right of ${index + 1} answered`);
      if (index === 0) {
        mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'test-artifacts', 'lesson-panel.png') });
      }
    }
    await page.click('.quiz-next');
  }
  const wrong = questions.filter((_, index) => wrongAt(index));
  const correct = questions.length - wrong.length;
  const finished = await tab.waitForPosted('quizFinished');
  assert.equal((finished.answers as unknown[]).length, questions.length);
  assert.match(await tab.text('.result-score'), new RegExp(`You answered ${correct} of ${questions.length} correctly`));
  assert.equal(await page.locator('.mistakes > li').count(), wrong.length, 'every mistake is reviewed');
  assert.deepEqual(await page.locator('.mistakes > li').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.question)), wrong.map((q) => q.id));
  assert.ok(await page.locator('.mistakes .right-answer').first().innerText());
  // The extension answers with the progress it computed; the best score appears.
  await tab.send({ type: 'progress', progress: { ...emptyProgress(), quiz: { attempts: 1, last: { correct, total: questions.length }, best: { correct, total: questions.length } } } });
  await page.waitForSelector('.best-score');
  assert.equal(await tab.text('.best-score'), `Your best score: ${correct} of ${questions.length}.`);
  // A retake starts over with the options shuffled.
  await page.click('.quiz-retake');
  await page.waitForSelector(`.question[data-question="${questions[0]!.id}"]`);
  assert.match(await tab.text('.quiz-header h1'), /attempt 2/);
  await page.waitForFunction(() => ((window as unknown as { __cc: { state: { quiz?: { number: number } } } }).__cc.state?.quiz?.number ?? 0) === 2);
  const state = (await tab.record()).state as { quiz: { optionOrder: Record<string, number[]> } };
  const shuffled = questions.filter((q) => state.quiz.optionOrder[q.id]!.some((option, index) => option !== index));
  assert.ok(shuffled.length > questions.length / 2, `the options are shuffled (${shuffled.length} of ${questions.length} questions changed order)`);
  const shown = await page.locator('.option').evaluateAll((buttons) => buttons.map((b) => Number((b as HTMLElement).dataset.option)));
  assert.deepEqual(shown, state.quiz.optionOrder[questions[0]!.id]);
  assert.equal(await tab.text('.quiz-score'), 'No answers yet');
  await done(tab);
});

test('the simulator: entries count down on the virtual clock, expire, and a read removes them; cache-aside counts hits, misses and time saved', async () => {
  const tab = await opened({ view: { type: 'simulator' } });
  const { page } = tab;
  const row = (key: string) => page.locator(`.entries tr[data-key="${key}"]`);
  const call = async (op: string, key: string, value = '', timeout = ''): Promise<void> => {
    await page.selectOption('select[name="operation"]', op);
    await page.fill('input[name="key"]', key);
    if (op === 'set' || op === 'add') {
      await page.fill('input[name="value"]', value);
      await page.fill('input[name="timeout"]', timeout);
    }
    await page.click('.sim-run');
  };
  const lastLog = async (): Promise<string> => tab.text('.sim-log li');

  await call('set', 'greeting', 'hello', '5');
  assert.equal(await row('greeting').locator('td.ttl').innerText(), '5 s');
  assert.match(await lastLog(), /cache\.set\('greeting', 'hello', 5\) → None/);
  await page.click('button[aria-label="Advance the clock 1 seconds"]');
  assert.equal(await tab.text('.clock-value'), 't = 1 s');
  assert.equal(await row('greeting').locator('td.ttl').innerText(), '4 s');
  await call('get', 'greeting');
  assert.match(await lastLog(), /cache\.get\('greeting'\) → 'hello' hit/);
  await page.fill('input[name="advance"]', '5');
  await page.click('.sim-advance');
  assert.equal(await row('greeting').getAttribute('class'), 'expired');
  assert.equal(await row('greeting').locator('td.ttl').innerText(), 'expired');
  await call('get', 'greeting');
  assert.match(await lastLog(), /cache\.get\('greeting'\) → None miss the entry had expired/);
  assert.equal(await row('greeting').count(), 0, 'the read removed the expired entry');

  await call('set', 'forever', 'kept', 'None');
  assert.equal(await row('forever').locator('td.ttl').innerText(), 'never (None)');
  await call('set', 'zero', 'gone', '0');
  assert.equal(await row('zero').locator('td.ttl').innerText(), 'expired', 'a timeout of 0 expires at once');
  await call('set', 'default', 'v', '');
  assert.equal(await row('default').locator('td.ttl').innerText(), '5 min', 'no timeout: the 300 s default');
  await call('add', 'forever', 'other', '10');
  assert.match(await lastLog(), /cache\.add\('forever', 'other', 10\) → False/);
  await call('delete', 'forever');
  assert.match(await lastLog(), /cache\.delete\('forever'\) → True/);
  await call('set', 'x', 'y', 'soon');
  assert.match(await tab.text('.form-error'), /number of seconds/);

  // Cache-aside: a miss reads the slow database and stores; the next load is a hit.
  await page.selectOption('select[name="product"]', '2');
  await page.click('.demo-load');
  assert.match(await tab.text('.demo-last'), /product:2: miss, read from the database in 804 ms/);
  await page.click('.demo-load');
  assert.match(await tab.text('.demo-last'), /product:2: hit, 2 ms/);
  assert.equal(await tab.text('.stat-hits'), '1');
  assert.equal(await tab.text('.stat-misses'), '1');
  assert.equal(await tab.text('.stat-saved'), '0.8 s');
  assert.ok(await row('product:2').count());
  // A price change without invalidation leaves a stale copy; after the TTL the database is read again.
  await page.click('.demo-change');
  await page.click('.demo-load');
  assert.match(await tab.text('.demo-last'), /hit.*Stale: the database now says Mug at 9\.00/);
  await page.click('button[aria-label="Advance the clock 60 seconds"]');
  await page.click('.demo-load');
  assert.match(await tab.text('.demo-last'), /miss.*Shown: Mug at 9\.00\./);
  assert.equal(await tab.text('.stat-misses'), '2');
  await done(tab);
});

test('the exercises: the fill-in is checked at once, the @cached runner\'s results and reasons are shown', async () => {
  const tab = await opened({ view: { type: 'section', id: 'practice' } });
  const { page } = tab;
  await page.fill('input.blank', "f'profile:{user_id}'");
  await page.click('.fill-in-check');
  assert.match(await tab.text('.fill-in .verdict'), /✓ Right/);
  assert.equal((await tab.waitForPosted('checkFillIn')).answer, "f'profile:{user_id}'");
  await tab.clearPosted();
  await page.fill('input.blank', '"profile:42"');
  await page.click('.fill-in-check');
  assert.match(await tab.text('.fill-in .verdict'), /right for user 42 only/);
  // A form the page can work out without Python is right at once.
  await page.fill('input.blank', '"profile:{}".format(str(user_id))');
  await page.click('.fill-in-check');
  assert.match(await tab.text('.fill-in .verdict'), /✓ Right/);
  // An expression beyond that goes to the extension to be run in Python.
  await page.fill('input.blank', '"profile:" + str(abs(user_id))');
  await page.click('.fill-in-check');
  const check = await tab.waitForPosted('checkFillIn', (m) => m.answer === '"profile:" + str(abs(user_id))');
  assert.match(await tab.text('.fill-in .verdict'), /running it in Python/);
  await tab.send({ type: 'fillInResult', requestId: check.requestId, result: { status: 'evaluated', accepted: true, values: ['profile:42', 'profile:7'] } });
  await page.waitForSelector('.fill-in .verdict.right');
  // Hints, one at a time.
  await page.click('.fill-in .button-row button.secondary');
  assert.equal(await page.locator('.fill-in .hints li').count(), 1);

  // The code exercise: the page sends the code; the extension's verdict is shown, whatever it is.
  assert.match(await tab.text('.runner-status'), /\/usr\/bin\/python3.*Django 3\.2\.25/);
  await page.click('.run-checks');
  const run = await tab.waitForPosted('runExercise');
  assert.equal(run.code, content.data.codeExercise!.starter);
  await tab.send({ type: 'exerciseResult', requestId: run.requestId, result: { status: 'timeout', limitSeconds: 10, hints: ['It looks like nothing is read from the cache: use `cache.get`.'] } });
  await page.waitForSelector('.run-summary.timeout');
  assert.match(await tab.text('.run-summary'), /Stopped after 10 s/);
  assert.equal(await page.locator('.static-hints li code').innerText(), 'cache.get');
  await tab.clearPosted();
  await page.click('.run-checks');
  const second = await tab.waitForPosted('runExercise');
  await tab.send({ type: 'exerciseResult', requestId: second.requestId, result: { status: 'checked', passed: false, django: '3.2.25', output: 'debug!', checks: [
    { id: 'module', description: 'the module loads and defines cached', required: true, passed: true, message: 'Found cached().', hint: null },
    { id: 'repeat-skips-work', description: 'a repeated call with the same argument skips the work', required: true, passed: false, message: 'square(12) did the work 3 times.', hint: 'Look the key up with `cache.get()` first.' },
  ] } });
  await page.waitForSelector('.checks li.fail');
  assert.match(await tab.text('.run-summary'), /1 of 2 required checks failed/);
  assert.match(await tab.text('.checks li.fail'), /did the work 3 times.*Hint: Look the key up/);
  // The runner becomes unavailable (an untrusted workspace): the page says why.
  await tab.send({ type: 'runner', runner: { state: 'unavailable', reason: 'This workspace is not trusted, so Cache Coach does not run code here.' } });
  assert.match(await tab.text('.runner-status'), /not trusted/);
  // Where nothing may run, the forms the lesson names are still right (issue 15).
  await page.fill('input.blank', 'f"profile:{ user_id }"');
  await page.click('.fill-in-check');
  assert.match(await tab.text('.fill-in .verdict'), /✓ Right/);
  await page.fill('input.blank', '"profile:%s" % str(user_id)');
  await page.click('.fill-in-check');
  assert.match(await tab.text('.fill-in .verdict'), /✓ Right/);
  await tab.send({ type: 'progress', progress: { ...emptyProgress(), exercises: { 'profile-key': { passed: true } } } });
  await page.waitForSelector('.fill-in .badge.passed:not([hidden])');
  await done(tab);
});

test('lesson and quiz text is escaped: markup in the data shows as text and nothing runs', async () => {
  const md = createMarkdown({ sections: new Set(['evil', 'other']) });
  const hostile = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>';
  const lesson: LessonData = {
    title: `<b>${hostile}</b>`,
    sections: [
      { id: 'evil', title: hostile, kind: 'concept', html: md.render(`# Title ${hostile}\n\n${hostile}\n\n[bad](javascript:window.__pwned=3) [good](#other) <a href="#other" onclick="window.__pwned=5">x</a>`) },
      { id: 'other', title: 'Other', kind: 'mistake', rule: '<i>R</i>', html: md.render('# Other') },
    ],
    quiz: { title: hostile, questions: [{ id: 'q-one', section: 'evil', related: [], questionHtml: md.renderInline(`What ${hostile}?`), optionsHtml: [md.renderInline(hostile), md.renderInline('`b`')], answer: 1, explanationHtml: md.renderInline(hostile) }] },
    fillIn: null,
    codeExercise: null,
  };
  const tab = await opened({ lesson });
  const { page } = tab;
  await page.click('a.nav-item[data-view="quiz"]');
  await page.click('.option[data-option="0"]');
  await page.waitForSelector('.feedback');
  await page.click('a.nav-item[data-section="other"]');
  await page.click('a.nav-item[data-section="evil"]');
  const found = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    images: document.querySelectorAll('img').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
    bold: document.querySelectorAll('nav b, main b, main i').length,
    javascriptLinks: document.querySelectorAll('a[href^="javascript:"]').length,
    text: document.body.innerText,
  }));
  assert.equal(found.pwned, undefined, 'no injected code ran');
  assert.equal(found.images, 0, 'no <img> from the data');
  assert.equal(found.scripts, 0, 'no inline <script> from the data');
  assert.equal(found.bold, 0, 'no markup from titles');
  assert.equal(found.javascriptLinks, 0, 'javascript: links are not links');
  assert.ok(found.text.includes('<img src=x onerror="window.__pwned=1">'), 'the markup is shown as text');
  await done(tab);
});

test('malformed or unknown messages from the extension are ignored, and the page keeps working', async () => {
  const tab = await opened();
  for (const message of [
    'hello',
    null,
    { type: 'bogus' },
    { type: 'show' },
    { type: 'show', view: { type: 'section', id: 'timeouts', extra: true } },
    { type: 'show', view: { type: 'section', id: '../../etc' } },
    { type: 'progress', progress: { version: 2 } },
    { type: 'exerciseResult', requestId: 1, result: { status: 'checked' } },
  ]) await tab.send(message);
  await tab.page.waitForFunction(() => (window as unknown as { __cc: { warnings: string[] } }).__cc.warnings.length >= 8);
  assert.equal((await tab.record()).warnings.filter((w) => /ignored a message/.test(w)).length, 8);
  assert.equal(await tab.page.locator('article.section').getAttribute('data-section'), content.data.sections[0]!.id, 'nothing moved');
  await tab.send({ type: 'show', view: { type: 'section', id: 'timeouts' } });
  await tab.page.waitForSelector('article[data-section="timeouts"]');
  await done(tab);
});

test('after a reload the page comes back where it was (vscode.getState)', async () => {
  const first = await opened({ view: { type: 'quiz' } });
  const question = content.data.quiz.questions[0]!;
  await first.page.click(`.option[data-option="${question.answer}"]`);
  await first.page.waitForFunction((id) => Boolean((window as unknown as { __cc: { state: { quiz?: { answers: Record<string, number> } } } }).__cc.state?.quiz?.answers[id] !== undefined), question.id);
  const { state } = await first.record();
  await done(first);
  const second = await opened({ state });
  await second.page.waitForSelector(`.question[data-question="${question.id}"] ~ .feedback`);
  assert.match(await second.text('.feedback'), /Correct\./);
  assert.equal(await second.page.locator('a.nav-item.active').getAttribute('data-view'), 'quiz');
  await done(second);
  // A saved state that does not fit is dropped, not trusted.
  const third = await opened({ state: { version: 1, view: { type: 'section', id: 'timeouts' }, quiz: { order: ['x'] }, fillInAnswer: '', code: null, simulator: null } });
  assert.equal(await third.page.locator('article.section').getAttribute('data-section'), content.data.sections[0]!.id);
  await done(third);
});

test('the quiz carries on where it was when the panel is closed and opened again, or the window reloads (issue 13, item 7)', async () => {
  const questions = content.data.quiz.questions;
  const first = await opened({ view: { type: 'quiz' } });
  for (const question of questions.slice(0, 5)) {
    await first.page.waitForSelector(`.question[data-question="${question.id}"]`);
    await first.page.click(`.option[data-option="${question.answer}"]`);
    await first.page.click('.quiz-next');
  }
  const kept = (await first.waitForPosted('quizAttempt', (m) => Object.keys((m.attempt as QuizAttempt).answers).length === 5)).attempt as QuizAttempt;
  assert.equal(kept.index, 5);
  await done(first);
  // A new panel: no page state of its own (vscode.getState() is empty), the extension's progress has the attempt.
  const progress: Progress = { ...emptyProgress(), answers: {}, quiz: { attempts: 0, last: null, best: null, current: kept } };
  const second = await opened({ view: { type: 'quiz' }, progress });
  await second.page.waitForSelector(`.question[data-question="${questions[5]!.id}"]`);
  assert.equal(await second.text('.quiz-position'), `Question 6 of ${questions.length}`);
  assert.equal(await second.text('.quiz-score'), '5 right of 5 answered');
  await done(second);
  // The page's own state and the extension's copy disagree: the further one wins.
  const behind = { ...kept, index: 1, answers: { [questions[0]!.id]: questions[0]!.answer } };
  const third = await opened({ view: { type: 'quiz' }, progress, state: { version: 1, view: { type: 'quiz' }, quiz: behind, fillInAnswer: '', code: null, simulator: null } });
  assert.equal(await third.text('.quiz-position'), `Question 6 of ${questions.length}`);
  await done(third);
});

/** Whether the page scrolls sideways: its content is wider than the window. */
async function overflowsSideways(tab: LessonTab): Promise<number> {
  return tab.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('a narrow panel shows the chosen section first under a collapsible contents bar; no page scrolls sideways at 500 or 1,200 px (issue 13, item 8)', async () => {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  for (const width of [500, 1200]) {
    const tab = await opened({ view: { type: 'section', id: 'invalidation' }, viewport: { width, height: 800 } });
    const { page } = tab;
    await page.waitForSelector('article[data-section="invalidation"]');
    const heading = (await page.locator('article h1').boundingBox())!;
    assert.ok(heading.y >= 0 && heading.y < 150, `${width} px: the section's heading is at the top (y = ${heading.y})`);
    const navItems = page.locator('nav.toc a.nav-item');
    if (width === 500) {
      assert.equal(await navItems.first().isVisible(), false, '500 px: the contents list is folded away');
      assert.equal(await page.locator('.toc-toggle').isVisible(), true);
      assert.equal(await tab.text('.toc-current'), 'Invalidation');
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'lesson-panel-500.png') });
      await page.click('.toc-toggle');
      assert.equal(await page.locator('.toc-toggle').getAttribute('aria-expanded'), 'true');
      assert.equal(await navItems.first().isVisible(), true, 'the button opens the contents');
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'lesson-panel-500-contents.png') });
      await page.click('nav.toc a.nav-item[data-section="timeouts"]');
      await page.waitForSelector('article[data-section="timeouts"]');
      assert.equal(await navItems.first().isVisible(), false, 'choosing a section folds the contents again');
      assert.ok((await page.locator('article h1').boundingBox())!.y < 150);
    } else {
      assert.equal(await page.locator('.toc-toggle').isVisible(), false, '1,200 px: no contents button');
      assert.equal(await navItems.first().isVisible(), true, '1,200 px: the contents sit beside the page');
      const nav = (await page.locator('nav.toc').boundingBox())!;
      assert.ok(nav.x + nav.width <= heading.x, 'side by side');
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'lesson-panel-1200.png') });
    }
    // Every section, the quiz and the simulator fit the width.
    const views: View[] = [...content.data.sections.map((section): View => ({ type: 'section', id: section.id })), { type: 'quiz' }, { type: 'simulator' }];
    for (const view of views) {
      await tab.send({ type: 'show', view });
      await page.waitForSelector(view.type === 'section' ? `article[data-section="${view.id}"]` : view.type === 'quiz' ? '.quiz .question' : '.simulator, .sim-grid');
      assert.ok(await overflowsSideways(tab) <= 0, `${width} px: ${view.type === 'section' ? view.id : view.type} scrolls sideways by ${await overflowsSideways(tab)} px`);
    }
    await done(tab);
  }
});

/** WCAG 2 contrast ratio of two CSS rgb()/rgba() colours (alpha ignored: the colours here are opaque). */
function contrast(foreground: string, background: string): number {
  const luminance = (css: string): number => {
    const [r, g, b] = css.match(/[\d.]+/g)!.slice(0, 3).map(Number).map((value) => {
      const channel = value / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}

test('cosmetics: an empty progress track at 0, plain score wording, readable right/wrong answers on a light theme, durations as people say them (issue 13, item 9)', async () => {
  const questions = content.data.quiz.questions;
  const start = await opened({ view: { type: 'quiz' }, theme: LIGHT_THEME });
  assert.equal(await start.text('.quiz-score'), 'No answers yet');
  const fill = await start.page.locator('.meter-fill').evaluate((element) => element.getBoundingClientRect().width);
  assert.equal(fill, 0, 'nothing answered: nothing filled');
  const track = await start.page.locator('.meter').evaluate((element) => getComputedStyle(element).backgroundColor);
  assert.equal(track, 'rgba(0, 0, 0, 0)', 'the track is an outline, not a grey bar that reads as full');
  await start.page.click(`.option[data-option="${questions[0]!.answer}"]`);
  const meter = (await start.page.locator('.meter').boundingBox())!;
  const filled = await start.page.locator('.meter-fill').evaluate((element) => element.getBoundingClientRect().width);
  assert.ok(Math.abs(filled - (meter.width - 2) / questions.length) < 1.5, `one answer fills 1/${questions.length} of the track (${filled} of ${meter.width} px)`);
  assert.equal(await start.text('.quiz-score'), '1 right of 1 answered');
  await done(start);

  // A finished attempt with every answer wrong: the review shows each right answer.
  const attempt: QuizAttempt = {
    order: questions.map((q) => q.id),
    optionOrder: Object.fromEntries(questions.map((q) => [q.id, q.optionsHtml.map((_, index) => index)])),
    index: questions.length,
    answers: Object.fromEntries(questions.map((q) => [q.id, (q.answer + 1) % q.optionsHtml.length])),
    number: 1,
    reported: true,
  };
  const review = await opened({ view: { type: 'quiz' }, theme: LIGHT_THEME, progress: { ...emptyProgress(), quiz: { attempts: 1, last: null, best: null, current: attempt } } });
  await review.page.waitForSelector('.mistakes .right-answer');
  const background = await review.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(255, 255, 255)', 'the light theme is applied');
  for (const selector of ['.right-answer', '.your-answer', '.result-score']) {
    const color = await review.page.locator(selector).first().evaluate((element) => getComputedStyle(element).color);
    const ratio = contrast(color, background);
    assert.ok(ratio >= 4.5, `${selector}: contrast ${ratio.toFixed(2)}:1 on the light theme, WCAG AA needs 4.5:1`);
  }
  await review.page.screenshot({ path: join(ROOT, 'test-artifacts', 'lesson-panel-light-review.png') });
  await done(review);

  // Lesson code is coloured (highlight.js classes, styled by the page's own style sheet: nothing inline).
  const code = await opened({ view: { type: 'section', id: 'timeouts' } });
  const colours = await code.page.evaluate(() => ({
    text: getComputedStyle(document.querySelector('pre.code code')!).color,
    keyword: getComputedStyle(document.querySelector('pre.code .hljs-keyword')!).color,
    string: getComputedStyle(document.querySelector('pre.code .hljs-string')!).color,
  }));
  assert.notEqual(colours.keyword, colours.text, 'keywords stand out');
  assert.notEqual(colours.string, colours.text, 'strings stand out');
  await done(code);

  const simulator = await opened({ view: { type: 'simulator' } });
  await simulator.page.click('.dogpile-run');
  assert.match(await simulator.text('.dogpile-result'), /^10 readers, 10 rebuilds \(8 s of database work\)\.$/);
  await simulator.page.check('input[name="lock"]');
  await simulator.page.click('.dogpile-run');
  assert.match(await simulator.text('.dogpile-result'), /^10 readers, 1 rebuild \(0\.8 s of database work\), 9 served the stale copy at once\.$/);
  const advance = await simulator.page.locator('button.advance').allInnerTexts();
  assert.ok(advance.includes('+5 min'), `the clock buttons: ${advance.join(', ')}`);
  assert.ok(advance.every((text) => !/\.0 /.test(text)), 'no "+5.0 min"');
  await done(simulator);
});
