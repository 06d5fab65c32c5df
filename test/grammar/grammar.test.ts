/**
 * The Django template grammars in syntaxes/, checked with vscode-tmgrammar-test scope assertions.
 *
 * Test cases: test/grammar/*.test.{django-html,django-txt,html}. The first line names the root scope
 * (`{# SYNTAX TEST "text.html.django" "..."`); lines starting with the same token (`{#`, `<!--`) and then
 * `^^^` or `<--` assert the scopes of the line above them (`scope1 scope2 - prohibited1 prohibited2`);
 * see node_modules/vscode-tmgrammar-test/README.md.
 *
 * Grammars: ours with -g; the injection through --config test/grammar/tmgrammar-test.config.json,
 * because only a config entry can carry `injectTo` (-g cannot). VS Code's HTML grammar
 * (text.html.basic) is not on disk outside VS Code, so test/grammar/stubs/ holds test-only stand-ins for
 * text.html.basic and text.html.derivative. When the e2e setup has downloaded code-server, the same
 * cases also run against VS Code's real HTML, JavaScript and CSS grammars.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const CLI = path.join(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
const CONFIG = path.join(here, 'tmgrammar-test.config.json');

const OURS = ['django-template', 'django-html', 'django-txt'].map((name) => path.join(ROOT, 'syntaxes', `${name}.tmLanguage.json`));
const STUBS = ['html', 'html-derivative'].map((name) => path.join(here, 'stubs', `${name}.tmLanguage.json`));

const VSCODE_EXTENSIONS = path.join(
  process.env.CACHE_COACH_E2E_CACHE || path.join(ROOT, '.cache', 'vscode-e2e'),
  'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions',
);
const REAL_HTML = [
  path.join(VSCODE_EXTENSIONS, 'html', 'syntaxes', 'html.tmLanguage.json'),
  path.join(VSCODE_EXTENSIONS, 'html', 'syntaxes', 'html-derivative.tmLanguage.json'),
  path.join(VSCODE_EXTENSIONS, 'javascript', 'syntaxes', 'JavaScript.tmLanguage.json'),
  path.join(VSCODE_EXTENSIONS, 'css', 'syntaxes', 'css.tmLanguage.json'),
];

const CASE_FILE = /\.test\.(django-html|django-txt|html)$/;
const CASES = readdirSync(here).filter((file) => CASE_FILE.test(file)).sort();

/** Runs vscode-tmgrammar-test over `cases` (paths relative to the repository root). */
function runTmGrammarTest(grammars: string[], cases: string[]): { status: number | null; output: string } {
  const args = [CLI, '--compact', '--config', CONFIG, ...grammars.flatMap((grammar) => ['-g', grammar]), ...cases];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}${run.error ? String(run.error) : ''}` };
}

const relative = (file: string) => path.relative(ROOT, path.join(here, file));

test('the grammar test cases are all there', () => {
  for (const expected of [
    'tags.test.django-html',
    'variables.test.django-html',
    'comments.test.django-html',
    'verbatim.test.django-html',
    'cache.test.django-html',
    'no-bleed.test.django-html',
    'text.test.django-txt',
    'injection.test.html',
    'injection-derivative.test.html',
  ]) {
    assert.ok(CASES.includes(expected), `test/grammar/${expected} is missing`);
  }
});

for (const file of CASES) {
  test(`grammar scope assertions: ${file}`, () => {
    const { status, output } = runTmGrammarTest([...OURS, ...STUBS], [relative(file)]);
    assert.equal(status, 0, `vscode-tmgrammar-test failed on test/grammar/${file}:\n${output}`);
    assert.match(output, /run successfuly/, `vscode-tmgrammar-test did not run test/grammar/${file}:\n${output}`);
  });
}

test('grammar scope assertions against VS Code\'s own HTML grammar', (t) => {
  const missing = REAL_HTML.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    t.skip(`VS Code's grammars are not on disk (${REAL_HTML[0]}); the e2e setup downloads them with code-server`);
    return;
  }
  const { status, output } = runTmGrammarTest([...OURS, ...REAL_HTML], CASES.map(relative));
  assert.equal(status, 0, `vscode-tmgrammar-test failed with VS Code's HTML grammar:\n${output}`);
});

test('a wrong scope assertion fails the run (the harness is not vacuous)', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'cache-coach-grammar-'));
  try {
    const wrong = path.join(directory, 'wrong.test.django-html');
    writeFileSync(wrong, [
      '{# SYNTAX TEST "text.html.django" "deliberately wrong"',
      '{% cache 500 sidebar %}',
      '{#          ^^^^^^^ variable.parameter.vary-on.django',
      '',
    ].join('\n'));
    const { status, output } = runTmGrammarTest([...OURS, ...STUBS], [wrong]);
    assert.notEqual(status, 0, `a wrong assertion passed:\n${output}`);
    assert.match(output, /Missing required scopes: \[ variable\.parameter\.vary-on\.django \]/, output);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
}

test('the grammar files declare the scope names the tests and package.json use', (t) => {
  const scopeOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { scopeName: string }).scopeName;
  const expected: Record<string, string> = {
    'syntaxes/django-template.tmLanguage.json': 'source.django-template',
    'syntaxes/django-html.tmLanguage.json': 'text.html.django',
    'syntaxes/django-txt.tmLanguage.json': 'text.django',
    'syntaxes/django-injection.tmLanguage.json': 'django.injection',
  };
  for (const [file, scopeName] of Object.entries(expected)) {
    assert.equal(scopeOf(path.join(ROOT, file)), scopeName, file);
  }

  const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as { contributes: { grammars: GrammarContribution[] } };
  const [injection] = config.contributes.grammars;
  assert.equal(scopeOf(path.join(here, injection.path)), injection.scopeName, 'tmgrammar-test.config.json');

  // Once package.json contributes the grammars, they must point at these files with these scopes.
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
  const contributed = manifest.contributes?.grammars ?? [];
  if (contributed.length === 0) {
    t.skip('package.json does not contribute the grammars yet');
    return;
  }
  for (const grammar of contributed) {
    const file = path.join(ROOT, grammar.path);
    assert.ok(existsSync(file), `package.json contributes ${grammar.path}, which does not exist`);
    assert.equal(scopeOf(file), grammar.scopeName, `package.json scopeName for ${grammar.path}`);
  }
  for (const scopeName of Object.values(expected)) {
    assert.ok(contributed.some((grammar) => grammar.scopeName === scopeName), `package.json does not contribute ${scopeName}`);
  }
  const contributedInjection = contributed.find((grammar) => grammar.scopeName === injection.scopeName);
  assert.deepEqual(contributedInjection?.injectTo, injection.injectTo, 'package.json injectTo of the injection grammar');
});
