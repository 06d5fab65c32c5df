// The Cache Coach benchmark: `npm run bench [FOLDER]` (builds dist/ first). Prints figures, asserts nothing.
//
// What it measures, for each project (default: the Django source Debian's python3-django installs):
//   scan   `node dist/cli.js check FOLDER --format json`, run exactly as users run it, in a fresh process
//          (cwd = FOLDER's parent, so module paths start with FOLDER's name).
//   floor  test/bench/floor.mjs in a fresh process: list the folder, keep the files the engine's walk keeps
//          (their list comes from phases.mjs, which runs the engine's walkWorkspace), read each, one regex.
//          This is the least work any scanner of these files must do; "scan/floor" is the overhead.
// Both are run the same way: one warm-up each (so the files are in the page cache), then RUNS
// (default 5, env BENCH_RUNS; at most 3 for the 10x corpus) alternating runs; medians are printed,
// with min-max. For every run:
//   wall        spawn to exit, measured here: node start + module load + wasm init + the work + output.
//   in-process  from the first line of user code to exit (child-timing.cjs, preloaded with `node -r`):
//               the same without node's own start.
//   peak RSS    GNU time's %M (maximum resident set size) when /usr/bin/time exists, else the child's
//               process.resourceUsage().maxRSS.
// Then phases.mjs splits one scan into walk / config / read / wasm init / index / candidate regex /
// parse / facts / templates / typescript / rules (the engine from its TypeScript sources via tsx,
// median of 3 runs, 1 for the 10x corpus) and counts the files parsed; for the first project,
// profile.mjs runs one scan under `node --cpu-prof` and prints the top self-time files and functions,
// mapped back to the sources through dist/cli-main.js.map.
//
// Growth: the project is copied 10 times into a temporary folder (copyNN/<name>/..., so every module
// path stays distinct and imports resolve within their own copy; the files the walk keeps are copied,
// the others become empty placeholders, so the folders it lists stay the same) and benchmarked the
// same way; ms per MB of source read is printed for 1x and 10x. If BENCH_SALEOR names a saleor
// checkout, it is benchmarked too. If BENCH_CORPUS names the development corpus (OWNER+NAME trees,
// e.g. /work/corpus), its largest repository (by .py bytes) gets the full figures and every repository
// its scan/floor medians (BENCH_CORPUS_RUNS runs, default 3), summed. BENCH_PARTS (comma-separated:
// django, growth, saleor, corpus, profile, server; default all) runs only some parts.
// Targets printed beside the wall-clock ratio: <= 3x the floor on Django's own source, on saleor and on
// the largest corpus repository; the corpus sum <= 3x the sum of the floors.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { runKeyMapBench } from './key-map.mjs';
import { printProfile, profileScan } from './profile.mjs';
import { runServerBench } from './server-bench.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = join(ROOT, 'test', 'bench');
const CLI = join(ROOT, 'dist', 'cli.js');
const DJANGO = '/usr/lib/python3/dist-packages/django';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The 10x corpus takes ~10x as long per run: fewer runs keep the whole bench within ~3 minutes on 2 cores. */
const CORPUS_RUNS = Math.min(RUNS, 3);
const PHASE_RUNS = 3;
const COPIES = 10;
const GNU_TIME = hasGnuTime() ? '/usr/bin/time' : undefined;
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
const MB = 1024 * 1024;
/** Which parts to run (env BENCH_PARTS, comma-separated; default all): django, growth, saleor, corpus, keymap, profile, server. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'django,growth,saleor,corpus,keymap,profile,server').split(',').map((part) => part.trim()));
/** Runs per repository for the 25-repository sum (env BENCH_CORPUS_RUNS). */
const DEV_CORPUS_RUNS = Number(process.env.BENCH_CORPUS_RUNS ?? 3);

