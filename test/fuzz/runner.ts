/**
 * The fuzz runner: child processes (one per core) work through chunks of inputs; a watchdog kills a child
 * that spends longer than the per-input limit on one input (a hang) and carries on after it. Failures are
 * minimised (in a child, so a hang can be cut short too) and kept as regression fixtures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { FRONT_ENDS, ROOT, type FrontEnd } from './front-ends.js';
import { generateInput, type Failure, type FuzzInput } from './harness.js';
import type { ResultTuple, WorkerMessage, WorkerRequest } from './worker.js';

export const REGRESSIONS = join(ROOT, 'test', 'fixtures', 'fuzz-regressions');

export interface FuzzOptions {
  count: number;
  seed: string;
  frontEnds?: readonly FrontEnd[];
  workers?: number;
  /** A child silent this long on one input is taken to hang (and killed). */
  timeoutMs?: number;
  /** Inputs per chunk handed to a child. */
  chunk?: number;
  /** Minimise failures and write them to test/fixtures/fuzz-regressions/. */
  save?: boolean;
  /** At most this many distinct failures are minimised per run. */
  minimise?: number;
  log?: (line: string) => void;
}

export interface FailedInput {
  frontEnd: string;
  index: number;
  failure: Failure;
}

export interface FrontEndSummary {
  frontEnd: string;
  inputs: number;
  candidates: number;
  failures: FailedInput[];
  /** ms per KB of each input (size floored at 1 KB, so tiny files do not dominate). */
  msPerKb: number[];
  slowest: { index: number; ms: number; size: number; msPerKb: number };
  slowestMs: { index: number; ms: number; size: number };
}

export interface FuzzSummary {
  seed: string;
  workers: number;
  seconds: number;
  peakWorkerRssMb: number;
  frontEnds: FrontEndSummary[];
  /** Minimised failures: where they were written (or the JSON when not saved). */
  minimised: { signature: string; file?: string; fixture: RegressionFixture }[];
}

export interface RegressionFixture {
  description: string;
  failure: string;
  found: string;
  /** Set while the bug is not fixed yet: the replay is a todo, not a failure. */
  pending?: string;
  input: FuzzInput;
}

interface Chunk {
  frontEnd: string;
  start: number;
  end: number;
}

const WORKER = join(__dirname, 'worker.ts');

class Child {
  readonly process: ChildProcess;
  ready = false;
  lastActivity = Date.now();
  chunk: (Chunk & { next: number }) | undefined;
  onInputResult: ((message: Extract<WorkerMessage, { type: 'input-result' }>) => void) | undefined;
  dead = false;

  constructor(frontEnds: readonly FrontEnd[], onMessage: (child: Child, message: WorkerMessage) => void, onExit: (child: Child, code: number | null, signal: string | null) => void) {
    this.process = fork(WORKER, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
      env: { ...process.env, CACHE_COACH_FUZZ_FRONT_ENDS: frontEnds.map((frontEnd) => frontEnd.name).join(',') },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: WorkerMessage) => {
      this.lastActivity = Date.now();
      onMessage(this, message);
    });
    this.process.on('exit', (code, signal) => {
      this.dead = true;
      onExit(this, code, signal);
    });
  }

  send(request: WorkerRequest): void {
    this.lastActivity = Date.now();
    this.process.send(request);
  }

  kill(): void {
    if (!this.dead) this.process.kill('SIGKILL');
  }
}

