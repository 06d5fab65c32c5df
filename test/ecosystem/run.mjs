// The ecosystem check (Ruff's habit): run the built CLI over real projects, print the findings per
// repository and rule, the difference from the committed snapshot, and precision/recall against the
// hand-written labels. A benchmark run by hand, not part of `npm test`.
//
//   npm run ecosystem -- CORPUS_DIR [--corpus django|ts] [--only NAME] [--update] [--verbose] [--show CODE]
//                        [--labels FILE]... [--jobs N] [--extra]
//
// CORPUS_DIR holds the trees laid out by test/ecosystem/layout.mjs (OWNER+NAME folders).
//   test/ecosystem/findings.jsonl  the snapshot: {repo, commit, path, line, code} per finding
//   test/ecosystem/labels.jsonl    labels: {repo, commit, path, line, code|kind, verdict, reason}
// --update rewrites the snapshot's lines for the repositories that ran (after the diff was read).
// --extra runs the extra corpus instead (corpus-extra.json, with its own findings-extra.jsonl and
// labels-extra.jsonl): projects swept once for false positives, not the ones the rules were tuned on.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = dirname(new URL(import.meta.url).pathname);
const root = resolve(here, '../..');
const cli = join(root, 'dist/cli.js');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    corpus: { type: 'string', default: 'django' },
    only: { type: 'string', multiple: true },
    update: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    show: { type: 'string', multiple: true },
    jobs: { type: 'string', default: '2' },
    labels: { type: 'string', multiple: true },
    extra: { type: 'boolean', default: false },
  },
});
const suffix = values.extra ? '-extra' : '';
const snapshotPath = join(here, `findings${suffix}.jsonl`);
const labelsPath = join(here, `labels${suffix}.jsonl`);
const corpus = JSON.parse(readFileSync(join(here, `corpus${suffix}.json`), 'utf8'));
const corpusDir = positionals[0];
if (!corpusDir) {
  console.error('usage: npm run ecosystem -- CORPUS_DIR [--corpus django|ts] [--only NAME] [--update] [--verbose] [--show CODE] [--extra]');
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error(`${cli} is missing: run \`npm run build\` first`);
  process.exit(2);
}

