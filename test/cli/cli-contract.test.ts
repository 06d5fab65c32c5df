import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { djangoTemplateError } from '../helpers/django-template.js';
import { pythonSyntaxError } from '../helpers/python.js';
import { copyOf, ROOT, runCli, SAMPLE_PROJECT } from './helpers.js';

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; homepage: string };

function project(files: Record<string, string>): { dir: string; dispose(): void } {
  const copy = copyOf(join(ROOT, 'test', 'fixtures', 'empty'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(copy.dir, path, '..'), { recursive: true });
    writeFileSync(join(copy.dir, path), text);
  }
  return copy;
}

const LEAKY_VIEW = 'from django.views.decorators.cache import cache_page\n\n\n@cache_page(60)\ndef me(request):\n    return request.user.username\n';

test('--version and --help', () => {
  assert.equal(runCli(['--version'], ROOT).stdout.trim(), packageJson.version);
  const help = runCli(['--help'], ROOT);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /cache-coach check \[PATH\.\.\.\]/);
});

test('a bare `cache-coach` says in one line what is missing, with the usage, and exits 2 (a usage error)', () => {
  const bare = runCli([], ROOT);
  assert.equal(bare.status, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr.split('\n')[0], /^cache-coach: no command given; .*cache-coach check/);
  assert.match(bare.stderr, /Usage:/);
});

test('configuration errors quote values by their TOML type: numbers bare, strings quoted', () => {
  for (const [toml, shown] of [
    ['[tool.cache-coach]\ndefault-timeout = -5', 'got -5\n'],
    ['[tool.cache-coach]\ndefault-timeout = 2.5', 'got 2.5\n'],
    ['[tool.cache-coach]\ndefault-timeout = "300"', 'got "300"\n'],
    ['[tool.cache-coach]\nmax-file-size = true', 'got true\n'],
    ['[tool.cache-coach.severity]\nCACHE001 = 3', 'got 3\n'],
  ] as const) {
    const copy = project({ 'pyproject.toml': toml, 'shop/views.py': LEAKY_VIEW });
    try {
      const run = runCli(['check'], copy.dir);
      assert.equal(run.status, 2, toml);
      assert.ok(run.stderr.endsWith(shown), `${toml}\n${run.stderr}`);
    } finally {
      copy.dispose();
    }
  }
});

test('exit 0 with no findings, 1 with findings', () => {
  const clean = project({ 'shop/views.py': 'from django.core.cache import cache\n\ndef f():\n    return cache.get("x")\n' });
  const dirty = project({ 'shop/views.py': LEAKY_VIEW });
  try {
    const ok = runCli(['check'], clean.dir);
    assert.equal(ok.status, 0);
    assert.equal(ok.stdout, '');
    const bad = runCli(['check'], dirty.dir);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, 'shop/views.py:4:2: CACHE004 cache_page on a page that differs per user (its GET code reads request.user (line 6)), with no @vary_on_cookie below it: the first visitor\'s page is served to everyone.\n');
  } finally {
    clean.dispose();
    dirty.dispose();
  }
});

test('JSON: the documented fields, paths relative to the current folder, 1-based code-point columns', () => {
  const copy = project({ 'app/views.py': `# café ☕ 😀\nfrom django.core.cache import cache\n\ndef f():\n    cache.set("😀 x", 1)\n` });
  try {
    const run = runCli(['check', 'app', '--format', 'json'], copy.dir);
    const [finding] = JSON.parse(run.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(finding).sort(), ['code', 'column', 'endColumn', 'endLine', 'fixable', 'line', 'message', 'name', 'path', 'severity', 'url'].sort());
    assert.equal(finding.path, 'app/views.py');
    assert.equal(finding.code, 'CACHE008');
    assert.equal(finding.line, 5);
    // `    cache.set(` is 14 code points; the key starts at column 15, and "😀 x" with quotes is 5 code points.
    assert.equal(finding.column, 15);
    assert.equal(finding.endColumn, 20);
    assert.equal(finding.url, `${packageJson.homepage}#cache008`);
    assert.equal(finding.fixable, false);
    const inner = runCli(['check', '--format', 'json'], join(copy.dir, 'app'));
    assert.equal((JSON.parse(inner.stdout) as { path: string }[])[0].path, 'views.py');
  } finally {
    copy.dispose();
  }
});