/** Runs `count` inputs per front end and returns the figures; never throws for engine failures. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const frontEnds = options.frontEnds ?? FRONT_ENDS;
  const workers = Math.max(1, options.workers ?? availableParallelism());
  const timeoutMs = options.timeoutMs ?? 30_000;
  const chunkSize = options.chunk ?? 250;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const summaries = new Map<string, FrontEndSummary>(
    frontEnds.map((frontEnd) => [
      frontEnd.name,
      { frontEnd: frontEnd.name, inputs: 0, candidates: 0, failures: [], msPerKb: [], slowest: { index: -1, ms: 0, size: 0, msPerKb: 0 }, slowestMs: { index: -1, ms: 0, size: 0 } },
    ]),
  );
  // Interleave the front ends so that both progress together.
  const queue: Chunk[] = [];
  for (let start = 0; start < options.count; start += chunkSize) {
    for (const frontEnd of frontEnds) queue.push({ frontEnd: frontEnd.name, start, end: Math.min(options.count, start + chunkSize) });
  }
  let peakRss = 0;
  let finished = 0;
  const total = options.count * frontEnds.length;
  let lastLog = Date.now();

  const record = (frontEnd: string, [index, ms, size, candidate, failures]: ResultTuple): void => {
    const summary = summaries.get(frontEnd)!;
    summary.inputs++;
    summary.candidates += candidate;
    const perKb = ms / Math.max(1, size / 1024);
    summary.msPerKb.push(perKb);
    if (perKb > summary.slowest.msPerKb) summary.slowest = { index, ms, size, msPerKb: perKb };
    if (ms > summary.slowestMs.ms) summary.slowestMs = { index, ms, size };
    if (failures) for (const failure of failures) summary.failures.push({ frontEnd, index, failure: failure as Failure });
    finished++;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${finished} / ${total} inputs, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  };

  await new Promise<void>((resolve, reject) => {
    const children = new Set<Child>();
    let startFailures = 0;
    const assign = (child: Child): void => {
      const next = queue.shift();
      if (!next) {
        child.chunk = undefined;
        child.send({ type: 'exit' });
        return;
      }
      child.chunk = { ...next, next: next.start };
      child.send({ type: 'chunk', frontEnd: next.frontEnd, seed: options.seed, start: next.start, end: next.end });
    };
    const spawn = (): void => {
      const child = new Child(
        frontEnds,
        (self, message) => {
          if (message.type === 'ready') {
            self.ready = true;
            assign(self);
          } else if (message.type === 'result') {
            record(message.frontEnd, message.result);
            if (self.chunk) self.chunk.next = message.result[0] + 1;
          } else if (message.type === 'chunk-done') {
            peakRss = Math.max(peakRss, message.rss);
            assign(self);
          }
        },
        (self, code, signal) => {
          children.delete(self);
          if (!self.ready && !(self as Child & { hung?: boolean }).hung && ++startFailures >= 3) {
            // A worker that cannot even start (a syntax error in the sources, a missing module) would be respawned forever.
            clearInterval(watchdog);
            for (const other of children) other.kill();
            reject(new Error(`fuzz workers exit before they are ready (exit code ${code}, signal ${signal}): see their stderr above`));
            return;
          }
          const chunk = self.chunk;
          if (chunk && chunk.next < chunk.end) {
            // Killed by the watchdog (a hang) or died (a crash, out of memory): the input it was on fails.
            const hung = (self as Child & { hung?: boolean }).hung;
            record(chunk.frontEnd, [chunk.next, hung ? timeoutMs : 0, 0, 0, [{ kind: hung ? 'hang' : 'throw', message: hung ? `no result within ${timeoutMs} ms` : `the worker process died (exit code ${code}, signal ${signal})` }]]);
            if (chunk.next + 1 < chunk.end) queue.unshift({ frontEnd: chunk.frontEnd, start: chunk.next + 1, end: chunk.end });
          }
          if (queue.length > 0 && children.size < workers) spawn();
          if (children.size === 0 && queue.length === 0) {
            clearInterval(watchdog);
            resolve();
          }
        },
      );
      children.add(child);
    };
    const watchdog = setInterval(() => {
      const now = Date.now();
      for (const child of children) {
        const limit = child.ready ? timeoutMs : timeoutMs + 60_000;
        if ((child.chunk || !child.ready) && now - child.lastActivity > limit) {
          (child as Child & { hung?: boolean }).hung = child.ready;
          child.kill();
        }
      }
    }, 250);
    for (let i = 0; i < Math.min(workers, queue.length); i++) spawn();
    if (queue.length === 0) {
      clearInterval(watchdog);
      resolve();
    }
  });

  const minimised: FuzzSummary['minimised'] = [];
  const failures = [...summaries.values()].flatMap((summary) => summary.failures);
  if (failures.length > 0 && (options.minimise ?? 5) > 0) {
    const seen = new Set<string>();
    const oracle = new Oracle(frontEnds, timeoutMs);
    try {
      for (const failed of failures) {
        const signature = `${failed.frontEnd} ${signatureOf(failed.failure)}`;
        if (seen.has(signature) || seen.size >= (options.minimise ?? 5)) continue;
        seen.add(signature);
        const frontEnd = frontEnds.find((candidate) => candidate.name === failed.frontEnd)!;
        log(`minimising ${failed.frontEnd} input ${failed.index} (${signature})`);
        const input = await minimise(generateInput(frontEnd, options.seed, failed.index), failed.failure, oracle, log);
        const failure = shorten(failed.failure.message.split('\n')[0]);
        const fixture: RegressionFixture = {
          description: `Found by npm run fuzz and minimised: ${failure}`,
          failure,
          found: `seed ${options.seed}, ${failed.frontEnd} input ${failed.index}`,
          input,
        };
        let file: string | undefined;
        if (options.save) {
          mkdirSync(REGRESSIONS, { recursive: true });
          const hash = createHash('sha1').update(JSON.stringify(input)).digest('hex').slice(0, 10);
          file = join(REGRESSIONS, `${failed.frontEnd}-${failed.failure.kind}-${hash}.json`);
          writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
        }
        minimised.push({ signature, file, fixture });
      }
    } finally {
      oracle.close();
    }
  }
  return { seed: options.seed, workers, seconds: (Date.now() - started) / 1000, peakWorkerRssMb: Math.round(peakRss / (1024 * 1024)), frontEnds: [...summaries.values()], minimised };
}

/** A message cut to 300 characters (a failure can quote a 400 KB input). */
export function shorten(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
}

