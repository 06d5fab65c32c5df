/**
 * Settings rules judge a path by its part below the project, never by the folders the project sits in
 * (`cache-coach check ~/code/tests/shop` must find what `cd ~/code/tests/shop && cache-coach check` finds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from './helpers.js';

const PRODUCTION = `CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "TIMEOUT": None,
    }
}
`;

const VIEWS = `from django.core.cache import cache


def homepage_banner():
    banner = cache.get("homepage:banner")
    if banner is None:
        banner = "<p>Welcome</p>"
        cache.set("homepage:banner", banner)
    return banner
`;

/** A small shop project at `<tmp>/<parents...>/shop`, with production and test settings. */
function layOut(parents: string[], extra: Record<string, string> = {}): { base: string; project: string; dispose(): void } {
  const base = mkdtempSync(join(tmpdir(), 'cache-coach-paths-'));
  const project = join(base, ...parents, 'shop');
  const files: Record<string, string> = {
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")\n',
    'shop/__init__.py': '',
    'shop/settings/__init__.py': '',
    'shop/settings/production.py': PRODUCTION,
    'shop/settings/test.py': PRODUCTION,
    'shop/views.py': VIEWS,
    ...extra,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  }
  return { base, project, dispose: () => rmSync(base, { recursive: true, force: true }) };
}

function settingsFindings(stdout: string): string[] {
  const findings = JSON.parse(stdout) as { code: string; path: string; line: number }[];
  return findings.filter((finding) => finding.code === 'CACHE003' || finding.code === 'CACHE007').map((finding) => `${finding.path.replace(/^.*shop\/shop\//, 'shop/')}:${finding.line} ${finding.code}`);
}

const EXPECTED = ['shop/settings/production.py:3 CACHE003', 'shop/settings/production.py:4 CACHE007'];

for (const parents of [['code', 'tests'], ['testing'], ['ci', 'local', 'dev']]) {
  test(`a project under ${parents.join('/')}/: production settings are flagged from inside and from above, test settings are not`, () => {
    const layout = layOut(parents);
    try {
      const inside = runCli(['check', '.', '--format', 'json'], layout.project);
      assert.deepEqual(settingsFindings(inside.stdout), EXPECTED, inside.stderr);
      const above = runCli(['check', join(...parents, 'shop'), '--format', 'json'], layout.base);
      assert.deepEqual(settingsFindings(above.stdout), EXPECTED, above.stderr);
      const absolute = runCli(['check', layout.project, '--format', 'json'], layout.base);
      assert.deepEqual(settingsFindings(absolute.stdout), EXPECTED, absolute.stderr);
    } finally {
      layout.dispose();
    }
  });
}

test('checking only the settings folder of a project still knows its test settings (the project root holds manage.py)', () => {
  const layout = layOut(['tests']);
  try {
    const run = runCli(['check', 'shop/settings', '--format', 'json'], layout.project);
    assert.deepEqual(settingsFindings(run.stdout).filter((finding) => finding.endsWith('CACHE003')), ['shop/settings/production.py:3 CACHE003'], run.stderr);
  } finally {
    layout.dispose();
  }
});

test('dev-settings globs are relative to the folder holding pyproject.toml, wherever the command runs', () => {
  const layout = layOut(['tests'], { 'pyproject.toml': '[tool.cache-coach]\ndev-settings = ["shop/settings/production.py"]\n' });
  try {
    const above = runCli(['check', join('tests', 'shop'), '--format', 'json'], layout.base);
    assert.deepEqual(settingsFindings(above.stdout), [], above.stderr);
  } finally {
    layout.dispose();
  }
});
