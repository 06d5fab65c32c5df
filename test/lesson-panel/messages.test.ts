/**
 * The messages between the lesson page and the extension: what the schemas accept and refuse, and what
 * the extension does with each page message (LessonController): malformed, unknown or meaningless
 * messages are dropped and logged; answers are recorded; a quiz is scored from its answers, never from
 * a score the page claims; exercises go to the runner.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { LessonContent } from '../../client/src/lesson/content';
import { loadRepoLesson } from './lesson-files';
import { LessonController, type Peer, type Runner } from '../../client/src/lesson/controller';
import { parseLessonUri } from '../../client/src/lesson/links';
import { HostMessage, LessonData, Progress, emptyProgress, parseHostMessage, parsePageMessage, type ExerciseRun, type FillInEvaluation, type RunnerStatus, type View } from '../../client/src/lesson/messages';
import { ProgressStore, type MementoLike } from '../../client/src/lesson/progress';

let content: LessonContent;

before(async () => {
  content = await loadRepoLesson();
});

class Memento implements MementoLike {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

class FakeRunner implements Runner {
  runs: string[] = [];
  evaluations: string[] = [];
  constructor(private readonly verdict: ExerciseRun = { status: 'checked', passed: true, django: '3.2.25', checks: [], output: '' }, private readonly evaluation: FillInEvaluation = { status: 'evaluated', accepted: false, values: ['x', 'y'] }) {}
  status(): RunnerStatus {
    return { state: 'ready', python: 'python3', django: '3.2.25' };
  }
  onDidChange(): { dispose(): void } {
    return { dispose() {} };
  }
  async runCode(code: string): Promise<ExerciseRun> {
    this.runs.push(code);
    return this.verdict;
  }
  async evaluateFillIn(answer: string): Promise<FillInEvaluation> {
    this.evaluations.push(answer);
    return this.evaluation;
  }
}

function setup(runner = new FakeRunner()) {
  const logs: string[] = [];
  const posted: HostMessage[] = [];
  const progress = new ProgressStore(new Memento(), (line) => logs.push(line));
  const controller = new LessonController(async () => content, progress, runner, (line) => logs.push(line));
  let pending: View | undefined;
  const peer: Peer = { post: (message) => posted.push(message), takePendingView: () => {
    const view = pending;
    pending = undefined;
    return view;
  } };
  return { controller, progress, logs, posted, peer, runner, setPending: (view: View | undefined) => { pending = view; } };
}

test('page messages: each known type is accepted with exactly its fields', () => {
  for (const message of [
    { type: 'ready' },
    { type: 'sectionViewed', section: 'rule-cache001' },
    { type: 'answer', questionId: 'q-add-existing', option: 3 },
    { type: 'quizFinished', answers: [{ questionId: 'q-add-existing', option: 3 }] },
    { type: 'runExercise', requestId: 1, exerciseId: 'cached-decorator', code: 'def cached(f):\n    return f\n' },
    { type: 'checkFillIn', requestId: 2, exerciseId: 'profile-key', answer: 'f"profile:{user_id}"' },
  ]) {
    const parsed = parsePageMessage(message);
    assert.ok(parsed.ok, `${JSON.stringify(message)}: ${parsed.ok ? '' : parsed.error}`);
    assert.deepEqual(parsed.value, message);
  }
});

test('page messages: malformed or unknown ones are refused with the reason', () => {
  const refused: [unknown, RegExp][] = [
    [undefined, /expected an object/],
    ['ready', /expected an object/],
    [[{ type: 'ready' }], /expected an object/],
    [{}, /unknown message type/],
    [{ type: 'openFile', path: '/etc/passwd' }, /unknown message type "openFile"/],
    [{ type: 'ready', extra: 1 }, /unexpected field "extra"/],
    [{ type: 'sectionViewed' }, /section: missing/],
    [{ type: 'sectionViewed', section: '../../etc/passwd' }, /not of the expected form/],
    [{ type: 'sectionViewed', section: '__proto__' }, /not of the expected form/],
    [{ type: 'answer', questionId: 'q-x', option: 1.5 }, /option: expected an integer/],
    [{ type: 'answer', questionId: 'q-x', option: -1 }, /option: expected an integer/],
    [{ type: 'answer', questionId: 'q-x', option: '1' }, /option: expected an integer/],
    [{ type: 'quizFinished', answers: 'all right' }, /expected an array/],
    [{ type: 'quizFinished', answers: Array(501).fill({ questionId: 'q-x', option: 0 }) }, /at most 500/],
    [{ type: 'runExercise', requestId: 1, exerciseId: 'cached-decorator', code: 'x'.repeat(100_001) }, /code: expected 0-100000 characters/],
    [{ type: 'checkFillIn', requestId: 1, exerciseId: 'profile-key', answer: '' }, /answer: expected 1-500/],
    [Object.assign(Object.create({ type: 'ready' }), {}), /expected an object|unknown message type/],
  ];
  for (const [message, reason] of refused) {
    const parsed = parsePageMessage(message);
    assert.equal(parsed.ok, false, `${JSON.stringify(message)} is refused`);
    assert.match(parsed.ok ? '' : parsed.error, reason);
  }
});

test('host messages: the page checks them too', () => {
  assert.ok(parseHostMessage({ type: 'show', view: { type: 'quiz' } }).ok);
  assert.ok(parseHostMessage({ type: 'progress', progress: emptyProgress() }).ok);
  assert.ok(parseHostMessage({ type: 'runner', runner: { state: 'unavailable', reason: 'untrusted' } }).ok);
  assert.ok(parseHostMessage({ type: 'exerciseResult', requestId: 3, result: { status: 'timeout', limitSeconds: 10, hints: [] } }).ok);
  assert.ok(parseHostMessage({ type: 'init', lesson: content.data, progress: emptyProgress(), runner: { state: 'checking' } }).ok, 'the real lesson fits');
  assert.equal(parseHostMessage({ type: 'show', view: { type: 'terminal' } }).ok, false);
  assert.equal(parseHostMessage({ type: 'progress', progress: { ...emptyProgress(), version: 2 } }).ok, false);
  assert.equal(parseHostMessage({ type: 'exerciseResult', requestId: 3, result: { status: 'checked' } }).ok, false);
  assert.equal(parseHostMessage({ type: 'runner', runner: { state: 'ready' } }).ok, false);
  const lesson = structuredClone(content.data);
  (lesson.quiz.questions[0] as { answer: number }).answer = 99;
  assert.equal(LessonData.parse(lesson).ok, false);
});

test('the controller ignores and logs malformed, unknown and meaningless messages', async () => {
  const { controller, progress, logs, posted, peer } = setup();
  await controller.handle({ type: 'deleteEverything' }, peer);
  await controller.handle('ready', peer);
  await controller.handle({ type: 'answer', questionId: 'q-does-not-exist', option: 0 }, peer);
  await controller.handle({ type: 'answer', questionId: 'q-add-existing', option: 7 }, peer);
  await controller.handle({ type: 'sectionViewed', section: 'no-such-section' }, peer);
  await controller.handle({ type: 'runExercise', requestId: 1, exerciseId: 'profile-key', code: 'x' }, peer);
  await controller.handle({ type: 'checkFillIn', requestId: 1, exerciseId: 'cached-decorator', answer: 'x' }, peer);
  await controller.handle({ type: 'quizFinished', answers: [{ questionId: 'q-add-existing', option: 3 }, { questionId: 'q-nope', option: 0 }] }, peer);
  assert.equal(logs.length, 8, logs.join('\n'));
  assert.match(logs[0]!, /Ignored a message from the lesson page: type: unknown message type "deleteEverything"/);
  assert.match(logs[1]!, /expected an object/);
  assert.match(logs[2]!, /Ignored answer .*no question q-does-not-exist/);
  assert.match(logs[3]!, /has 4 options, not option 7/);
  assert.match(logs[4]!, /no section no-such-section/);
  assert.match(logs[5]!, /no code exercise profile-key/);
  assert.match(logs[6]!, /no fill-in exercise cached-decorator/);
  assert.match(logs[7]!, /q-nope does not exist/);
  assert.deepEqual(posted, [], 'nothing answered');
  assert.deepEqual(progress.get(), emptyProgress(), 'nothing recorded');
  // A huge message is logged by a short preview, not whole.
  await controller.handle({ type: 'ready', junk: 'x'.repeat(100_000) }, peer);
  assert.ok(logs[8]!.length < 400);
});

test('ready: the page gets the lesson, progress, runner and the view a command asked for', async () => {
  const { controller, posted, peer, setPending } = setup();
  setPending({ type: 'section', id: 'timeouts' });
  await controller.handle({ type: 'ready' }, peer);
  assert.equal(posted.length, 1);
  const init = posted[0]!;
  assert.ok(init.type === 'init');
  assert.deepEqual(init.view, { type: 'section', id: 'timeouts' });
  assert.equal(init.lesson.sections.length, content.data.sections.length);
  assert.ok(HostMessage.parse(init).ok, 'what the extension sends passes the page\'s own check');
  await controller.handle({ type: 'ready' }, peer);
  assert.ok(posted[1]!.type === 'init' && posted[1]!.view === undefined, 'the view is taken once');
});

test('answers are recorded; a finished quiz is scored from its answers and keeps the best score', async () => {
  const { controller, progress, peer } = setup();
  const questions = content.data.quiz.questions;
  await controller.handle({ type: 'sectionViewed', section: 'timeouts' }, peer);
  await controller.handle({ type: 'sectionViewed', section: 'timeouts' }, peer);
  assert.deepEqual(progress.get().sectionsRead, ['timeouts']);
  const first = questions[0]!;
  await controller.handle({ type: 'answer', questionId: first.id, option: first.answer }, peer);
  assert.deepEqual(progress.get().answers[first.id], { option: first.answer, correct: true });
  const wrong = (first.answer + 1) % first.optionsHtml.length;
  await controller.handle({ type: 'answer', questionId: first.id, option: wrong }, peer);
  assert.deepEqual(progress.get().answers[first.id], { option: wrong, correct: false }, 'the last answer counts');
  // Half right, then all right, then none right: the best stays the best.
  const attempt = (right: (index: number) => boolean) => questions.map((q, index) => ({ questionId: q.id, option: right(index) ? q.answer : (q.answer + 1) % q.optionsHtml.length }));
  await controller.handle({ type: 'quizFinished', answers: attempt((i) => i % 2 === 0) }, peer);
  const half = Math.ceil(questions.length / 2);
  assert.deepEqual(progress.get().quiz, { attempts: 1, last: { correct: half, total: questions.length }, best: { correct: half, total: questions.length } });
  await controller.handle({ type: 'quizFinished', answers: attempt(() => true) }, peer);
  await controller.handle({ type: 'quizFinished', answers: attempt(() => false) }, peer);
  assert.deepEqual(progress.get().quiz, { attempts: 3, last: { correct: 0, total: questions.length }, best: { correct: questions.length, total: questions.length } });
  // An attempt that answered only some questions scores over all of them.
  await controller.handle({ type: 'quizFinished', answers: attempt(() => true).slice(0, 3) }, peer);
  assert.deepEqual(progress.get().quiz.last, { correct: 3, total: questions.length });
});

test('exercises: code goes to the runner; a fill-in in an accepted form is not run; others are', async () => {
  const { controller, progress, posted, peer, runner } = setup();
  await controller.handle({ type: 'runExercise', requestId: 7, exerciseId: 'cached-decorator', code: 'def cached(f): return f' }, peer);
  assert.deepEqual(runner.runs, ['def cached(f): return f']);
  assert.deepEqual(posted.at(-1), { type: 'exerciseResult', requestId: 7, result: { status: 'checked', passed: true, django: '3.2.25', checks: [], output: '' } });
  assert.deepEqual(progress.get().exercises['cached-decorator'], { passed: true });
  await controller.handle({ type: 'checkFillIn', requestId: 8, exerciseId: 'profile-key', answer: "  F'profile:{user_id}',  " }, peer);
  assert.deepEqual(posted.at(-1), { type: 'fillInResult', requestId: 8, result: { status: 'matched' } });
  assert.deepEqual(runner.evaluations, [], 'an accepted form needs no Python');
  await controller.handle({ type: 'checkFillIn', requestId: 9, exerciseId: 'profile-key', answer: '"profile:42"' }, peer);
  assert.deepEqual(runner.evaluations, ['"profile:42"']);
  assert.deepEqual(posted.at(-1), { type: 'fillInResult', requestId: 9, result: { status: 'evaluated', accepted: false, values: ['x', 'y'] } });
  assert.deepEqual(progress.get().exercises['profile-key'], { passed: true }, 'a later wrong answer does not undo a pass');
});

test('one run at a time', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const runner = new FakeRunner();
  runner.runCode = async () => {
    await gate;
    return { status: 'checked', passed: false, django: null, checks: [], output: '' };
  };
  const { controller, posted, peer } = setup(runner);
  const first = controller.handle({ type: 'runExercise', requestId: 1, exerciseId: 'cached-decorator', code: 'a' }, peer);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await controller.handle({ type: 'runExercise', requestId: 2, exerciseId: 'cached-decorator', code: 'b' }, peer);
  assert.deepEqual(posted.at(-1), { type: 'exerciseResult', requestId: 2, result: { status: 'error', message: 'Another run is still going: wait for its result.', hints: [] } });
  release();
  await first;
  const last = posted.at(-1)!;
  assert.equal(last.type === 'exerciseResult' ? last.requestId : undefined, 1);
});

test('views: section ids, rule codes, quiz and simulator; unknown targets are refused', async () => {
  const { controller } = setup();
  assert.deepEqual(await controller.viewFor('timeouts'), { type: 'section', id: 'timeouts' });
  assert.deepEqual(await controller.viewFor('CACHE004'), { type: 'section', id: 'rule-cache004' });
  assert.deepEqual(await controller.viewFor('quiz'), { type: 'quiz' });
  assert.deepEqual(await controller.viewFor('simulator'), { type: 'simulator' });
  assert.equal(await controller.viewFor('nope'), undefined);
  assert.equal(await controller.viewFor(undefined), undefined);
});

test('lesson links: <scheme>://cache-coach.cache-coach/lesson?section=<id>, /quiz, /simulator', () => {
  assert.deepEqual(parseLessonUri({ path: '/lesson', query: 'section=timeouts' }), { target: 'timeouts' });
  assert.deepEqual(parseLessonUri({ path: '/lesson/', query: 'section=CACHE001' }), { target: 'CACHE001' });
  assert.deepEqual(parseLessonUri({ path: '/lesson', query: '' }), { target: undefined });
  assert.deepEqual(parseLessonUri({ path: '/quiz', query: '' }), { target: 'quiz' });
  assert.deepEqual(parseLessonUri({ path: '/simulator', query: '' }), { target: 'simulator' });
  assert.equal(parseLessonUri({ path: '/lesson', query: 'section=%3Cscript%3E' }), undefined);
  assert.equal(parseLessonUri({ path: '/run', query: 'cmd=rm' }), undefined);
});

test('the quiz attempt in progress is kept in the progress (it survives a closed panel and a restart); one that does not fit the quiz is ignored', async () => {
  const { controller, progress, logs, peer } = setup();
  const questions = content.data.quiz.questions;
  const attempt = {
    order: questions.map((q) => q.id),
    optionOrder: Object.fromEntries(questions.map((q) => [q.id, q.optionsHtml.map((_, index) => index)])),
    index: 2,
    answers: { [questions[0]!.id]: questions[0]!.answer, [questions[1]!.id]: 0 },
    number: 1,
    reported: false,
  };
  await controller.handle({ type: 'quizAttempt', attempt }, peer);
  assert.deepEqual(progress.get().quiz.current, attempt);
  const restarted = Progress.parse(JSON.parse(JSON.stringify(progress.get())));
  assert.ok(restarted.ok && restarted.value.quiz.current?.index === 2, 'what is stored reads back');
  // Finishing keeps the attempt (its review stays available) next to the scores.
  await controller.handle({ type: 'quizFinished', answers: [{ questionId: questions[0]!.id, option: questions[0]!.answer }] }, peer);
  assert.equal(progress.get().quiz.attempts, 1);
  assert.deepEqual(progress.get().quiz.current, attempt);
  for (const [bad, reason] of [
    [{ ...attempt, order: [...attempt.order, 'q-gone'] }, /no question q-gone/],
    [{ ...attempt, answers: { [questions[0]!.id]: 11 } }, /has no option 11/],
    [{ ...attempt, index: questions.length + 1 }, /question \d+ of \d+/],
    [{ ...attempt, optionOrder: { ...attempt.optionOrder, [questions[0]!.id]: [0, 0, 1, 2] } }, /option order/],
  ] as const) {
    await controller.handle({ type: 'quizAttempt', attempt: bad }, peer);
    assert.match(logs.at(-1)!, reason);
  }
  assert.deepEqual(progress.get().quiz.current, attempt, 'a bad attempt changes nothing');
  // Progress saved before attempts were kept still reads.
  assert.ok(Progress.parse({ version: 1, sectionsRead: [], answers: {}, quiz: { attempts: 2, last: null, best: null }, exercises: {} }).ok);
});