test('an absolute PATH works, and findings stay relative to the current folder', () => {
  const copy = project({ 'shop/views.py': LEAKY_VIEW });
  try {
    const findings = JSON.parse(runCli(['check', join(copy.dir, 'shop'), '--format', 'json'], copy.dir).stdout) as { path: string }[];
    assert.deepEqual(findings.map((finding) => finding.path), ['shop/views.py']);
    const single = JSON.parse(runCli(['check', join(copy.dir, 'shop', 'views.py'), '--format', 'json'], ROOT).stdout) as { path: string }[];
    assert.equal(single.length, 1);
  } finally {
    copy.dispose();
  }
});

test('github and sarif formats', () => {
  const copy = project({ 'shop/views.py': LEAKY_VIEW });
  try {
    const github = runCli(['check', '--format', 'github'], copy.dir);
    assert.match(github.stdout, /^::warning file=shop\/views\.py,line=4,col=2,endLine=4,endColumn=16,title=CACHE004 page-cache-per-user::CACHE004 /);
    const sarif = JSON.parse(runCli(['check', '--format', 'sarif'], copy.dir).stdout);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.ok(run.tool.driver.rules.some((rule: { id: string; helpUri: string }) => rule.id === 'CACHE004' && rule.helpUri.endsWith('#cache004')));
    assert.equal(run.results[0].ruleId, 'CACHE004');
    assert.deepEqual(run.results[0].locations[0].physicalLocation.region, { startLine: 4, startColumn: 2, endLine: 4, endColumn: 16 });
  } finally {
    copy.dispose();
  }
});

test('--select and --ignore', () => {
  const copy = project({ 'shop/views.py': LEAKY_VIEW });
  try {
    assert.equal(runCli(['check', '--ignore', 'CACHE004'], copy.dir).status, 0);
    assert.equal(runCli(['check', '--select', 'CACHE00'], copy.dir).status, 1);
    assert.equal(runCli(['check', '--select', 'CACHE9'], copy.dir).status, 0);
    const bad = runCli(['check', '--select', 'E501'], copy.dir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown rule code E501/);
  } finally {
    copy.dispose();
  }
});

test('usage errors exit 2 with a message, not a stack trace', () => {
  for (const args of [['check', '--format', 'xml'], ['frobnicate'], ['check', 'no/such/folder'], ['rule', 'CACHE999'], ['check', '--bogus']]) {
    const run = runCli(args, ROOT);
    assert.equal(run.status, 2, args.join(' '));
    assert.match(run.stderr, /^cache-coach: /);
    assert.doesNotMatch(run.stderr, /at .*\.js:\d+/);
  }
});

test('rule CODE prints the rule docs', () => {
  const run = runCli(['rule', 'CACHE009'], ROOT);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^CACHE009 vary-above-cache-page/);
  assert.match(run.stdout, /What it cannot see/);
  assert.equal(runCli(['rule', 'generic-key'], ROOT).stdout.split('\n')[0].startsWith('CACHE002'), true);
});

test('a malformed pyproject.toml: exit 2 naming the file and the problem, nothing written', () => {
  for (const [toml, problem] of [
    ['[tool.cache-coach\nselect = 1', /not valid TOML/],
    ['[tool.cache-coach]\nselect = ["CACHE0"\nignore = ["CACHE900"]', /not valid TOML at line 3, column 1: expected comma or end of structure/],
    ['[tool.cache-coach]\nselect = "CACHE001"', /select must be a list of rule codes/],
    ['[tool.cache-coach]\nignore = ["CACHE777"]', /unknown rule code "CACHE777"/],
    ['[tool.cache-coach]\ncolour = "blue"', /unknown key tool\.cache-coach\.colour/],
    ['[tool.cache-coach]\ndefault-timeout = -5', /default-timeout must be a positive whole number/],
    ['[tool.cache-coach.severity]\nCACHE001 = "loud"', /severity\.CACHE001 must be/],
  ] as const) {
    const copy = project({ 'pyproject.toml': toml, 'shop/views.py': LEAKY_VIEW });
    try {
      const run = runCli(['check', '--fix'], copy.dir);
      assert.equal(run.status, 2, toml);
      assert.match(run.stderr, /configuration error in .*pyproject\.toml/);
      assert.match(run.stderr, problem);
      assert.equal(readFileSync(join(copy.dir, 'shop/views.py'), 'utf8'), LEAKY_VIEW);
    } finally {
      copy.dispose();
    }
  }
});