/** What makes two failures the same bug: the kind and the first line of the message without numbers or paths. */
export function signatureOf(failure: Failure): string {
  const first = failure.message.split('\n')[0];
  const code = /CACHE\d+/.exec(first)?.[0] ?? '';
  if (failure.kind === 'throw') return `throw ${shorten(first.replace(/\d+/g, '#').replace(/"[^"]*"/g, '"…"').replace(/(.)\1{20,}/g, '$1…'))}`;
  if (failure.kind === 'hang') return 'hang';
  return `${failure.kind} ${code}`;
}

/** A long-lived child that runs one explicit input at a time, with the watchdog's limit. */
export class Oracle {
  private child: Promise<Child> | undefined;
  private current: Child | undefined;
  private nextId = 0;
  private pending: { id: number; settle: (result: { failures: Failure[]; ms: number }) => void } | undefined;

  constructor(
    private readonly frontEnds: readonly FrontEnd[],
    private readonly timeoutMs: number,
  ) {}

  private start(): Promise<Child> {
    this.child ??= new Promise<Child>((resolve, reject) => {
      new Child(
        this.frontEnds,
        (self, message) => {
          if (message.type === 'ready') {
            self.ready = true;
            this.current = self;
            resolve(self);
          } else if (message.type === 'input-result' && this.pending?.id === message.id) {
            this.pending.settle({ failures: message.failures as Failure[], ms: message.ms });
          }
        },
        (self, code, signal) => {
          if (this.current === self || !self.ready) this.child = undefined;
          if (!self.ready) reject(new Error(`the fuzz worker exited (${code ?? signal}) before it was ready`));
          else if (this.current === self) this.pending?.settle({ failures: [{ kind: 'throw', message: `the worker process died (exit code ${code}, signal ${signal})` }], ms: 0 });
        },
      );
    });
    return this.child;
  }

  /** The failures of one input; a hang when it takes longer than the limit. */
  async test(input: FuzzInput): Promise<{ failures: Failure[]; ms: number }> {
    const child = await this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.child = undefined;
        this.current = undefined;
        child.kill();
        this.pending?.settle({ failures: [{ kind: 'hang', message: `no result within ${this.timeoutMs} ms` }], ms: this.timeoutMs });
      }, this.timeoutMs);
      this.pending = {
        id,
        settle: (result) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(result);
        },
      };
      child.send({ type: 'input', id, input });
    });
  }

  close(): void {
    void this.child?.then((child) => child.kill());
    this.child = undefined;
  }
}

/**
 * Shrinks an input while it still fails the same way: drops companions and the editor step, then removes
 * chunks of lines and then of characters (halving the chunk size down to one), within a budget.
 */