async function main() {
  // `npm run` moves to the package root; INIT_CWD is where the user typed the command.
  const userCwd = process.env.INIT_CWD ?? process.cwd();
  const folder = process.argv[2] ? resolve(userCwd, process.argv[2]) : defaultFolder();
  const scratch = mkdtempSync(join(tmpdir(), 'cache-coach-bench-'));
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const started = performance.now();
  try {
    printHeader();
    const label = process.argv[2] ? folder : `Django's own source, python3-django (${folder})`;
    const lists = (name) => join(scratch, `${name}.files`);
    let base;
    if (PARTS.has('django') || PARTS.has('growth') || PARTS.has('profile')) {
      base = benchProject(label, folder, { target: process.argv[2] ? undefined : 3, listFile: lists('base'), profileDir: PARTS.has('profile') ? join(scratch, 'profile') : undefined });
    }
    if (PARTS.has('growth')) {
      const corpus = makeCorpus(folder, join(scratch, 'corpus'), COPIES, lists('base'));
      const big = benchProject(`${COPIES}x corpus: ${COPIES} copies of ${basename(folder)} (${corpus})`, corpus, { listFile: lists('corpus'), runs: CORPUS_RUNS, phaseRuns: 1 });
      printGrowth(base, big);
    }
    const saleor = process.env.BENCH_SALEOR;
    if (saleor && PARTS.has('saleor')) benchProject(`saleor (BENCH_SALEOR=${saleor})`, resolve(userCwd, saleor), { target: 3, listFile: lists('saleor') });
    else if (PARTS.has('saleor')) console.log('\nsaleor: skipped (set BENCH_SALEOR to a saleor checkout to bench a large application; target <= 3x the floor)');
    const devCorpus = process.env.BENCH_CORPUS;
    if (devCorpus && PARTS.has('corpus')) benchDevCorpus(resolve(userCwd, devCorpus), lists);
    else if (PARTS.has('corpus')) console.log('\ndevelopment corpus: skipped (set BENCH_CORPUS to the folder of OWNER+NAME trees, e.g. /work/corpus; targets: largest repository <= 3x its floor, sum over all <= 3x the sum of floors)');
    if (PARTS.has('keymap')) benchKeyMap(label, folder, saleor && resolve(userCwd, saleor));
    if (base?.profile) printProfile(base.profile, CLI, ROOT);
    if (PARTS.has('server')) await runServerBench();
  } finally {
    cleanup();
  }
  console.log(`\nbenchmark took ${(ms(performance.now() - started) / 1000).toFixed(0)} s; temporary files removed`);
}

/** The key map's cost on the projects above (test/bench/key-map.mjs): buildKeyMap after check, reusing its index. */
function benchKeyMap(label, folder, saleor) {
  runKeyMapBench(label, folder);
  if (saleor) runKeyMapBench(`saleor (${saleor})`, saleor);
}

// --- the project to scan -------------------------------------------------------------------------

function defaultFolder() {
  if (!existsSync(DJANGO)) {
    // The tests need the same package: reuse their installer (apt-get when root, else the command to run).
    const installed = spawnSync(process.execPath, [join(ROOT, 'test', 'scripts', 'ensure-system-deps.mjs')], { stdio: 'inherit' });
    if (installed.status !== 0 || !existsSync(DJANGO)) throw new Error(`${DJANGO} is missing: apt-get install -y python3-django`);
  }
  return DJANGO;
}

/**
 * Copies `source` `copies` times to `target/copyNN/<name>`: the files the walk keeps (`listFile`, paths
 * relative to source's parent) byte for byte, every other file as an empty placeholder.
 */
function makeCorpus(source, target, copies, listFile) {
  const kept = new Set(readFileSync(listFile, 'utf8').split('\n'));
  for (let copy = 0; copy < copies; copy++) copyTree(source, basename(source), join(target, `copy${String(copy).padStart(2, '0')}`, basename(source)), kept);
  return target;
}

function copyTree(source, relativePath, target, kept) {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    if (entry.name === '__pycache__') continue;
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    const path = `${relativePath}/${entry.name}`;
    if (entry.isDirectory()) copyTree(from, path, to, kept);
    else if (kept.has(path)) copyFileSync(from, to);
    else writeFileSync(to, '');
  }
}

// --- the development corpus (BENCH_CORPUS) -------------------------------------------------------

/**
 * Every OWNER+NAME tree under `folder`: the largest by bytes of .py files gets the full figures (phases
 * included); then each repository's scan and floor (one warm-up each, DEV_CORPUS_RUNS alternating runs,
 * medians), and the sum of the medians over all of them against the sum of the floors.
 */
