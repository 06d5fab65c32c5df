/**
 * `npm run fuzz`: node --import tsx test/fuzz/run.ts [--count N] [--seed S] [--front-end NAME[,NAME]]
 *   [--workers N] [--timeout-ms MS] [--no-save] [--replay FRONT_END:INDEX] [--minimise FILE.json]
 *
 * Runs N inputs (default 100,000) per front end, prints per front end the inputs, the share that hold a cache
 * call, failures and ms/KB figures, minimises failures into test/fixtures/fuzz-regressions/ and exits 1 on
 * any failure. `--replay python:216` prints one generated input and its outcome; `--minimise input.json`
 * (a FuzzInput, or a regression fixture) minimises an input found some other way and keeps it as a fixture.
 */
import { availableParallelism } from 'node:os';
import { FRONT_ENDS, frontEndByName } from './front-ends.js';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateInput, materialise, runInput, type FuzzInput } from './harness.js';
import { formatSummary, minimise, Oracle, REGRESSIONS, runFuzz, shorten, type RegressionFixture } from './runner.js';

function argument(args: string[], name: string): string | undefined {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return undefined;
  const arg = args[index];
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1];
}

async function main(args: string[]): Promise<number> {
  const count = Number(argument(args, '--count') ?? 100_000);
  const seed = argument(args, '--seed') ?? '1';
  const frontEnds = argument(args, '--front-end')?.split(',').map(frontEndByName) ?? FRONT_ENDS;
  const workers = Number(argument(args, '--workers') ?? availableParallelism());
  const timeoutMs = Number(argument(args, '--timeout-ms') ?? 30_000);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(workers) || workers < 1 || !(timeoutMs > 0)) {
    process.stderr.write('usage: run.ts [--count N] [--seed S] [--front-end python,template,typescript] [--workers N] [--timeout-ms MS] [--no-save] [--replay FRONT_END:INDEX]\n');
    return 2;
  }
  const replay = argument(args, '--replay');
  if (replay) {
    const [name, index] = replay.split(':');
    const input = generateInput(frontEndByName(name), seed, Number(index));
    const outcome = await runInput(input);
    process.stdout.write(`${JSON.stringify({ input, outcome }, null, 2)}\n`);
    return outcome.failures.length > 0 ? 1 : 0;
  }
  const toMinimise = argument(args, '--minimise');
  if (toMinimise) {
    const read = JSON.parse(readFileSync(toMinimise, 'utf8')) as FuzzInput | RegressionFixture;
    const input = materialise('input' in read ? read.input : read);
    const outcome = await runInput(input);
    if (outcome.failures.length === 0) {
      process.stdout.write('the input does not fail: nothing to minimise\n');
      return 0;
    }
    const oracle = new Oracle([frontEndByName(input.frontEnd)], timeoutMs);
    try {
      const log = (line: string): void => void process.stdout.write(`${line}\n`);
      const small = await minimise(input, outcome.failures[0], oracle, log);
      const failure = shorten(outcome.failures[0].message.split('\n')[0]);
      const fixture: RegressionFixture = { description: `Minimised by npm run fuzz -- --minimise: ${failure}`, failure, found: toMinimise, input: small };
      mkdirSync(REGRESSIONS, { recursive: true });
      const file = join(REGRESSIONS, `${input.frontEnd}-${outcome.failures[0].kind}-${createHash('sha1').update(JSON.stringify(small)).digest('hex').slice(0, 10)}.json`);
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      process.stdout.write(`kept as ${file}\n`);
    } finally {
      oracle.close();
    }
    return 1;
  }
  process.stdout.write(`Fuzzing ${frontEnds.map((frontEnd) => frontEnd.name).join(', ')}: ${count} inputs each, seed ${seed}, ${workers} workers, ${timeoutMs} ms per input before it counts as a hang\n`);
  const summary = await runFuzz({ count, seed, frontEnds, workers, timeoutMs, save: !args.includes('--no-save'), log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`\n${formatSummary(summary)}\n`);
  const failed = summary.frontEnds.reduce((sum, frontEnd) => sum + frontEnd.failures.length, 0);
  process.stdout.write(failed > 0 ? `\n${failed} failing inputs.\n` : '\nNo failures.\n');
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
