/**
 * The exercise runner against real Python and Django: the hidden checks (lessons/exercises/cached_checks.py)
 * on a correct @cached, on one that never memoises, on one whose arguments collide, and on one that
 * loops forever (stopped by the time limit, its whole process group killed, reported as stopped); the
 * fill-in answer's evaluation; and the reasons given when no usable Python is there.
 *
 * Python: $PYTHON, else Debian's /usr/bin/python3 (python3-django, Django 3.2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateFillIn, probePython, resolvePython, runCodeExercise } from '../../client/src/lesson/exercise-runner';
import { staticHints } from '../../client/src/lesson/static-hints';

const ROOT = join(__dirname, '..', '..');
const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const CHECKS = join(ROOT, 'lessons', 'exercises', 'cached_checks.py');
const STARTER = readFileSync(join(ROOT, 'lessons', 'exercises', 'cached_starter.py'), 'utf8');
const FILL_IN = JSON.parse(readFileSync(join(ROOT, 'lessons', 'exercises', 'profile-key.json'), 'utf8')) as { evaluate: { program: string; cases: { value: number; expect: string }[] } };
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const needsDjango = hasDjango ? {} : { skip: `${PYTHON} has no Django (install python3-django, or set $PYTHON)` };
const scratch = mkdtempSync(join(tmpdir(), 'cache-coach-runner-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const CORRECT = `import functools
import hashlib

from django.core.cache import cache

MISSING = object()


def cached(func):
    prefix = "cached:%s.%s" % (func.__module__, func.__qualname__)

    @functools.wraps(func)
    def wrapper(arg):
        key = prefix + ":" + hashlib.sha256(repr(arg).encode()).hexdigest()
        result = cache.get(key, MISSING)
        if result is MISSING:
            result = func(arg)
            cache.set(key, result, 300)
        return result

    return wrapper
`;

const COLLIDING = `import functools

from django.core.cache import cache

MISSING = object()


def cached(func):
    @functools.wraps(func)
    def wrapper(arg):
        key = "cached:%s.%s" % (func.__module__, func.__qualname__)   # the argument is missing from the key
        result = cache.get(key, MISSING)
        if result is MISSING:
            result = func(arg)
            cache.set(key, result, 300)
        return result

    return wrapper
`;

const checkIds = (run: Awaited<ReturnType<typeof runCodeExercise>>): Record<string, boolean> => {
  assert.equal(run.status, 'checked', JSON.stringify(run));
  if (run.status !== 'checked') return {};
  return Object.fromEntries(run.checks.map((check) => [check.id, check.passed]));
};

test('a correct @cached passes every check', needsDjango, async () => {
  const run = await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: CORRECT });
  const checks = checkIds(run);
  assert.ok(run.status === 'checked' && run.passed, JSON.stringify(run));
  assert.deepEqual(Object.keys(checks), ['module', 'returns-result', 'repeat-skips-work', 'different-arguments', 'different-functions', 'falsy-results', 'none-results', 'django-cache', 'valid-keys', 'keeps-name']);
  assert.ok(Object.values(checks).every(Boolean));
  assert.match(run.status === 'checked' ? run.django ?? '' : '', /^\d+\.\d+/);
  assert.deepEqual(staticHints(CORRECT), [], 'no static hint fires on a correct solution');
});

test('the starter, which never memoises, fails "a repeated call skips the work" with its hint', needsDjango, async () => {
  const run = await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: STARTER });
  const checks = checkIds(run);
  assert.ok(run.status === 'checked' && !run.passed);
  assert.equal(checks['module'], true);
  assert.equal(checks['returns-result'], true);
  assert.equal(checks['repeat-skips-work'], false);
  const failed = run.status === 'checked' ? run.checks.find((check) => check.id === 'repeat-skips-work')! : undefined;
  assert.match(failed!.message, /did the work 3 times/);
  assert.match(failed!.hint ?? '', /cache\.get\(\)/);
});

test('arguments that collide fail "different arguments do not collide"', needsDjango, async () => {
  const checks = checkIds(await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: COLLIDING }));
  assert.equal(checks['repeat-skips-work'], true);
  assert.equal(checks['different-arguments'], false);
});

test('code that loops forever is stopped by the time limit, with its process group, and reported as stopped', needsDjango, async () => {
  const pids = join(scratch, 'pids.txt');
  const looping = `import os, subprocess
from django.core.cache import cache


def cached(func):
    def wrapper(arg):
        child = subprocess.Popen(["sleep", "60"])
        with open(${JSON.stringify(pids)}, "w") as out:
            out.write("%d %d" % (os.getpid(), child.pid))
        while True:
            pass
    return wrapper
`;
  const started = Date.now();
  const run = await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: looping, timeoutMs: 3000 });
  const elapsed = Date.now() - started;
  assert.equal(run.status, 'timeout', JSON.stringify(run));
  assert.ok(run.status === 'timeout' && run.limitSeconds === 3);
  assert.ok(elapsed >= 2900 && elapsed < 8000, `stopped at the limit (${elapsed} ms)`);
  assert.ok(run.status === 'timeout' && run.hints.length > 0, 'static hints come with it');
  const [python, sleeper] = readFileSync(pids, 'utf8').split(' ').map(Number);
  for (const pid of [python!, sleeper!]) {
    // Gone, or a zombie waiting for its (re)parent to reap it: either way it runs no more.
    const running = (): boolean => {
      try {
        process.kill(pid, 0);
      } catch {
        return false;
      }
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      return !/^\d+ \(.*\) Z/.test(stat);
    };
    const deadline = Date.now() + 3000;
    while (running() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(running(), false, `process ${pid} (${pid === python ? 'python' : 'its child'}) was stopped`);
  }
});

test('code that ends the process or prints is reported, not taken for a result', needsDjango, async () => {
  const exits = await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: 'import os\nos._exit(3)\n' });
  assert.equal(exits.status, 'error');
  assert.match(exits.status === 'error' ? exits.message : '', /did not report a result \(exit status 3\)/);
  const chatty = await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: `print("hello from the learner")\n${CORRECT}` });
  assert.ok(chatty.status === 'checked' && chatty.passed);
  assert.match(chatty.status === 'checked' ? chatty.output : '', /hello from the learner/);
  const broken = await runCodeExercise({ python: PYTHON, checksFile: CHECKS, code: 'def cached(func:\n' });
  const checks = checkIds(broken);
  assert.equal(checks['module'], false);
  assert.match(broken.status === 'checked' ? broken.checks[0]!.message : '', /SyntaxError/);
});

test('no usable Python: the reason is given, with hints read from the code', async () => {
  const missing = await runCodeExercise({ python: join(scratch, 'no-such-python'), checksFile: CHECKS, code: STARTER });
  assert.equal(missing.status, 'unavailable');
  assert.match(missing.status === 'unavailable' ? missing.reason : '', /No Python could be started/);
  assert.ok(missing.status === 'unavailable' && missing.hints.some((hint) => /cache\.get/.test(hint)));
  const probe = await probePython(join(scratch, 'no-such-python'));
  assert.equal(probe.state, 'unavailable');
});

test('a Python without Django is named as such', { skip: existsSync('/usr/bin/python3') ? false : 'needs /usr/bin/python3' }, async () => {
  // `python3 -S` skips site-packages, so Django cannot be imported.
  const noDjango = join(scratch, 'python-without-django');
  writeFileSync(noDjango, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
  chmodSync(noDjango, 0o755);
  const probe = await probePython(noDjango);
  assert.equal(probe.state, 'unavailable');
  assert.match(probe.state === 'unavailable' ? probe.reason : '', /has no Django/);
  const run = await runCodeExercise({ python: noDjango, checksFile: CHECKS, code: CORRECT });
  assert.equal(run.status, 'unavailable');
});

test('probing a Python with Django names its version', needsDjango, async () => {
  const probe = await probePython(PYTHON);
  assert.equal(probe.state, 'ready');
  assert.match(probe.state === 'ready' ? probe.django : '', /^\d+\.\d+/);
});

test('the fill-in answer is run as the spec says: right for users 42 and 7, or not', needsDjango, async () => {
  const evaluate = (answer: string, timeoutMs?: number) => evaluateFillIn({ python: PYTHON, program: FILL_IN.evaluate.program, cases: FILL_IN.evaluate.cases, answer, ...(timeoutMs ? { timeoutMs } : {}) });
  assert.deepEqual(await evaluate('"profile:" + format(user_id)'), { status: 'evaluated', accepted: true, values: ['profile:42', 'profile:7'] });
  assert.deepEqual(await evaluate('"profile:42"'), { status: 'evaluated', accepted: false, values: ['profile:42', 'profile:42'] });
  assert.deepEqual(await evaluate('"profile:" + user_id'), { status: 'evaluated', accepted: false, values: [null, null] });
  assert.deepEqual(await evaluate('print("noise") or f"profile:{user_id}"'), { status: 'evaluated', accepted: true, values: ['profile:42', 'profile:7'] });
  const started = Date.now();
  assert.deepEqual(await evaluate('[0 for _ in iter(int, 1)]', 1500), { status: 'timeout', limitSeconds: 2 });
  assert.ok(Date.now() - started < 5000);
});

test('the interpreter: python.defaultInterpreterPath when set (with ${workspaceFolder} and ~), else python3', () => {
  assert.equal(resolvePython(undefined, '/ws'), process.platform === 'win32' ? 'python' : 'python3');
  assert.equal(resolvePython('  ', '/ws'), process.platform === 'win32' ? 'python' : 'python3');
  assert.equal(resolvePython('${workspaceFolder}/.venv/bin/python', '/ws'), '/ws/.venv/bin/python');
  assert.equal(resolvePython('~/envs/dj/bin/python', '/ws'), join(homedir(), 'envs/dj/bin/python'));
  assert.equal(resolvePython('/usr/bin/python3', undefined), '/usr/bin/python3');
});

test('static hints read the code, not its comments', () => {
  const hints = staticHints(STARTER);
  assert.ok(hints.some((hint) => /nothing is read from the cache/.test(hint)), hints.join('\n'));
  assert.ok(hints.some((hint) => /nothing is stored/.test(hint)));
  assert.ok(hints.some((hint) => /__qualname__/.test(hint)));
  assert.ok(!hints.some((hint) => /functools\.wraps/.test(hint)), 'the starter keeps functools.wraps');
  const falsy = staticHints(CORRECT.replace('MISSING = object()', '').replace('result = cache.get(key, MISSING)\n        if result is MISSING:', 'result = cache.get(key)\n        if not result:'));
  assert.ok(falsy.some((hint) => /sentinel/.test(hint)), falsy.join('\n'));
  assert.ok(staticHints('def cached(func):\n    return func\n').some((hint) => /functools\.wraps/.test(hint)));
});
