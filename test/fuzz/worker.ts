/**
 * A fuzz worker (a child process of run.ts): generates and runs inputs, one message per input, so the
 * parent can tell which input hangs and kill the process.
 */
import { corpusOf, frontEndByName } from './front-ends.js';
import { generateInput, runInput, type FuzzInput } from './harness.js';

export type WorkerRequest =
  | { type: 'chunk'; frontEnd: string; seed: string; start: number; end: number }
  | { type: 'input'; id: number; input: FuzzInput }
  | { type: 'exit' };

/** [index, ms, size, candidate (0/1), failures or 0] */
export type ResultTuple = [number, number, number, number, { kind: string; message: string }[] | 0];

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; frontEnd: string; result: ResultTuple }
  | { type: 'chunk-done'; rss: number }
  | { type: 'input-result'; id: number; ms: number; failures: { kind: string; message: string }[] };

const send = (message: WorkerMessage): void => {
  process.send!(message);
};

async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === 'exit') process.exit(0);
  if (request.type === 'input') {
    const outcome = await runInput(request.input);
    send({ type: 'input-result', id: request.id, ms: outcome.ms, failures: outcome.failures });
    return;
  }
  const frontEnd = frontEndByName(request.frontEnd);
  for (let index = request.start; index < request.end; index++) {
    let outcome;
    try {
      outcome = await runInput(generateInput(frontEnd, request.seed, index));
    } catch (error) {
      // Generation itself failed: a harness bug, reported like an engine failure so it is seen.
      outcome = { ms: 0, size: 0, candidate: false, failures: [{ kind: 'throw', message: `harness: ${error instanceof Error ? error.stack : String(error)}` }] };
    }
    send({ type: 'result', frontEnd: request.frontEnd, result: [index, outcome.ms, outcome.size, outcome.candidate ? 1 : 0, outcome.failures.length > 0 ? outcome.failures : 0] });
    // Let the IPC channel drain now and then (runInput only awaits settled promises).
    if (index % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  send({ type: 'chunk-done', rss: process.memoryUsage().rss });
}

if (process.send) {
  const queue: WorkerRequest[] = [];
  let busy = false;
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) await handle(queue.shift()!);
    busy = false;
  };
  process.on('message', (request: WorkerRequest) => {
    queue.push(request);
    void pump();
  });
  process.on('disconnect', () => process.exit(0));
  // Load the corpus, the parser and (for TS/JS) the typescript module before timing anything: a few untimed inputs each.
  void (async () => {
    for (const name of (process.env.CACHE_COACH_FUZZ_FRONT_ENDS ?? '').split(',').filter(Boolean)) {
      const frontEnd = frontEndByName(name);
      corpusOf(frontEnd);
      for (let index = 0; index < 10; index++) await runInput(generateInput(frontEnd, 'warm-up', index));
    }
    send({ type: 'ready' });
  })();
}
