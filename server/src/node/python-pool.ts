/**
 * Parsing and fact extraction on two cores: a worker thread (node/python-worker.ts, its own wasm instance)
 * turns the candidate modules of a whole-project scan into facts while the main thread goes on reading and
 * matching files; once the main thread is done reading, it takes jobs from the other end of the queue, so
 * the two meet in the middle. Used by the CLI's check (and open to the language server's workspace scan); a
 * scan with few candidate bytes stays in one thread (starting the worker costs more than it saves).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PyModuleFacts } from '../analysis/python/facts.js';
import type { PythonProject } from '../analysis/python/project.js';

export interface FactsJob {
  id: number;
  /** The job's slot in the claims array: whoever sets it first (worker or main thread) does the job. */
  slot: number;
  text: string;
}

export type FactsAnswer = { id: number } & ({ facts: PyModuleFacts } | { unparsed: string } | { error: string } | { claimed: true });

/** Candidate text (UTF-16 code units) from which the worker is started: below it, one thread is faster. */
export const POOL_MIN_CHARS = 512 * 1024;
/** Worker threads beside the main thread; each costs a V8 isolate and a wasm heap (about 15 MB). */
const MAX_WORKERS = 1;

interface PoolWorker {
  worker: Worker;
  /** Characters sent and not answered yet: the next job goes to the least loaded worker. */
  load: number;
  failed: string | undefined;
}

export class PythonFactsPool {
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, { worker: PoolWorker; size: number; settle: (answer: FactsAnswer) => void }>();
  private readonly claims: Int32Array;
  private nextId = 0;

  private constructor(file: string, size: number, slots: number) {
    this.claims = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, slots)));
    for (let i = 0; i < size; i++) {
      const entry: PoolWorker = { worker: new Worker(file, { workerData: { claims: this.claims } }), load: 0, failed: undefined };
      entry.worker.on('message', (answer: FactsAnswer) => this.settle(answer));
      // A worker that throws outside a job, or dies, answers each of its jobs with the reason: nothing waits forever.
      entry.worker.on('error', (error) => this.fail(entry, `worker thread failed: ${error instanceof Error ? error.message : String(error)}`));
      entry.worker.on('messageerror', (error) => this.fail(entry, `worker thread sent an unreadable message: ${error.message}`));
      entry.worker.on('exit', (code) => this.fail(entry, `worker thread exited (code ${code})`));
      this.workers.push(entry);
    }
  }

  /**
   * A pool for at most `slots` jobs, its worker beside the bundle (dist/python-worker.js); undefined when
   * there is no such file (running from sources) or a single core.
   */
  static create(slots: number, size = Math.min(MAX_WORKERS, availableParallelism() - 1)): PythonFactsPool | undefined {
    const file = join(__dirname, 'python-worker.js');
    if (size < 1 || !existsSync(file)) return undefined;
    return new PythonFactsPool(file, size, slots);
  }

  /** The facts of `text` (or why there are none, or that the main thread claimed the job first). Never rejects. */
  extract(slot: number, text: string): Promise<FactsAnswer> {
    const id = this.nextId++;
    const live = this.workers.filter((entry) => entry.failed === undefined);
    if (live.length === 0) return Promise.resolve({ id, error: this.workers[0]?.failed ?? 'no worker thread' });
    const target = live.reduce((least, entry) => (entry.load < least.load ? entry : least));
    target.load += text.length;
    return new Promise((settle) => {
      this.pending.set(id, { worker: target, size: text.length, settle });
      target.worker.postMessage({ id, slot, text } satisfies FactsJob);
    });
  }

  /** Takes job `slot` for the main thread, unless a worker has started it. */
  claim(slot: number): boolean {
    return Atomics.compareExchange(this.claims, slot, 0, 2) === 0;
  }

  async close(): Promise<void> {
    for (const entry of this.workers) entry.failed ??= 'pool closed';
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
  }

  private settle(answer: FactsAnswer): void {
    const job = this.pending.get(answer.id);
    if (!job) return;
    this.pending.delete(answer.id);
    job.worker.load -= job.size;
    job.settle(answer);
  }

  private fail(entry: PoolWorker, reason: string): void {
    entry.failed ??= reason;
    for (const [id, job] of this.pending) if (job.worker === entry) this.settle({ id, error: entry.failed });
  }
}

interface Job {
  path: string;
  revision: number;
  text: string;
  answer?: Promise<FactsAnswer>;
  /** Done by the main thread. */
  here?: { facts: PyModuleFacts } | { unparsed: string };
}

/**
 * Reads every module of `project` through its candidate filter and, once the candidates hold POOL_MIN_CHARS,
 * has the pool extract their facts, the main thread taking the last jobs once it has read every file; the
 * project adopts the facts (in path order, as it would have read them), so its check parses only the modules
 * rules resolve into. A job a worker fails is left to the project (it parses that module itself, as without a
 * pool), and `log` says why. Returns the number of modules whose facts were extracted here.
 */
export async function extractCandidateFacts(project: PythonProject, log: (message: string) => void, createPool = PythonFactsPool.create): Promise<number> {
  const paths = project.allPaths();
  let pool: PythonFactsPool | undefined;
  const jobs: Job[] = [];
  let chars = 0;
  const submit = (slot: number): void => {
    jobs[slot].answer = pool!.extract(slot, jobs[slot].text);
  };
  try {
    for (const path of paths) {
      if (!project.isCandidate(path)) continue;
      const revision = project.revisionOf(path);
      const text = project.textOf(path);
      if (text === undefined) continue;
      jobs.push({ path, revision, text });
      if (pool) {
        submit(jobs.length - 1);
        continue;
      }
      chars += text.length;
      if (chars < POOL_MIN_CHARS) continue;
      pool = createPool(paths.length);
      if (!pool) return 0;
      for (let slot = 0; slot < jobs.length; slot++) submit(slot);
    }
    if (!pool) return 0;
    for (let slot = jobs.length - 1; slot >= 0; slot--) {
      if (!pool.claim(slot)) break;
      jobs[slot].here = project.extractFacts(jobs[slot].text);
    }
    let adopted = 0;
    let reported = false;
    for (const job of jobs) {
      const answer = job.here ?? (await job.answer!);
      if ('facts' in answer) project.adoptFacts(job.path, job.revision, job.text, answer.facts);
      else if ('unparsed' in answer) project.adoptUnparsed(job.path, job.revision, answer.unparsed);
      else {
        if ('error' in answer && !reported) {
          reported = true;
          log(`the Python worker thread failed (${answer.error.split('\n')[0]}); the modules it did not finish are analysed in the main thread`);
        }
        continue;
      }
      adopted++;
    }
    return adopted;
  } finally {
    await pool?.close();
  }
}