function benchDevCorpus(folder, lists) {
  const repos = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name.includes('+')).map((entry) => entry.name).sort();
  const pythonBytes = new Map(repos.map((repo) => [repo, pythonBytesUnder(join(folder, repo))]));
  const largest = [...repos].sort((a, b) => pythonBytes.get(b) - pythonBytes.get(a))[0];
  if (!largest) return console.log(`\ndevelopment corpus: no OWNER+NAME folders under ${folder}`);
  benchProject(`largest repository of the development corpus: ${largest} (${(pythonBytes.get(largest) / MB).toFixed(1)} MB of .py)`, join(folder, largest), { target: 3, listFile: lists('largest'), phaseRuns: 1 });
  console.log(`\n== development corpus: ${repos.length} repositories under ${folder}, ${DEV_CORPUS_RUNS} runs of scan and floor each after 1 warm-up, medians of wall time`);
  console.log(row('', 'scan', 'floor', 'scan/floor', 'MB read', 'CPU ratio'));
  let scanSum = 0;
  let floorSum = 0;
  let scanInSum = 0;
  let floorInSum = 0;
  let scanCpuSum = 0;
  let floorCpuSum = 0;
  let bytesSum = 0;
  let worst = { ratio: 0, repo: '' };
  for (const repo of repos) {
    const listFile = lists(`corpus-${repo}`);
    runWalk(repo, folder, listFile);
    const scan = () => runChild([CLI, 'check', repo, '--format', 'json'], folder);
    const floor = () => runChild([join(HERE, 'floor.mjs'), repo, listFile], folder);
    scan();
    const bytes = JSON.parse(floor().stdout).bytes;
    const scans = [];
    const floors = [];
    for (let run = 0; run < DEV_CORPUS_RUNS; run++) {
      scans.push(scan());
      floors.push(floor());
    }
    const wall = { scan: median(scans.map((run) => run.wallMs)), floor: median(floors.map((run) => run.wallMs)) };
    scanSum += wall.scan;
    floorSum += wall.floor;
    scanInSum += median(scans.map((run) => run.inProcessMs));
    floorInSum += median(floors.map((run) => run.inProcessMs));
    const cpu = { scan: median(scans.map((run) => run.cpuMs)), floor: median(floors.map((run) => run.cpuMs)) };
    scanCpuSum += cpu.scan;
    floorCpuSum += cpu.floor;
    bytesSum += bytes;
    if (wall.scan / wall.floor > worst.ratio) worst = { ratio: wall.scan / wall.floor, repo };
    console.log(row(repo, `${ms(wall.scan)} ms`, `${ms(wall.floor)} ms`, `${(wall.scan / wall.floor).toFixed(1)}x`, (bytes / MB).toFixed(1), `${(cpu.scan / cpu.floor).toFixed(1)}x`));
  }
  console.log(row(`sum of ${repos.length} (wall)`, `${ms(scanSum)} ms`, `${ms(floorSum)} ms`, `${(scanSum / floorSum).toFixed(1)}x`, (bytesSum / MB).toFixed(1)) + '   target <= 3x');
  console.log(row(`sum of ${repos.length} (in-process)`, `${ms(scanInSum)} ms`, `${ms(floorInSum)} ms`, `${(scanInSum / floorInSum).toFixed(1)}x`));
  console.log(row(`sum of ${repos.length} (CPU)`, `${ms(scanCpuSum)} ms`, `${ms(floorCpuSum)} ms`, `${(scanCpuSum / floorCpuSum).toFixed(1)}x`));
  console.log(`  highest ratio: ${worst.repo} ${worst.ratio.toFixed(1)}x`);
}

/** Bytes of .py files under `folder` (skipping the walk's skipped folder names): how "largest" is judged. */
function pythonBytesUnder(folder) {
  let bytes = 0;
  const visit = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!['.git', 'node_modules', '__pycache__', 'site-packages'].includes(entry.name)) visit(join(directory, entry.name));
      } else if (entry.isFile() && entry.name.endsWith('.py')) bytes += statSync(join(directory, entry.name)).size;
    }
  };
  visit(folder);
  return bytes;
}

// --- measuring -----------------------------------------------------------------------------------

/** Scan, floor and phases of one folder: prints its figures and returns them. */
function benchProject(label, folder, { target, listFile, profileDir, runs = RUNS, phaseRuns: phaseCount = PHASE_RUNS }) {
  const cwd = dirname(folder);
  const name = basename(folder);
  const phaseRuns = Array.from({ length: phaseCount }, (_, run) => runPhases(name, cwd, run === 0 ? listFile : undefined));
  const scan = () => runChild([CLI, 'check', name, '--format', 'json'], cwd);
  const floor = () => runChild([join(HERE, 'floor.mjs'), name, listFile], cwd);
  scan();
  floor();
  const scans = [];
  const floors = [];
  for (let run = 0; run < runs; run++) {
    scans.push(scan());
    floors.push(floor());
  }
  const profile = profileDir ? profileScan(CLI, name, cwd, profileDir) : undefined;
  const result = {
    label,
    runs,
    phaseCount,
    bytes: JSON.parse(floors[0].stdout).bytes,
    floorFiles: JSON.parse(floors[0].stdout).files,
    findings: JSON.parse(scans[0].stdout).length,
    scan: summarize(scans),
    floor: summarize(floors),
    phases: medianOf(phaseRuns.map((run) => run.ms)),
    counts: phaseRuns[0].counts,
    target,
    profile,
  };
  printProject(result);
  return result;
}

