// Preloaded with `node -r` into every benchmarked child process (the CLI and the floor alike).
// At exit it writes one line to stderr: how long node took to boot before this file ran, how long the
// process ran after it (module loading + the work itself), and the process's peak resident set size and
// its CPU time (user + system, all threads; on a loaded machine it varies far less than wall time).
const { performance } = require('node:perf_hooks');

const bootMs = performance.now();

process.on('exit', () => {
  const inProcessMs = performance.now() - bootMs;
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stderr.write(`\nBENCH_CHILD ${JSON.stringify({ bootMs, inProcessMs, cpuMs, maxRssKb: usage.maxRSS })}\n`);
});
