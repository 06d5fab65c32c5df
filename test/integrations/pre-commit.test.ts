/**
 * The pre-commit hooks in .pre-commit-hooks.yaml, run by Debian's real `pre-commit` the way its users
 * run them: `pre-commit try-repo` first, then a .pre-commit-config.yaml and `git commit`.
 *
 * The hook repository is a temporary git repository holding this working tree as it would be committed
 * (tracked files plus new, not ignored ones; no dist/, no node_modules/), so pre-commit's own install
 * (`npm install` in the clone, `npm pack`, `npm install -g` of the tarball into its node env) has to
 * build the bundles itself, as it does for users. That takes about a minute per fresh environment.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, copySampleFiles, describeRun, ensureDebianCommand, findExecutable, run, temporaryFolder, type Run } from './helpers';

const HOOK_ID = 'cache-coach';
const INSTALL_TIMEOUT = 15 * 60_000;

const work = temporaryFolder('pre-commit');
const hookRepo = join(work.dir, 'hook-repo');
const project = join(work.dir, 'project');
const emptyGitConfig = join(work.dir, 'gitconfig');
let skipReason: string | undefined;
let hookRev = '';

// Reproducible git, whatever the machine's global configuration (hooksPath, signing, default branch).
const env: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: emptyGitConfig,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Cache Coach Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Cache Coach Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  // pre-commit's env is ours; `pre-commit run` below keeps its store here and reuses the node env.
  PRE_COMMIT_HOME: join(work.dir, 'pre-commit-home'),
  PRE_COMMIT_COLOR: 'never',
  // The npm that pre-commit runs: use the local cache when it can, skip the audit and funding calls.
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

function git(cwd: string, ...args: string[]): Run {
  const result = run('git', args, { cwd, env });
  assert.equal(result.status, 0, describeRun(`git ${args.join(' ')}`, result));
  return result;
}

function preCommit(cwd: string, args: string[]): Run {
  return run('pre-commit', args, { cwd, env, timeout: INSTALL_TIMEOUT });
}

/** The files a clone of the working tree would have: tracked ones and new ones git does not ignore. */
function workingTreeFiles(): string[] {
  const listed = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, env });
  if (listed.status === 0) return listed.stdout.split('\0').filter((path) => path && existsSync(join(ROOT, path)));
  // Not a git checkout (an unpacked archive): everything but what .gitignore leaves out.
  const skipped = new Set(['.git', 'node_modules', 'dist', 'out', '.cache', 'test-artifacts', '.vscode-test', '.vscode-test-web']);
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(ROOT, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) walk(path);
      } else if (entry.isFile() && !entry.name.endsWith('.vsix')) files.push(path);
    }
  };
  walk('');
  return files;
}

before(() => {
  for (const [command, debianPackage] of [
    ['git', 'git'],
    ['pre-commit', 'pre-commit'],
  ]) {
    const availability = ensureDebianCommand(command, debianPackage);
    if (!availability.ok) {
      skipReason = availability.reason;
      return;
    }
    if (availability.note) console.log(availability.note);
  }
  if (!findExecutable('npm')) {
    skipReason = 'npm is not on PATH: pre-commit installs node hooks with it';
    return;
  }
  writeFileSync(emptyGitConfig, '');

  for (const path of workingTreeFiles()) {
    mkdirSync(dirname(join(hookRepo, path)), { recursive: true });
    cpSync(join(ROOT, path), join(hookRepo, path));
  }
  assert.ok(existsSync(join(hookRepo, '.pre-commit-hooks.yaml')), '.pre-commit-hooks.yaml is missing from the repository');
  git(hookRepo, 'init', '-q', '-b', 'main');
  git(hookRepo, 'add', '-A');
  git(hookRepo, 'commit', '-q', '--no-verify', '-m', 'Cache Coach as pre-commit sees it');
  hookRev = git(hookRepo, 'rev-parse', 'HEAD').stdout.trim();

  // A Django project with a view that CACHE004 flags and a template that CACHE106 flags.
  copySampleFiles(project, ['pyproject.toml', 'catalog/__init__.py', 'catalog/views.py', 'catalog/templates/catalog/home.html']);
  writeFileSync(join(project, 'README.md'), '# bookshop\n');
  git(project, 'init', '-q', '-b', 'main');
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'bookshop');
});

after(() => work.dispose());

test('the repository builds itself when pre-commit packs it, and npm pack prints only the tarball name', () => {
  // pre-commit (every version so far) runs `npm install` and then `npm pack` in its clone, and takes
  // the whole stdout of `npm pack` as the tarball's file name. dist/ is not committed, so packing must
  // build it (prepack), and the build's output must stay off stdout: npm pack runs scripts in the
  // foreground unless foreground-scripts is set, so .npmrc sets it to false.
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const build = packageJson.scripts?.prepack ?? packageJson.scripts?.prepare ?? '';
  assert.match(build, /\bbuild\b|esbuild/, 'package.json needs "prepack": "npm run build" so `npm pack` from a clean checkout has dist/');
  const npmrc = existsSync(join(ROOT, '.npmrc')) ? readFileSync(join(ROOT, '.npmrc'), 'utf8') : '';
  assert.match(npmrc, /^foreground-scripts\s*=\s*false\s*$/m, '.npmrc needs foreground-scripts=false, or pre-commit reads the build output as the tarball name');
});

