import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import picomatch from 'picomatch';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { activationEvents: string[] };
const selectorSource = readFileSync(join(ROOT, 'client', 'src', 'document-selector.ts'), 'utf8');

test('Cache Coach starts in a Django project before any Python file is opened: manage.py, or HTML templates', () => {
  const globs = manifest.activationEvents.filter((event) => event.startsWith('workspaceContains:')).map((event) => event.slice('workspaceContains:'.length));
  const activates = (path: string): boolean => globs.some((glob) => picomatch.isMatch(path, glob, { dot: true }));
  assert.ok(activates('manage.py'));
  assert.ok(activates('shop/templates/shop/product.html'));
  assert.ok(activates('templates/base.html'));
  // A folder with no Django in it does not start it.
  assert.ok(!activates('site/index.html'));
  assert.ok(!activates('docs/conf.py'));
});

test('HTML under a templates/ folder is sent to the server whatever its language id (plain "html" included)', () => {
  const pattern = /pattern: '([^']+)'/.exec(selectorSource)?.[1];
  assert.ok(pattern, 'the document selector has a path pattern');
  assert.ok(picomatch.isMatch('/home/me/shop/templates/shop/product.html', pattern));
  assert.ok(picomatch.isMatch('/home/me/shop/catalog/templates/catalog/partials/row.html', pattern));
});