export async function minimise(input: FuzzInput, failure: Failure, oracle: Oracle, log: (line: string) => void = () => {}, budgetMs = 120_000): Promise<FuzzInput> {
  const wanted = signatureOf(failure);
  const deadline = Date.now() + budgetMs;
  let tests = 0;
  const fails = async (candidate: FuzzInput): Promise<boolean> => {
    if (Date.now() > deadline) return false;
    tests++;
    const outcome = await oracle.test(candidate);
    return outcome.failures.some((found) => signatureOf(found) === wanted);
  };
  let best = input;
  if (!(await fails(best))) {
    log('  the failure does not reproduce on its own: kept as found');
    return best;
  }
  // The mode first: a single file without the editor step is the simplest to read.
  if (best.mode !== 'single') {
    const single: FuzzInput = { ...best, mode: 'single', companions: [] };
    delete single.before;
    delete single.fixVia;
    if (await fails(single)) best = single;
  }
  for (const companion of [...best.companions]) {
    const fewer = { ...best, companions: best.companions.filter((path) => path !== companion) };
    if (await fails(fewer)) best = fewer;
  }
  // Lines, then characters.
  for (const unit of ['line', 'character'] as const) {
    const split = (text: string): string[] => (unit === 'line' ? text.split(/(?<=\n)/) : [...text]);
    let pieces = split(best.text);
    for (let size = Math.max(1, Math.floor(pieces.length / 2)); size >= 1; size = Math.floor(size / 2)) {
      for (let start = 0; start < pieces.length; ) {
        const candidatePieces = [...pieces.slice(0, start), ...pieces.slice(start + size)];
        const candidate = { ...best, text: candidatePieces.join('') };
        if (candidatePieces.length < pieces.length && (await fails(candidate))) {
          best = candidate;
          pieces = candidatePieces;
        } else start += size;
        if (Date.now() > deadline) break;
      }
      if (size === 1 || Date.now() > deadline) break;
    }
  }
  log(`  minimised to ${best.text.length} characters in ${tests} runs`);
  return best;
}

/** The figures `npm run fuzz` prints. */
export function formatSummary(summary: FuzzSummary): string {
  const rows = summary.frontEnds.map((frontEnd) => {
    const sorted = Float64Array.from(frontEnd.msPerKb).sort();
    const median = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)] : 0;
    const p99 = sorted.length > 0 ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] : 0;
    return [
      frontEnd.frontEnd,
      String(frontEnd.inputs),
      `${((100 * frontEnd.candidates) / Math.max(1, frontEnd.inputs)).toFixed(1)}%`,
      String(frontEnd.failures.length),
      `${frontEnd.slowest.msPerKb.toFixed(2)} (#${frontEnd.slowest.index}: ${frontEnd.slowest.ms.toFixed(0)} ms, ${(frontEnd.slowest.size / 1024).toFixed(1)} KB)`,
      median.toFixed(3),
      p99.toFixed(2),
      `${frontEnd.slowestMs.ms.toFixed(0)} ms (#${frontEnd.slowestMs.index}, ${(frontEnd.slowestMs.size / 1024).toFixed(1)} KB)`,
    ];
  });
  const header = ['front end', 'inputs', 'with a cache call', 'failures', 'slowest ms/KB', 'median ms/KB', 'p99 ms/KB', 'slowest input'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
  lines.push('');
  lines.push(`seed ${summary.seed}, ${summary.workers} worker processes, ${summary.seconds.toFixed(1)} s, peak worker RSS ${summary.peakWorkerRssMb} MB`);
  lines.push('ms/KB: engine time (Workspace.create, update, check, and a re-check after the safe fixes) per KB of the files analysed (1 KB = 1024 UTF-16 code units, floored at 1 KB).');
  for (const frontEnd of summary.frontEnds) {
    for (const failed of frontEnd.failures.slice(0, 20)) lines.push(`FAIL ${failed.frontEnd} #${failed.index} ${failed.failure.kind}: ${failed.failure.message.split('\n').slice(0, 4).map(shorten).join('\n    ')}`);
    if (frontEnd.failures.length > 20) lines.push(`... and ${frontEnd.failures.length - 20} more ${frontEnd.frontEnd} failures`);
  }
  for (const item of summary.minimised) lines.push(item.file ? `kept ${item.signature} as ${item.file}` : `minimised ${item.signature}:\n${shorten(JSON.stringify(item.fixture.input))}`);
  return lines.join('\n');
}
