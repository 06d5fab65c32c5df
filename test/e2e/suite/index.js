// Loaded by the VS Code extension host as extensionTestsPath (what @vscode/test-electron does, and what
// code-server does with the smoke-test-driver payload). Must export run(): Promise<void>.
// Env (set by the runner on code-server, inherited by the extension host):
//   CACHE_COACH_E2E_RESULTS  file to write { passes, failures, tests, failed: [titles] } into
//   CACHE_COACH_E2E_GREP     only the tests whose full title matches this regexp
const path = require('path');
const fs = require('fs');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec' });
  if (process.env.CACHE_COACH_E2E_GREP) mocha.grep(new RegExp(process.env.CACHE_COACH_E2E_GREP));
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, file));
  const resultFile = process.env.CACHE_COACH_E2E_RESULTS;
  return new Promise((resolve, reject) => {
    const failed = [];
    let runner;
    try {
      runner = mocha.run((failures) => {
        const stats = { passes: runner.stats.passes, failures, tests: runner.stats.tests, pending: runner.stats.pending, failed };
        if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(stats));
        console.log(`extension host: ${stats.passes} passed, ${failures} failed`);
        failures ? reject(new Error(`${failures} tests failed.`)) : resolve();
      });
      runner.on('fail', (test, error) => failed.push({ title: test.fullTitle(), error: String(error && error.message || error) }));
    } catch (error) {
      if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ passes: 0, failures: 1, tests: 0, failed: [{ title: 'loading the suites', error: String(error.stack || error) }] }));
      reject(error);
    }
  });
};