/** Runs `node -r child-timing.cjs ARGS` (under GNU time when present) and returns its figures. */
function runChild(args, cwd) {
  const node = [process.execPath, '-r', join(HERE, 'child-timing.cjs'), ...args];
  const command = GNU_TIME ? [GNU_TIME, '-f', 'BENCH_RSS_KB=%M', ...node] : node;
  const start = performance.now();
  const result = spawnSync(command[0], command.slice(1), { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - start;
  if (result.error) throw result.error;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
  const child = JSON.parse(/^BENCH_CHILD (.*)$/m.exec(result.stderr)[1]);
  const gnuRss = /^BENCH_RSS_KB=(\d+)$/m.exec(result.stderr);
  return { wallMs, inProcessMs: child.inProcessMs, cpuMs: child.cpuMs, bootMs: child.bootMs, rssKb: gnuRss ? Number(gnuRss[1]) : child.maxRssKb, stdout: result.stdout };
}

/** The engine's walk only (phases.mjs --walk-only): writes the list of files it keeps to `listFile`, for floor.mjs. */
function runWalk(name, cwd, listFile) {
  const result = spawnSync(process.execPath, ['--import', TSX, join(HERE, 'phases.mjs'), '--walk-only', name, listFile], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`phases.mjs --walk-only failed:\n${result.stderr}`);
}

/** phases.mjs in a fresh process: per-phase ms and file counts (and the walk's file list, to `listFile`). */
function runPhases(name, cwd, listFile) {
  const args = ['--import', TSX, join(HERE, 'phases.mjs'), name, ...(listFile ? [listFile] : [])];
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`phases.mjs failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

function summarize(runs) {
  const figure = (key) => ({ median: median(runs.map((run) => run[key])), min: Math.min(...runs.map((run) => run[key])), max: Math.max(...runs.map((run) => run[key])) });
  return { wall: figure('wallMs'), inProcess: figure('inProcessMs'), cpu: figure('cpuMs'), boot: figure('bootMs'), rssKb: figure('rssKb') };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianOf(records) {
  return Object.fromEntries(Object.keys(records[0]).map((key) => [key, median(records.map((record) => record[key]))]));
}

function hasGnuTime() {
  if (!existsSync('/usr/bin/time')) return false;
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /^\d+\s*$/m.test(probe.stderr);
}

// --- printing ------------------------------------------------------------------------------------

function ms(value) {
  return Math.round(value);
}

function range(figure, unit = 'ms', scale = 1) {
  return `${ms(figure.median / scale)} ${unit} (${ms(figure.min / scale)}-${ms(figure.max / scale)})`;
}

function row(label, ...cells) {
  return `  ${label.padEnd(30)}${cells.map((cell, index) => String(cell).padStart(index < 2 ? 22 : 12)).join('')}`;
}

function printHeader() {
  console.log('Cache Coach benchmark');
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} at start`);
  console.log('scan  = node dist/cli.js check FOLDER --format json, in a fresh process (cwd = FOLDER\'s parent)');
  console.log('floor = test/bench/floor.mjs in a fresh process: list the folder, keep the files the walk keeps, read each as UTF-8, one regex (/cache/) over each');
  console.log('wall  = spawn to exit: node start + module load + wasm init + walk + read + parse + rules + output');
  console.log('in-process = the same minus node\'s own start (first line of user code to exit)');
  console.log('CPU = user + system CPU time of the child (all its threads, node start included); steadier than wall on a loaded machine');
  console.log(`peak RSS = ${GNU_TIME ? 'GNU time %M' : 'process.resourceUsage().maxRSS'} of the child process`);
  console.log('targets (beside the wall ratio): scan <= 3x the floor on Django\'s own source, on saleor and on the largest corpus repository; sum over the corpus <= 3x the sum of floors');
  console.log(`parts run: ${[...PARTS].join(', ')} (BENCH_PARTS)`);
}

function printProject(result) {
  const { scan, floor, phases, counts } = result;
  const mb = result.bytes / MB;
  const ratio = (key) => `${(scan[key].median / floor[key].median).toFixed(1)}x`;
  console.log(`\n== ${result.label}`);
  console.log(`  ${result.runs} runs of scan and floor after 1 warm-up each, medians (min-max)`);
  const others = counts.filesSeen - counts.python - counts.templates;
  console.log(
    `  files seen: ${counts.filesSeen} (${counts.python} .py, ${counts.templates} templates${others ? `, ${others} others` : ''}), ${mb.toFixed(1)} MB; the floor reads ${result.floorFiles}`,
  );
  console.log(
    `  files parsed: ${counts.parsed} (${(counts.parsedBytes / MB).toFixed(2)} MB) = ${counts.candidates} candidates (non-test files the PYTHON_CANDIDATE regex matches, counted here) + ${counts.parsed - counts.candidates} dependencies the rules resolved into (parse calls counted)`,
  );
  console.log(`  templates: ${counts.templateCandidates} match TEMPLATE_CANDIDATE (counted here), ${counts.templatesBuilt} lexed; TypeScript/JavaScript: ${counts.typescriptBuilt} parsed`);
  console.log(`  findings: ${result.findings}`);
  console.log(row('', 'scan', 'floor', 'scan/floor', 'target'));
  console.log(row('wall (with node start)', range(scan.wall), range(floor.wall), ratio('wall'), result.target ? `<= ${result.target}x` : ''));
  console.log(row('in-process (no node start)', range(scan.inProcess), range(floor.inProcess), ratio('inProcess')));
  console.log(row('CPU (user+sys, all threads)', range(scan.cpu), range(floor.cpu), ratio('cpu')));
  console.log(row('node start (before user code)', `${ms(scan.boot.median)} ms`, `${ms(floor.boot.median)} ms`));
  console.log(row('wall ms per MB read', (scan.wall.median / mb).toFixed(1), (floor.wall.median / mb).toFixed(1)));
  console.log(row('in-process ms per MB read', (scan.inProcess.median / mb).toFixed(1), (floor.inProcess.median / mb).toFixed(1)));
  console.log(row('peak RSS', range(scan.rssKb, 'MB', 1024), range(floor.rssKb, 'MB', 1024)));
  const order = ['walk', 'config', 'read', 'wasm', 'index', 'candidateRegex', 'parse', 'facts', 'templates', 'typescript', 'rules'];
  const names = { wasm: 'wasm init', candidateRegex: 'candidate regex' };
  console.log(`  phases (engine from its TS sources via tsx, ${result.phaseCount > 1 ? `median of ${result.phaseCount} fresh processes` : 'one fresh process'}; no module load, no output):`);
  console.log(`    ${order.map((key) => `${names[key] ?? key} ${ms(phases[key])}`).join(' | ')} = ${ms(phases.total)} ms`);
}

function printGrowth(base, big) {
  const perMb = (result, key) => result[key].wall.median / (result.bytes / MB);
  const perMbIn = (result, key) => result[key].inProcess.median / (result.bytes / MB);
  console.log(`\n== growth, 1x -> ${COPIES}x (${(base.bytes / MB).toFixed(1)} MB -> ${(big.bytes / MB).toFixed(1)} MB read)`);
  console.log(row('', '1x', `${COPIES}x`, `${COPIES}x/1x`));
  const line = (label, a, b, timeA, timeB) => console.log(row(label, a.toFixed(1), b.toFixed(1), `${(timeB / timeA).toFixed(1)}x`));
  line('scan wall ms per MB', perMb(base, 'scan'), perMb(big, 'scan'), base.scan.wall.median, big.scan.wall.median);
  line('scan in-process ms per MB', perMbIn(base, 'scan'), perMbIn(big, 'scan'), base.scan.inProcess.median, big.scan.inProcess.median);
  line('floor wall ms per MB', perMb(base, 'floor'), perMb(big, 'floor'), base.floor.wall.median, big.floor.wall.median);
  line('floor in-process ms per MB', perMbIn(base, 'floor'), perMbIn(big, 'floor'), base.floor.inProcess.median, big.floor.inProcess.median);
  line('scan peak RSS MB', base.scan.rssKb.median / 1024, big.scan.rssKb.median / 1024, base.scan.rssKb.median, big.scan.rssKb.median);
}

await main();
