/**
 * The lesson panel's pieces that need no browser and no editor: the lesson as rendered for the page
 * (Markdown escaped, links resolved), the fill-in checks, the progress store, the simulator's clock
 * and the quiz attempt.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { LessonContent } from '../../client/src/lesson/content';
import { loadRepoLesson } from './lesson-files';
import { checkFillIn, normalizeAnswer } from '../../client/src/lesson/fill-in';
import { evaluateKeyExpression } from '../../client/src/lesson/key-expression';
import { lessonPageHtml } from '../../client/src/lesson/html';
import { createMarkdown } from '../../client/src/lesson/markdown';
import { emptyProgress } from '../../client/src/lesson/messages';
import { PROGRESS_KEY, ProgressStore, type MementoLike } from '../../client/src/lesson/progress';
import * as quiz from '../../client/src/lesson-page/quiz';
import { CacheAsideDemo, CacheSimulator, DogpileDemo, formatSeconds, parseTimeout, pyRepr, restoreSimulator, saveSimulator, SimulatorState } from '../../client/src/lesson-page/simulator';

const ROOT = join(__dirname, '..', '..');
let content: LessonContent;

before(async () => {
  content = await loadRepoLesson();
});

test('the lesson for the page: every section in order, every section link resolved, no raw HTML', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'lessons', 'lesson.json'), 'utf8')) as { sections: { id: string; order: number }[] };
  assert.deepEqual(content.data.sections.map((s) => s.id), [...manifest.sections].sort((a, b) => a.order - b.order).map((s) => s.id));
  for (const section of content.data.sections) {
    assert.doesNotMatch(section.html, /class="broken-link"/, `${section.id} links to a section that does not exist`);
    assert.doesNotMatch(section.html, /<script|<img|<iframe|\son[a-z]+=|style=/i, `${section.id} renders no raw HTML`);
    assert.match(section.html, /^<h1>/, `${section.id} starts with its title`);
    assert.doesNotMatch(section.html, /runnable id=|min-django=/, `${section.id}: fence attributes are dropped`);
  }
  assert.ok(content.data.sections.some((s) => s.html.includes('<a href="#timeouts" data-section="timeouts">')), 'links between sections open sections');
  assert.equal(content.data.quiz.questions.length, content.questions.size);
  assert.ok(content.data.fillIn && content.data.codeExercise);
  assert.match(content.data.codeExercise.starter, /def cached\(func\):/);
  assert.equal(content.codeExercise!.checksFile, 'exercises/cached_checks.py');
});

test('Markdown: raw HTML and dangerous links come out as text; section links get data-section; tables get no inline style', () => {
  const md = createMarkdown({ sections: new Set(['timeouts']) });
  const html = md.render([
    '<script>alert(1)</script>',
    '',
    'Hi <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](#timeouts) [c](lesson:timeouts) [d](#nowhere) [e](https://docs.djangoproject.com/) ![pic](https://example.com/x.png)',
    '',
    '| a | b |',
    '|:-:|--:|',
    '| 1 | 2 |',
    '',
    '```python runnable id=x min-django=4.0',
    'print("<b>")',
    '```',
    '',
    '```output',
    '<b>',
    '```',
  ].join('\n'));
  assert.doesNotMatch(html, /<script|<img|javascript:alert\(1\)"|style=/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /<a href="#timeouts" data-section="timeouts">b<\/a>/);
  assert.match(html, /<a href="#timeouts" data-section="timeouts">c<\/a>/);
  assert.match(html, /<a href="#nowhere" class="broken-link">d<\/a>/);
  assert.match(html, /<a href="https:\/\/docs\.djangoproject\.com\/" class="external">e<\/a>/);
  assert.match(html, /<span class="image-alt">pic<\/span>/);
  assert.match(html, /<th class="align-center">a<\/th>/);
  // Code is coloured by highlight.js (classes only), and its text stays escaped.
  assert.match(html, /<pre class="code" data-language="python"><code class="hljs language-python"><span class="hljs-built_in">print<\/span>\(<span class="hljs-string">&quot;&lt;b&gt;&quot;<\/span>\)/);
  assert.doesNotMatch(html, /<b>/);
  assert.match(html, /<div class="example-output"><div class="label">Output<\/div><pre><code>&lt;b&gt;/);
});

test('code blocks are highlighted for every fence language the lesson uses, with classes only and the text escaped', () => {
  const md = createMarkdown({ sections: new Set() });
  const fence = (language: string, code: string): string => md.render(['```' + language, code, '```'].join('\n'));
  assert.match(fence('python', 'from django.core.cache import cache  # the default alias\ncache.set("k", 1, None)'), /<span class="hljs-keyword">from<\/span>.*<span class="hljs-comment"># the default alias<\/span>[\s\S]*<span class="hljs-string">&quot;k&quot;<\/span>.*<span class="hljs-number">1<\/span>.*<span class="hljs-literal">None<\/span>/);
  assert.match(fence('django', '{% load cache %}{% cache 500 sidebar request.user.pk %}<b>{{ user }}</b>{% endcache %}'), /<span class="hljs-template-tag">\{% <span class="hljs-name">cache<\/span>[\s\S]*&lt;<span class="hljs-name">b<\/span>&gt;/);
  assert.match(fence('ts', 'const ttl: number = 60_000;'), /<span class="hljs-keyword">const<\/span>/);
  assert.match(fence('toml', '[tool.cache-coach]\nselect = ["CACHE001"]'), /<span class="hljs-section">/);
  assert.match(fence('sh', 'npx cache-coach check .'), /class="hljs language-sh"/);
  // Unknown languages and script-looking content stay plain, escaped text.
  const unknown = fence('brainfuck', '<script>alert(1)</script>');
  assert.match(unknown, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  const hostile = fence('python', 'x = "</code></pre><script>alert(1)</script>"');
  assert.doesNotMatch(hostile, /<script|<\/pre><script/);
  for (const html of [unknown, hostile]) assert.doesNotMatch(html, /style=|\son[a-z]+=/);
  // The lesson's own code is coloured: every python block of a concept section has spans.
  const timeouts = content.data.sections.find((section) => section.id === 'timeouts')!;
  assert.match(timeouts.html, /<code class="hljs language-python"><span class="hljs-keyword">/);
});

test('the page HTML needs a real nonce and escapes its URIs', () => {
  assert.throws(() => lessonPageHtml({ cspSource: 'x', nonce: 'short', scriptUri: 'a', styleUri: 'b' }), /nonce/);
  const html = lessonPageHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'abcdefghijklmnopqrstuvwx', scriptUri: 'https://x/"><script>', styleUri: 'https://x/s.css' });
  assert.doesNotMatch(html, /"><script>/);
});

test('fill-in: normalising keeps the accepted forms and brings learners\' variants to them', () => {
  const spec = content.data.fillIn!;
  for (const form of spec.accepted) assert.equal(normalizeAnswer(form, spec.steps), form);
  for (const answer of ["f'profile:{user_id}'", 'F"profile:{user_id}"', '"profile:%s" % user_id', "'profile:%d' % (user_id,)", '"profile:{}".format(user_id)', "'profile:' + str(user_id)", '("profile:" + str(user_id)),', '((f"profile:{user_id}"))']) {
    assert.equal(checkFillIn(spec, answer).accepted, true, answer);
  }
  const literal = checkFillIn(spec, "'profile:42'");
  assert.ok(!literal.accepted && literal.matchedFeedback && /user 42 only/.test(literal.hintHtml));
  const concat = checkFillIn(spec, "'profile:' + user_id");
  assert.ok(!concat.accepted && /TypeError/.test(concat.hintHtml));
  const other = checkFillIn(spec, 'hash(user_id)');
  assert.ok(!other.accepted && !other.matchedFeedback && other.hintHtml === spec.fallbackHintHtml);
  // Parentheses that do not wrap the whole answer stay; strings keep their spaces.
  assert.equal(normalizeAnswer('(a) + (b)', spec.steps), '(a)+(b)');
  assert.equal(normalizeAnswer('f"profile: {user_id}"', spec.steps), 'f"profile: {user_id}"');
  assert.equal(normalizeAnswer(`'say "hi"'`, spec.steps), `'say "hi"'`);
  assert.throws(() => normalizeAnswer('x', ['shout']), /unknown normalisation step/);
});

/**
 * Every way of building the key that the lesson says works (an f-string, % formatting, .format(),
 * concatenation) is accepted without Python; wrong keys and code outside the subset are not. Real
 * Python confirms the table itself: each accepted answer builds profile:42 and profile:7, each
 * rejected one does not (or raises).
 */
