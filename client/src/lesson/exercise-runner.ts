/**
 * Runs the learner's Python for the exercises: the @cached exercise's hidden checks
 * (lessons/exercises/cached_checks.py) and the fill-in answer's evaluation. Each run is a subprocess of
 * the chosen interpreter, in a fresh temp folder, with a time limit after which the whole process
 * group is killed and the run is reported as stopped. The caller decides whether code may run at all
 * (a trusted workspace): this module knows nothing of VS Code.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckResult, type ExerciseRun, type FillInEvaluation, type RunnerStatus } from './messages';
import { arr, bool, nullable, obj, optional, str } from './schema';
import { staticHints } from './static-hints';

export const DEFAULT_CHECK_LIMIT_MS = 10_000;
export const DEFAULT_EVALUATE_LIMIT_MS = 5_000;
const MAX_OUTPUT = 2 * 1024 * 1024;

/**
 * The interpreter to use: the Python extension's `python.defaultInterpreterPath` when the user set it
 * (with `${workspaceFolder}` and `~` expanded), else `python3`.
 */
export function resolvePython(configured: string | undefined, workspaceFolder: string | undefined): string {
  const value = configured?.trim();
  if (!value) return process.platform === 'win32' ? 'python' : 'python3';
  let expanded = value.replace(/\$\{workspaceFolder\}/g, workspaceFolder ?? '');
  if (expanded === '~' || expanded.startsWith('~/')) expanded = homedir() + expanded.slice(1);
  return expanded;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

/** Runs a program with a time limit; kills its whole process group when the limit passes. */
export function runProcess(command: string, args: readonly string[], options: { cwd?: string; input?: string; timeoutMs: number }): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' };
    delete env.DJANGO_SETTINGS_MODULE;
    delete env.PYTHONSTARTUP;
    const posix = process.platform !== 'win32';
    let child;
    try {
      child = spawn(command, args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: posix, windowsHide: true });
    } catch (error) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, spawnError: String((error as Error).message ?? error) });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const kill = (): void => {
      try {
        if (posix && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > MAX_OUTPUT) kill();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, timedOut, spawnError: error.code ? `${error.code}: ${error.message}` : error.message });
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The process group may still hold children the learner's code started.
      if (posix && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // none left
        }
      }
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => {}); // the program may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

function notRunnable(python: string, result: ProcessResult): string | undefined {
  if (result.spawnError) {
    return `No Python could be started as \`${python}\` (${result.spawnError}). Set \`python.defaultInterpreterPath\` to a Python that has Django.`;
  }
  if (/No module named ['"]?django/.test(result.stderr)) {
    return `The Python \`${python}\` has no Django. Install it there (\`${python} -m pip install django\`) or set \`python.defaultInterpreterPath\` to a Python that has it.`;
  }
  return undefined;
}

/** Checks that the interpreter starts and imports Django; says which Django, or why not. */
export async function probePython(python: string, timeoutMs = 15_000): Promise<RunnerStatus> {
  const result = await runProcess(python, ['-c', 'import django, sys; print(django.get_version()); print(sys.executable)'], { cwd: tmpdir(), timeoutMs });
  const reason = notRunnable(python, result);
  if (reason) return { state: 'unavailable', reason };
  if (result.timedOut) return { state: 'unavailable', reason: `\`${python}\` did not answer within ${Math.round(timeoutMs / 1000)} s.` };
  const [version, executable] = result.stdout.trim().split(/\r?\n/);
  if (result.code !== 0 || !version) {
    return { state: 'unavailable', reason: `\`${python}\` could not import Django: ${lastLine(result.stderr) || `exit status ${result.code}`}` };
  }
  return { state: 'ready', python: executable || python, django: version };
}

const CheckReport = obj({
  exercise: optional(str({ max: 100 })),
  passed: bool,
  django: nullable(str({ max: 100 })),
  checks: arr(CheckResult, 50),
  output: str({ max: 1_000_000 }),
});

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).pop()?.trim() ?? '';
}

/** The checker's JSON report from its stdout (the learner's own prints are captured inside it). */
function parseReport(stdout: string): ReturnType<typeof CheckReport.parse> | undefined {
  const candidates = [stdout.trim()];
  const start = stdout.lastIndexOf('{\n  "exercise"');
  if (start > 0) candidates.push(stdout.slice(start).trim());
  for (const candidate of candidates) {
    try {
      return CheckReport.parse(JSON.parse(candidate));
    } catch {
      // not JSON: try the next candidate
    }
  }
  return undefined;
}