test('a pyproject.toml without a [tool.cache-coach] table is not ours to judge: a project template that is not TOML does not stop the run', () => {
  const copy = project({
    'pyproject.toml': '[tool.cache-coach]\nignore = ["CACHE900"]\n',
    'shop/views.py': LEAKY_VIEW,
    // A cookiecutter template for new sites: valid TOML only once rendered.
    'templates/{{cookiecutter.site}}/pyproject.toml': '[tool.poetry]\nname = "{{ cookiecutter.site }}"\n{% if cookiecutter.use_docker %}docker = true{% endif %}\n',
    'templates/{{cookiecutter.site}}/site/views.py': LEAKY_VIEW,
  });
  try {
    const run = runCli(['check', '--format', 'json'], copy.dir);
    assert.equal(run.status, 1, run.stderr);
    const findings = JSON.parse(run.stdout) as { path: string; code: string }[];
    assert.deepEqual(findings.map((finding) => `${finding.path} ${finding.code}`), ['shop/views.py CACHE004', 'templates/{{cookiecutter.site}}/site/views.py CACHE004']);
  } finally {
    copy.dispose();
  }
});

test('each file follows the nearest [tool.cache-coach] table, however the paths are given', () => {
  const copy = project({
    'pyproject.toml': '[tool.cache-coach]\n',
    'shop/views.py': LEAKY_VIEW,
    'services/billing/pyproject.toml': '[tool.cache-coach]\nignore = ["CACHE004"]\n',
    'services/billing/invoices/views.py': LEAKY_VIEW,
    'services/billing/views.py': LEAKY_VIEW,
    'services/reports/views.py': LEAKY_VIEW,
  });
  try {
    const expected = ['services/reports/views.py CACHE004', 'shop/views.py CACHE004'];
    for (const [args, cwd] of [
      [['check', '--format', 'json'], copy.dir],
      [['check', '--format', 'json', 'services/billing/views.py', './services/billing/invoices/../invoices/views.py', 'services/reports', 'shop/views.py'], copy.dir],
      [['check', '--format', 'json', '../billing', '../reports/views.py', '../../shop'], join(copy.dir, 'services', 'reports')],
    ] as const) {
      const run = runCli([...args], cwd);
      assert.equal(run.status, 1, run.stderr);
      const findings = JSON.parse(run.stdout) as { path: string; code: string }[];
      // Paths are relative to the folder the command ran in: compare them from the project's root.
      const seen = findings.map((finding) => `${relative(copy.dir, resolve(cwd, finding.path)).split(sep).join('/')} ${finding.code}`).sort();
      assert.deepEqual(seen, expected, `${args.join(' ')}\n${run.stdout}`);
    }
  } finally {
    copy.dispose();
  }
});

test('binary, oversized and undecodable files are skipped with a note; the rest is still checked', () => {
  const copy = project({ 'shop/views.py': LEAKY_VIEW, 'pyproject.toml': '[tool.cache-coach]\nmax-file-size = 4000\n' });
  try {
    writeFileSync(join(copy.dir, 'shop/binary.py'), Buffer.from([0x63, 0x61, 0x63, 0x68, 0x65, 0x00, 0x01, 0x02]));
    writeFileSync(join(copy.dir, 'shop/latin1.py'), Buffer.from('x = "caf\xe9"  # cache.set\n', 'latin1'));
    writeFileSync(join(copy.dir, 'shop/huge.py'), `from django.core.cache import cache\n${'x = 1\n'.repeat(2000)}`);
    const run = runCli(['check'], copy.dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /shop\/binary\.py: skipped: binary file/);
    assert.match(run.stderr, /shop\/latin1\.py: skipped: not valid UTF-8/);
    assert.match(run.stderr, /shop\/huge\.py: skipped: .* over the .* limit/);
    assert.match(run.stdout, /shop\/views\.py:4:2: CACHE004/);
  } finally {
    copy.dispose();
  }
});

test('a TS file nested too deep to parse is skipped with a note; the rest is still checked', () => {
  const deep = `import Redis from 'ioredis';\nconst redis = new Redis();\nexport const x = ${'('.repeat(5000)}1${')'.repeat(5000)};\n`;
  const copy = project({ 'shop/views.py': LEAKY_VIEW, 'web/package.json': '{"name": "web", "dependencies": {"ioredis": "5.4.1"}}', 'web/deep.ts': deep });
  try {
    const run = runCli(['check'], copy.dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /web\/deep\.ts: skipped: nested too deep for the TypeScript parser/);
    assert.match(run.stdout, /shop\/views\.py:4:2: CACHE004/);
  } finally {
    copy.dispose();
  }
});