const FILL_IN_TABLE: readonly (readonly [answer: string, accepted: boolean])[] = [
  ['f"profile:{user_id}"', true],
  ["f'profile:{user_id}'", true],
  ['F"profile:{user_id}"', true],
  ['f"profile:{ user_id }"', true],
  ['f"profile:{user_id!s}"', true],
  ['f"profile:{user_id!r}"', true],
  ['f"profile:{str(user_id)}"', true],
  ['f"profile:{user_id:d}"', true],
  ['rf"profile:{user_id}"', true],
  ['"profile:%s" % user_id', true],
  ['"profile:%s" % str(user_id)', true],
  ["'profile:%s' % (user_id,)", true],
  ['"profile:%d" % user_id', true],
  ['"profile:%i" % (user_id)', true],
  ['"profile:{}".format(user_id)', true],
  ['"profile:{}".format(str(user_id))', true],
  ['"profile:{0}".format(user_id)', true],
  ['"profile:{uid}".format(uid=user_id)', true],
  ['"profile:" + str(user_id)', true],
  ["'profile' + ':' + str(user_id)", true],
  ['"profile:" f"{user_id}"', true],
  ['":".join(["profile", str(user_id)])', true],
  ['":".join(("profile", str(user_id)))', true],
  ['("profile:" + str(user_id)),', true],
  ['"PROFILE:{}".format(user_id).lower()', true],
  ['"profile:42"', false],
  ['"profile:" + user_id', false],
  ['"profile:{user_id}"', false],
  ['f"profile{user_id}"', false],
  ['f"profile-{user_id}"', false],
  ['f"user:{user_id}"', false],
  ['f"profile: {user_id}"', false],
  ['"profile:" + str(user_id) + " "', false],
  ['user_id', false],
  ['str(user_id)', false],
  ['"profile:%d" % str(user_id)', false],
  ['"profile:%s %s" % user_id', false],
  ['":".join(["profile", user_id])', false],
  ['b"profile:%d" % user_id', false],
  ['hash(user_id)', false],
  ['__import__("os").getcwd()', false],
  ['f"profile:{user_id', false],
];