export interface CodeRunOptions {
  python: string;
  /** lessons/exercises/cached_checks.py */
  checksFile: string;
  code: string;
  /** The learner's module's file name inside the temp folder. */
  learnerFile?: string;
  timeoutMs?: number;
}

/** Runs the hidden checks on the learner's code. Never throws. */
export async function runCodeExercise(options: CodeRunOptions): Promise<ExerciseRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_LIMIT_MS;
  const hints = staticHints(options.code);
  const dir = await mkdtemp(join(tmpdir(), 'cache-coach-exercise-'));
  try {
    const learner = join(dir, (options.learnerFile ?? 'cached_exercise.py').replace(/[^A-Za-z0-9_.]/g, '_'));
    await writeFile(learner, options.code, 'utf8');
    const result = await runProcess(options.python, [options.checksFile, learner], { cwd: dir, timeoutMs });
    if (result.timedOut) return { status: 'timeout', limitSeconds: Math.max(1, Math.round(timeoutMs / 1000)), hints };
    const reason = notRunnable(options.python, result);
    if (reason) return { status: 'unavailable', reason, hints };
    const report = parseReport(result.stdout);
    if (!report) {
      const why = result.signal ? `it was ended by ${result.signal}` : result.stdout.length > MAX_OUTPUT ? 'it printed too much' : `exit status ${result.code}`;
      const detail = lastLine(result.stderr);
      return { status: 'error', message: `The checks did not report a result (${why})${detail ? `: ${detail}` : ''}. Your code may have ended the process.`, hints };
    }
    if (!report.ok) return { status: 'error', message: `The checks reported something unexpected (${report.error}).`, hints };
    const { passed, django, checks, output } = report.value;
    return { status: 'checked', passed, django, checks, output: output.slice(-2000) };
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** Python that runs the fill-in's program for each case and prints what `result` was (or null on error). */
const EVALUATE_PROGRAM = [
  'import contextlib, io, json, sys',
  'programs = json.load(sys.stdin)',
  'values = []',
  'for program in programs:',
  '    scope = {"__name__": "__fill_in__"}',
  '    try:',
  '        with contextlib.redirect_stdout(io.StringIO()):',
  '            exec(compile(program, "<answer>", "exec"), scope)',
  '        result = scope.get("result")',
  '        values.append(result if isinstance(result, str) else repr(result))',
  '    except BaseException:',
  '        values.append(None)',
  'sys.stdout.write(json.dumps(values))',
].join('\n');

export interface EvaluateOptions {
  python: string;
  /** `evaluate.program` of the spec: `user_id = {value}\nresult = ({answer})` */
  program: string;
  cases: readonly { value: unknown; expect: string }[];
  answer: string;
  timeoutMs?: number;
}

/** A case value as a Python literal. */
function pythonLiteral(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return 'None';
  return JSON.stringify(String(value));
}

/** Runs a fill-in answer for every case; accepted when each gives its expected value. Never throws. */
export async function evaluateFillIn(options: EvaluateOptions): Promise<FillInEvaluation> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EVALUATE_LIMIT_MS;
  const programs = options.cases.map((item) => options.program.replace('{value}', pythonLiteral(item.value)).replace('{answer}', () => options.answer));
  const result = await runProcess(options.python, ['-c', EVALUATE_PROGRAM], { cwd: tmpdir(), input: JSON.stringify(programs), timeoutMs });
  if (result.timedOut) return { status: 'timeout', limitSeconds: Math.max(1, Math.round(timeoutMs / 1000)) };
  if (result.spawnError) return { status: 'unavailable', reason: notRunnable(options.python, result)! };
  let values: unknown;
  try {
    values = JSON.parse(result.stdout);
  } catch {
    return { status: 'error', message: `Python did not report a result (${lastLine(result.stderr) || `exit status ${result.code}`}).` };
  }
  const parsed = arr(nullable(str({ max: 10_000 })), 10).parse(values);
  if (!parsed.ok || parsed.value.length !== options.cases.length) return { status: 'error', message: 'Python reported something unexpected.' };
  const accepted = options.cases.every((item, index) => parsed.value[index] === item.expect);
  return { status: 'evaluated', accepted, values: parsed.value.map((value) => (value === null ? null : value.slice(0, 200))) };
}