test('a syntax error mid-file still gives the findings in the intact parts', () => {
  const broken = `${LEAKY_VIEW}\ndef half(:\n    x = [1, 2\n\n\n@cache_page(None)\ndef later(request):\n    return "ok"\n`;
  const copy = project({ 'shop/views.py': broken });
  try {
    const findings = JSON.parse(runCli(['check', '--format', 'json'], copy.dir).stdout) as { code: string; line: number }[];
    // Both views survive the damaged function between them: tree-sitter recovers at the next decorator.
    assert.deepEqual(findings.map((finding) => `${finding.code}:${finding.line}`), ['CACHE004:4', 'CACHE010:12']);
  } finally {
    copy.dispose();
  }
});

test('skips .git, node_modules and virtualenvs', () => {
  const copy = project({
    'shop/views.py': 'x = 1\n',
    'node_modules/pkg/views.py': LEAKY_VIEW,
    '.git/hooks/x.py': LEAKY_VIEW,
    'venv/lib/views.py': LEAKY_VIEW,
    'myenv/pyvenv.cfg': 'home = /usr/bin\n',
    'myenv/lib/views.py': LEAKY_VIEW,
  });
  try {
    assert.equal(runCli(['check'], copy.dir).status, 0);
  } finally {
    copy.dispose();
  }
});

test('exclude globs from pyproject.toml', () => {
  const copy = project({ 'pyproject.toml': '[tool.cache-coach]\nexclude = ["legacy/**"]\n', 'legacy/views.py': LEAKY_VIEW, 'shop/views.py': LEAKY_VIEW });
  try {
    const findings = JSON.parse(runCli(['check', '--format', 'json'], copy.dir).stdout) as { path: string }[];
    assert.deepEqual(findings.map((finding) => finding.path), ['shop/views.py']);
  } finally {
    copy.dispose();
  }
});

test('--fix applies safe fixes only, the files still parse, and a second run finds nothing to fix', () => {
  const copy = copyOf(SAMPLE_PROJECT);
  try {
    const before = JSON.parse(runCli(['check', '--format', 'json'], copy.dir).stdout) as { code: string; fixable: boolean }[];
    const fixable = before.filter((finding) => finding.fixable).map((finding) => finding.code).sort();
    assert.deepEqual(fixable, ['CACHE004', 'CACHE009', 'CACHE101', 'CACHE103', 'CACHE105', 'CACHE900']);
    const run = runCli(['check', '--fix', '--format', 'json'], copy.dir);
    assert.equal(run.status, 1);
    const after = JSON.parse(run.stdout) as { code: string; fixable: boolean }[];
    assert.equal(after.length, before.length - fixable.length);
    assert.equal(after.some((finding) => finding.fixable), false);
    for (const path of ['catalog/views.py', 'accounts/views.py', 'catalog/tasks.py']) {
      assert.equal(pythonSyntaxError(readFileSync(join(copy.dir, path), 'utf8')), null, path);
    }
    assert.match(readFileSync(join(copy.dir, 'catalog/views.py'), 'utf8'), /@cache_page\(60 \* 10\)\n@vary_on_cookie\ndef book_detail/);
    for (const path of ['templates/base.html', 'catalog/templates/catalog/book_detail.html', 'catalog/templates/catalog/publisher_list.html']) {
      assert.equal(djangoTemplateError(readFileSync(join(copy.dir, path), 'utf8')), null, path);
    }
    assert.match(readFileSync(join(copy.dir, 'templates/base.html'), 'utf8'), /\{% cache 3600 site_nav user\.pk %\}/);
  } finally {
    copy.dispose();
  }
});

test('--fix: two fixes rewriting one noqa comment are applied one per pass until nothing is left to fix', () => {
  const tasks = 'from django.core.cache import cache\n\nx = cache.get("x")  # noqa: CACHE004, CACHE010\ny = 2  # noqa: CACHE006\n';
  const copy = project({ 'shop/tasks.py': tasks, 'shop/views.py': LEAKY_VIEW });
  try {
    const run = runCli(['check', '--fix', '--format', 'json'], copy.dir);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), []);
    assert.equal(readFileSync(join(copy.dir, 'shop/tasks.py'), 'utf8'), 'from django.core.cache import cache\n\nx = cache.get("x")\ny = 2\n');
    assert.match(readFileSync(join(copy.dir, 'shop/views.py'), 'utf8'), /@cache_page\(60\)\n@vary_on_cookie\ndef me/);
  } finally {
    copy.dispose();
  }
});