test('fill-in: one table of accepted and rejected answers, judged without Python', () => {
  const spec = content.data.fillIn!;
  assert.equal(spec.variable, 'user_id');
  assert.deepEqual(spec.cases.map((item) => item.expect), ['profile:42', 'profile:7']);
  for (const [answer, accepted] of FILL_IN_TABLE) {
    const verdict = checkFillIn(spec, answer);
    assert.equal(verdict.accepted, accepted, `${answer} should be ${accepted ? 'accepted' : 'rejected'}`);
  }
  // The wrong answers the spec has hints for still get their hint.
  const noPrefix = checkFillIn(spec, '"profile:{user_id}"');
  assert.ok(!noPrefix.accepted && noPrefix.matchedFeedback && /f prefix/.test(noPrefix.hintHtml));
  // Nothing outside the subset is guessed at, and nothing runs.
  assert.equal(evaluateKeyExpression('open("x").read()', { user_id: 42 }), undefined);
  assert.equal(evaluateKeyExpression('"a" * 10**9', { user_id: 42 }), undefined);
  assert.equal(evaluateKeyExpression('('.repeat(5000) + '1' + ')'.repeat(5000), { user_id: 42 }), undefined);
});

test('fill-in: real Python agrees with the table', { skip: existsSync('/usr/bin/python3') ? false : 'no /usr/bin/python3' }, () => {
  const program = [
    'import json, sys',
    'rows = []',
    'for answer in json.load(sys.stdin):',
    '    row = []',
    '    for user_id in (42, 7):',
    '        try:',
    '            row.append(eval(answer.strip().rstrip(","), {"__builtins__": {"str": str, "int": int, "repr": repr, "hash": hash, "__import__": __import__}}, {"user_id": user_id}))',
    '        except Exception:',
    '            row.append(None)',
    '    rows.append([value if isinstance(value, str) else None for value in row])',
    'print(json.dumps(rows))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', program], { input: JSON.stringify(FILL_IN_TABLE.map(([answer]) => answer)), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as (string | null)[][];
  FILL_IN_TABLE.forEach(([answer, accepted], index) => {
    const right = rows[index]![0] === 'profile:42' && rows[index]![1] === 'profile:7';
    assert.equal(right, accepted, `Python says ${answer} gives ${JSON.stringify(rows[index])}`);
  });
});

class Memento implements MementoLike {
  constructor(readonly values = new Map<string, unknown>()) {}
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

test('progress: kept in the memento across restarts; unreadable data starts afresh (logged); reset clears it', async () => {
  const memento = new Memento();
  const first = new ProgressStore(memento);
  const changes: number[] = [];
  first.onDidChange((progress) => changes.push(progress.sectionsRead.length));
  await first.markSectionRead('timeouts');
  await first.recordAnswer('q-add-existing', 3, true);
  await first.recordExercise('profile-key', true);
  await first.finishQuiz([{ questionId: 'q-add-existing', option: 3 }], { questions: new Map([['q-add-existing', { answer: 3, options: 4 }], ['q-other', { answer: 0, options: 2 }]]) });
  assert.deepEqual(changes, [1, 1, 1, 1]);
  const second = new ProgressStore(memento); // a restart
  assert.deepEqual(second.get(), {
    version: 1, sectionsRead: ['timeouts'], answers: { 'q-add-existing': { option: 3, correct: true } },
    quiz: { attempts: 1, last: { correct: 1, total: 2 }, best: { correct: 1, total: 2 } }, exercises: { 'profile-key': { passed: true } },
  });
  const logs: string[] = [];
  const broken = new ProgressStore(new Memento(new Map([[PROGRESS_KEY, { version: 1, sectionsRead: 'all', answers: {} }]])), (line) => logs.push(line));
  assert.deepEqual(broken.get(), emptyProgress());
  assert.match(logs[0]!, /not readable \(sectionsRead: expected an array/);
  const polluted = new ProgressStore(new Memento(new Map([[PROGRESS_KEY, JSON.parse('{"version":1,"sectionsRead":[],"answers":{"__proto__":{"option":0,"correct":true}},"quiz":{"attempts":0,"last":null,"best":null},"exercises":{}}')]])), () => {});
  assert.deepEqual(polluted.get(), emptyProgress());
  await second.reset();
  assert.equal(memento.values.has(PROGRESS_KEY), false);
  assert.deepEqual(second.get(), emptyProgress());
});

test('simulator: timeouts as Django counts them, expiry on the virtual clock, removal on read', () => {
  const sim = new CacheSimulator();
  sim.set('a', '1', 10);
  sim.set('default', 'd');
  sim.set('never', 'n', null);
  sim.set('zero', 'z', 0);
  sim.set('negative', 'z', -5);
  assert.equal(sim.get('zero'), null);
  assert.equal(sim.get('negative'), null);
  assert.equal(sim.entries.has('zero'), false, 'the read removed it');
  assert.deepEqual(sim.table().map((e) => [e.key, e.remaining]), [['a', 10_000], ['default', 300_000], ['never', null]]);
  sim.advance(9.5);
  assert.equal(sim.get('a'), '1');
  sim.advance(0.5);
  assert.equal(sim.table().find((e) => e.key === 'a')!.expired, true, 'expired at exactly its timeout, as Django (<=)');
  assert.equal(sim.add('a', '2', 5), true, 'add() writes over an expired entry');
  assert.equal(sim.add('a', '3', 5), false);
  assert.equal(sim.get('a'), '2');
  assert.equal(sim.delete('a'), true);
  assert.equal(sim.delete('a'), false);
  sim.advance(1000);
  assert.equal(sim.get('never'), 'n');
  assert.equal(sim.get('default'), null);
  assert.match(sim.log.map((l) => `${l.call} → ${l.result}`).join('\n'), /cache\.set\('a', '1', 10\) → None\ncache\.set\('default', 'd'\) → None\ncache\.set\('never', 'n', None\) → None/);
  assert.equal(pyRepr("it's"), `"it's"`);
  assert.deepEqual(parseTimeout(''), { ok: true, timeout: undefined });
  assert.deepEqual(parseTimeout('none'), { ok: true, timeout: null });
  assert.deepEqual(parseTimeout('-1'), { ok: true, timeout: -1 });
  assert.equal(parseTimeout('5m').ok, false);
});

test('simulator: delete() of an expired entry nothing has read says True, as LocMemCache does (example delete-expired)', () => {
  const sim = new CacheSimulator();
  sim.set('flash', 'x', 1);
  sim.set('read-first', 'y', 1);
  sim.advance(2);
  assert.equal(sim.delete('flash'), true, 'still stored, although expired: removed, True');
  assert.equal(sim.get('read-first'), null, 'a read removes an expired entry...');
  assert.equal(sim.delete('read-first'), false, '...so a later delete finds nothing');
  assert.equal(sim.delete('flash'), false);
  const notes = sim.log.map((line) => line.note ?? '');
  assert.ok(notes.every((note) => !/\(a miss\)/.test(note)), 'the miss badge says "miss"; the note does not repeat it');
});

test('simulator: a hot key and ten readers, rebuilt ten times without a lock and once with one (the dogpile of "Stampedes and locks")', () => {
  const sim = new CacheSimulator();
  const demo = new DogpileDemo(sim);
  const without = demo.run(false);
  assert.deepEqual([without.readers, without.rebuilds, without.servedStale], [10, 10, 0]);
  assert.equal(without.databaseMs, 10 * DogpileDemo.REBUILD_MS);
  const withLock = demo.run(true);
  assert.deepEqual([withLock.rebuilds, withLock.servedStale], [1, 9]);
  const calls = sim.log.map((line) => `${line.call} → ${line.result}`);
  assert.equal(calls.filter((call) => call === "cache.add('prices:lock', 'reader 1', 30) → True").length, 1, 'one reader takes the lock');
  assert.equal(calls.filter((call) => /^cache\.add\('prices:lock', 'reader \d+', 30\) → False$/.test(call)).length, 9);
  assert.ok(calls.includes("cache.delete('prices:lock') → True"), 'the lock is released');
  assert.equal(sim.entries.has(DogpileDemo.LOCK_KEY), false);
  assert.equal(sim.get(DogpileDemo.KEY), 'prices v12', 'the fresh value is back: one first build, ten rebuilds, then one');
});

test('simulator: durations read as people write them', () => {
  assert.equal(formatSeconds(300_000), '5 min');
  assert.equal(formatSeconds(450_000), '7.5 min');
  assert.equal(formatSeconds(30_000), '30 s');
  assert.equal(formatSeconds(2_500), '2.5 s');
  assert.equal(formatSeconds(7_200_000), '2 h');
  assert.equal(formatSeconds(0), '0 s');
});

test('cache-aside demo: a miss costs the database, a hit saves it, expiry and invalidation bring the miss back', () => {
  const sim = new CacheSimulator();
  const demo = new CacheAsideDemo(sim);
  assert.equal(demo.load(1).hit, false);
  assert.equal(demo.load(1).hit, true);
  assert.equal(demo.load(2).hit, false);
  assert.deepEqual([demo.hits, demo.misses, demo.timeSavedMs], [1, 2, CacheAsideDemo.DB_MS]);
  demo.changePrice(1);
  const stale = demo.load(1);
  assert.ok(stale.hit && stale.stale, 'without invalidation the cached copy is stale');
  sim.advance(CacheAsideDemo.TTL_SECONDS);
  assert.equal(demo.load(1).hit, false, 'the TTL ran out');
  demo.invalidateOnWrite = true;
  demo.changePrice(1);
  const fresh = demo.load(1);
  assert.ok(!fresh.hit && !fresh.stale, 'invalidation on write: the next read is a fresh miss');
  const saved = saveSimulator(sim, demo);
  assert.ok(SimulatorState.parse(JSON.parse(JSON.stringify(saved))).ok);
  const restored = restoreSimulator(saved);
  assert.equal(restored.cache.now, sim.now);
  assert.equal(restored.demo.misses, demo.misses);
  assert.equal(restored.demo.load(1).hit, true);
});

test('quiz attempts: the first keeps the written order, retakes shuffle; answers are final; score and mistakes', () => {
  const questions = content.data.quiz.questions;
  const byId = new Map(questions.map((q) => [q.id, q]));
  const first = quiz.newAttempt(questions, 1);
  assert.ok(questions.every((q) => first.optionOrder[q.id]!.every((option, index) => option === index)));
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const retake = quiz.newAttempt(questions, 2, random);
  assert.ok(questions.some((q) => retake.optionOrder[q.id]!.some((option, index) => option !== index)));
  assert.ok(questions.every((q) => [...retake.optionOrder[q.id]!].sort().join() === first.optionOrder[q.id]!.join()));
  assert.equal(quiz.answer(first, questions[0]!.answer), true);
  assert.equal(quiz.answer(first, 0), false, 'a second answer is ignored');
  quiz.next(first);
  quiz.answer(first, (questions[1]!.answer + 1) % questions[1]!.optionsHtml.length);
  quiz.next(first);
  assert.deepEqual(quiz.score(first, byId), { correct: 1, answered: 2, total: questions.length });
  assert.deepEqual(quiz.mistakes(first, byId).map((m) => m.question.id), [questions[1]!.id]);
  assert.equal(quiz.fitsQuestions(first, byId), true);
  assert.equal(quiz.fitsQuestions({ ...first, order: [...first.order, 'q-gone'] }, byId), false);
});