const readJsonl = (path) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line.trim()).map((line, index) => {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${path}:${index + 1}: not JSON`);
  }
}) : []);

const entries = (corpus[values.corpus] ?? []).filter((entry) => !values.only || values.only.some((name) => entry.repo.includes(name)));
const siteKey = (item) => `${item.repo}\t${item.path}\t${item.line}`;
const findingKey = (item) => `${siteKey(item)}\t${item.code}`;

function runCli(treeDir) {
  return new Promise((resolvePromise) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'check', '.', '--format', 'json'], { cwd: treeDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('close', (status) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const stdout = Buffer.concat(out).toString('utf8');
      let findings = null;
      try {
        findings = JSON.parse(stdout);
      } catch {
        findings = null;
      }
      resolvePromise({ status, ms, findings, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

async function runAll() {
  const results = new Map();
  const queue = [...entries];
  const jobs = Math.max(1, Number(values.jobs) || 1);
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const treeDir = join(corpusDir, entry.repo.replace('/', '+'));
      const marker = join(treeDir, '.ecosystem-commit');
      if (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== entry.commit) {
        results.set(entry.repo, { error: `not laid out at ${entry.commit.slice(0, 10)} (run test/ecosystem/layout.mjs)` });
        continue;
      }
      const run = await runCli(treeDir);
      if (run.findings === null || (run.status !== 0 && run.status !== 1)) {
        results.set(entry.repo, { error: `exit ${run.status}: ${run.stderr.split('\n').slice(0, 5).join(' | ')}`, ms: run.ms });
        continue;
      }
      results.set(entry.repo, { ms: run.ms, findings: run.findings.map((f) => ({ repo: entry.repo, commit: entry.commit, path: f.path, line: f.line, code: f.code, severity: f.severity, message: f.message })), notes: run.stderr });
    }
  }));
  return results;
}

const started = Date.now();
const results = await runAll();
const wall = Date.now() - started;
// Extra label files (--labels FILE, repeatable) are read beside labels.jsonl, e.g. while a labelling
// pass is under way; the first label for a site wins.
const labels = [labelsPath, ...(values.labels ?? [])].flatMap((path) => readJsonl(path));
const snapshot = readJsonl(snapshotPath);
const ran = new Set([...results].filter(([, r]) => !r.error).map(([repo]) => repo));

// Per repository and rule.
const current = [];
let cliMs = 0;
console.log(`# Ecosystem check: ${entries.length} repositories (${values.corpus})\n`);
for (const { repo } of entries) {
  const result = results.get(repo);
  if (result.error) {
    console.log(`${repo}: ERROR ${result.error}`);
    continue;
  }
  cliMs += result.ms;
  current.push(...result.findings);
  const perRule = new Map();
  for (const finding of result.findings) perRule.set(finding.code, (perRule.get(finding.code) ?? 0) + 1);
  const summary = [...perRule].sort().map(([code, count]) => `${code}×${count}`).join(' ');
  console.log(`${repo}: ${result.findings.length} findings in ${(result.ms / 1000).toFixed(2)} s${summary ? `  ${summary}` : ''}`);
  if (values.verbose) for (const finding of result.findings) console.log(`    ${finding.path}:${finding.line} ${finding.code} ${finding.message}`);
}

// Difference from the snapshot, for the repositories that ran.
const before = new Set(snapshot.filter((item) => ran.has(item.repo)).map(findingKey));
const after = new Set(current.map(findingKey));
const appeared = current.filter((item) => !before.has(findingKey(item)));
const disappeared = snapshot.filter((item) => ran.has(item.repo) && !after.has(findingKey(item)));
console.log(`\n## Against the snapshot (${snapshotPath.slice(root.length + 1)})`);
console.log(`appeared: ${appeared.length}, disappeared: ${disappeared.length}`);
for (const item of appeared) console.log(`  + ${item.repo} ${item.path}:${item.line} ${item.code} ${item.message}`);
for (const item of disappeared) console.log(`  - ${item.repo} ${item.path}:${item.line} ${item.code}`);

// Judged against the labels. A label with a code judges that code's finding at its line; a label
// with only a kind (a site, such as a cache_page use) judges every finding at its line.
const seenLabels = new Set();
const labelsHere = labels.filter((label) => {
  const key = label.code ? findingKey(label) : siteKey(label);
  if (!ran.has(label.repo) || seenLabels.has(key)) return false;
  seenLabels.add(key);
  return true;
});
const byFinding = new Map();
const bySite = new Map();
for (const label of labelsHere) {
  if (label.code) {
    if (!byFinding.has(findingKey(label))) byFinding.set(findingKey(label), label);
  } else if (!bySite.has(siteKey(label))) bySite.set(siteKey(label), label);
}
const stats = new Map();
const statFor = (code) => {
  if (!stats.has(code)) stats.set(code, { findings: 0, truePositive: 0, falsePositive: 0, unjudged: 0, shouldFlag: 0, found: 0 });
  return stats.get(code);
};
const unjudged = [];
const falsePositives = [];
// Warnings and errors alone: information findings are hints a user reads on demand, not reported bugs.
const reported = { truePositive: 0, falsePositive: 0 };
for (const finding of current) {
  const verdictOf = (label) => (label ? (label.verdict === 'should_flag' && (!label.code || label.code === finding.code) ? 'truePositive' : 'falsePositive') : undefined);
  const judged = verdictOf(byFinding.get(findingKey(finding)) ?? bySite.get(siteKey(finding)));
  if (judged && finding.severity !== 'info') reported[judged]++;
  const stat = statFor(finding.code);
  stat.findings++;
  const label = byFinding.get(findingKey(finding)) ?? bySite.get(siteKey(finding));
  if (!label) {
    stat.unjudged++;
    unjudged.push(finding);
  } else if (label.verdict === 'should_flag' && (!label.code || label.code === finding.code)) stat.truePositive++;
  else {
    stat.falsePositive++;
    falsePositives.push({ finding, label });
  }
}
const missed = [];
for (const label of labelsHere) {
  if (label.verdict !== 'should_flag' || !label.code) continue;
  const stat = statFor(label.code);
  stat.shouldFlag++;
  if (after.has(findingKey(label))) stat.found++;
  else missed.push(label);
}
const total = { findings: 0, truePositive: 0, falsePositive: 0, unjudged: 0, shouldFlag: 0, found: 0 };
console.log('\n## Per rule, against the labels');
console.log('code      findings  true  false  unjudged  should_flag  found');
for (const [code, stat] of [...stats].sort()) {
  for (const key of Object.keys(total)) total[key] += stat[key];
  console.log(`${code.padEnd(9)} ${String(stat.findings).padStart(8)} ${String(stat.truePositive).padStart(5)} ${String(stat.falsePositive).padStart(6)} ${String(stat.unjudged).padStart(9)} ${String(stat.shouldFlag).padStart(12)} ${String(stat.found).padStart(6)}`);
}
const ratio = (a, b) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
console.log(`${'all'.padEnd(9)} ${String(total.findings).padStart(8)} ${String(total.truePositive).padStart(5)} ${String(total.falsePositive).padStart(6)} ${String(total.unjudged).padStart(9)} ${String(total.shouldFlag).padStart(12)} ${String(total.found).padStart(6)}`);
console.log(`\nprecision ${ratio(total.truePositive, total.truePositive + total.falsePositive)} (judged findings), recall ${ratio(total.found, total.shouldFlag)} (${total.found} of ${total.shouldFlag} should_flag labels found); ${labelsHere.length} labels on these repositories`);
console.log(`precision of warnings and errors ${ratio(reported.truePositive, reported.truePositive + reported.falsePositive)} (${reported.truePositive} true, ${reported.falsePositive} false; information findings left out)`);
if (falsePositives.length) {
  console.log('\n## False positives (labelled should_not_flag)');
  for (const { finding, label } of falsePositives) console.log(`  ${finding.repo} ${finding.path}:${finding.line} ${finding.code}: ${label.reason}`);
}
if (missed.length) {
  console.log('\n## Missed (should_flag, no finding)');
  for (const label of missed) console.log(`  ${label.repo} ${label.path}:${label.line} ${label.code}: ${label.reason}`);
}
console.log(`\n## Unjudged findings: ${unjudged.length}`);
for (const item of unjudged) console.log(`  ${item.repo} ${item.path}:${item.line} ${item.code} ${item.message}`);
if (values.show) {
  for (const code of values.show) {
    console.log(`\n## ${code}`);
    for (const item of current.filter((finding) => finding.code === code)) console.log(`  ${item.repo} ${item.path}:${item.line} ${item.message}`);
  }
}
console.log(`\nwall ${(wall / 1000).toFixed(1)} s for the whole run (${values.jobs} at a time); CLI time summed over repositories ${(cliMs / 1000).toFixed(1)} s`);

if (values.update) {
  const kept = snapshot.filter((item) => !ran.has(item.repo));
  const lines = [...kept, ...current.map(({ repo, commit, path, line, code }) => ({ repo, commit, path, line, code }))]
    .sort((a, b) => a.repo.localeCompare(b.repo) || a.path.localeCompare(b.path) || a.line - b.line || a.code.localeCompare(b.code))
    .map((item) => JSON.stringify(item));
  writeFileSync(snapshotPath, lines.join('\n') + (lines.length ? '\n' : ''));
  console.log(`snapshot updated: ${lines.length} findings`);
}
