/// <reference types="mocha" />
/**
 * The extensionTestsPath module of the web tests: runs inside VS Code's web worker extension host (the browser),
 * loaded by @vscode/test-web. Bundled by test/web/run.mjs with esbuild (platform browser, `vscode` external),
 * since that host loads one CommonJS file and has no Node `require`. Must export run(): Promise<void>.
 * Reports each test and, last, one `[cache-coach-web] {json}` line that run.mjs reads from the console.
 */
import 'mocha/mocha.js';

declare const console: { log(...args: unknown[]): void };

interface RunnerLike {
  on(event: 'pass', listener: (test: Mocha.Test) => void): void;
  on(event: 'fail', listener: (test: Mocha.Test, error: unknown) => void): void;
  on(event: 'end', listener: () => void): void;
}

/** A reporter that needs no DOM and no process.stdout: one console line per test. */
function ConsoleReporter(this: unknown, runner: RunnerLike): void {
  runner.on('pass', (test) => console.log(`  ✓ ${test.fullTitle()} (${test.duration ?? 0} ms)`));
  runner.on('fail', (test, error) => console.log(`  ✗ ${test.fullTitle()}\n      ${error instanceof Error ? error.message : String(error)}`));
}

export function run(): Promise<void> {
  return new Promise((resolve, reject) => {
    mocha.setup({ ui: 'bdd', reporter: ConsoleReporter as unknown as Mocha.ReporterConstructor, timeout: 120_000, color: false });
    // After setup: the suite calls describe()/it() when it loads.
    require('./web-suite');
    const failed: { title: string; error: string }[] = [];
    const runner = mocha.run((failures) => {
      const stats = { passes: runner.stats?.passes ?? 0, failures, tests: runner.stats?.tests ?? 0, failed };
      console.log(`[cache-coach-web] ${JSON.stringify(stats)}`);
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
    runner.on('fail', (test, error) => failed.push({ title: test.fullTitle(), error: String((error as Error | undefined)?.message ?? error) }));
  });
}