test('pre-commit try-repo: the hook fails on files with findings and prints them', { timeout: INSTALL_TIMEOUT }, (t) => {
  if (skipReason) return t.skip(skipReason);
  const result = preCommit(project, ['try-repo', hookRepo, HOOK_ID, '--files', 'catalog/views.py', 'catalog/templates/catalog/home.html', 'README.md']);
  const output = result.stdout + result.stderr;
  t.diagnostic(`pre-commit try-repo (environment install included) took ${result.ms} ms`);
  assert.equal(result.status, 1, describeRun('pre-commit try-repo', result));
  assert.match(output, /Cache Coach\.+Failed/, describeRun('pre-commit try-repo', result));
  assert.match(output, /- hook id: cache-coach\n- exit code: 1/);
  assert.match(output, /^catalog\/views\.py:24:\d+: CACHE004 /m, output);
  assert.match(output, /^catalog\/templates\/catalog\/home\.html:22:\d+: CACHE106 /m, output);
  assert.doesNotMatch(output, /README\.md:/, 'README.md is not a file the hook reads');
});

test('.pre-commit-config.yaml + git commit: a clean commit passes, one with a finding is refused', { timeout: INSTALL_TIMEOUT }, (t) => {
  if (skipReason) return t.skip(skipReason);
  writeFileSync(
    join(project, '.pre-commit-config.yaml'),
    `repos:\n  - repo: ${hookRepo}\n    rev: ${hookRev}\n    hooks:\n      - id: cache-coach\n      - id: cache-coach-project\n        stages: [manual]\n`,
  );
  git(project, 'add', '.pre-commit-config.yaml');
  git(project, 'commit', '-q', '--no-verify', '-m', 'pre-commit configuration');
  const install = preCommit(project, ['install']);
  assert.equal(install.status, 0, describeRun('pre-commit install', install));
  const installEnvironments = preCommit(project, ['install-hooks']);
  t.diagnostic(`pre-commit install-hooks took ${installEnvironments.ms} ms`);
  assert.equal(installEnvironments.status, 0, describeRun('pre-commit install-hooks', installEnvironments));

  // A clean module: the hook runs on it and passes; the commit is made.
  mkdirSync(join(project, 'catalog'), { recursive: true });
  writeFileSync(
    join(project, 'catalog', 'clean_banner.py'),
    'from django.core.cache import cache\n\n\ndef banner_text():\n    return cache.get_or_set("site:banner", lambda: "Welcome", 300)\n',
  );
  git(project, 'add', 'catalog/clean_banner.py');
  const clean = run('git', ['commit', '-m', 'banner'], { cwd: project, env, timeout: INSTALL_TIMEOUT });
  assert.equal(clean.status, 0, describeRun('git commit (clean file)', clean));
  assert.match(clean.stdout + clean.stderr, /Cache Coach\.+Passed/, describeRun('git commit (clean file)', clean));

  // A file the hooks do not read: skipped.
  writeFileSync(join(project, 'README.md'), '# bookshop\n\nSells books.\n');
  git(project, 'add', 'README.md');
  const docs = run('git', ['commit', '-m', 'readme'], { cwd: project, env, timeout: INSTALL_TIMEOUT });
  assert.equal(docs.status, 0, describeRun('git commit (README)', docs));
  assert.match(docs.stdout + docs.stderr, /Cache Coach\.+\(no files to check\)Skipped/);

  // A view with a per-user page cache: the commit is refused and the finding shown.
  const commitsBefore = git(project, 'rev-list', '--count', 'HEAD').stdout.trim();
  cpSync(join(project, 'catalog', 'views.py'), join(project, 'catalog', 'shop_views.py'));
  git(project, 'add', 'catalog/shop_views.py');
  const refused = run('git', ['commit', '-m', 'shop views'], { cwd: project, env, timeout: INSTALL_TIMEOUT });
  const output = refused.stdout + refused.stderr;
  assert.equal(refused.status, 1, describeRun('git commit (file with findings)', refused));
  assert.match(output, /Cache Coach\.+Failed/, output);
  assert.match(output, /^catalog\/shop_views\.py:24:\d+: CACHE004 /m, output);
  assert.equal(git(project, 'rev-list', '--count', 'HEAD').stdout.trim(), commitsBefore, 'the commit must not have been made');

  // The whole-project hook (a manual stage here) checks every file when a clean one changes.
  const whole = preCommit(project, ['run', 'cache-coach-project', '--hook-stage', 'manual', '--files', 'catalog/clean_banner.py']);
  assert.equal(whole.status, 1, describeRun('pre-commit run cache-coach-project', whole));
  assert.match(whole.stdout, /Cache Coach \(whole project\)\.+Failed/, whole.stdout);
  assert.match(whole.stdout, /^catalog\/views\.py:24:\d+: CACHE004 /m, whole.stdout);
  assert.doesNotMatch(whole.stdout, /clean_banner\.py:/, whole.stdout);
});
