/**
 * A worker thread of the Python facts pool (node/python-pool.ts): its own tree-sitter wasm instance parses
 * each text it is sent and answers with the module's facts (plain data), so the tree never leaves it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { extractModuleFacts } from '../analysis/python/facts.js';
import { ParseLimitError, PythonParser } from '../analysis/python/parser.js';
import type { FactsJob, FactsAnswer } from './python-pool.js';
import { loadPythonWasm } from './wasm.js';

const port = parentPort;
if (!port) throw new Error('python-worker.js runs as a worker thread of cache-coach');
const ready = PythonParser.create(loadPythonWasm());
/** Shared with the main thread: a job's slot is set by whoever starts it first (1 here, 2 there). */
const claims = (workerData as { claims: Int32Array }).claims;

port.on('message', (job: FactsJob) => {
  void ready.then(
    (parser) => port.postMessage(extract(parser, job)),
    (error: unknown) => port.postMessage({ id: job.id, error: `the Python parser did not start: ${describe(error)}` } satisfies FactsAnswer),
  );
});

function extract(parser: PythonParser, job: FactsJob): FactsAnswer {
  if (Atomics.compareExchange(claims, job.slot, 0, 1) !== 0) return { id: job.id, claimed: true };
  let tree;
  try {
    tree = parser.parse(job.text);
  } catch (error) {
    if (error instanceof ParseLimitError) return { id: job.id, unparsed: error.message };
    return { id: job.id, error: describe(error) };
  }
  try {
    return { id: job.id, facts: extractModuleFacts(tree, job.text) };
  } catch (error) {
    return { id: job.id, error: describe(error) };
  } finally {
    tree.delete();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
