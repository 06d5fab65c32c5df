import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workspaceOf } from '../helpers/engine.js';

const files = {
  'shop/views.py': 'from django.core.cache import cache\n\n\ndef f(pk):\n    cache.set(f"order:{pk}", 1, None)\n    cache.set("a b", 1, 0)  # noqa: CACHE001\n',
};

test('while the workspace is still being scanned, cross-file rules stay quiet, and so does CACHE900 about them', async () => {
  const workspace = await workspaceOf(files);
  workspace.projectComplete = false;
  const early = workspace.check().map((finding) => `${finding.code}@${finding.range.start.line + 1}`);
  // CACHE001 needs to know no other file deletes the key; CACHE006/CACHE008 need only this file.
  assert.deepEqual(early, ['CACHE008@6', 'CACHE006@6']); // sorted by column: the key comes before the timeout
  workspace.projectComplete = true;
  const complete = workspace.check().map((finding) => `${finding.code}@${finding.range.start.line + 1}`);
  assert.deepEqual(complete, ['CACHE001@5', 'CACHE008@6', 'CACHE006@6', 'CACHE900@6']);
});

test('fixes are checked per language: a template fix that leaves a stray tag opener is refused', async () => {
  const workspace = await workspaceOf({});
  assert.equal(workspace.introducesSyntaxError('shop/templates/x.html', '{% cache 5 a %}x{% endcache %}', '{% cache 5 a %}x{% endcache'), true);
  assert.equal(workspace.introducesSyntaxError('shop/templates/x.html', '{% cache 5 "a" %}x{% endcache %}', '{% cache 5 a %}x{% endcache %}'), false);
  assert.equal(workspace.introducesSyntaxError('shop/views.py', 'x = 1\n', 'x = (1\n'), true);
  assert.equal(workspace.introducesSyntaxError('shop/views.py', 'x = (1\n', 'x = (2\n'), false);
  assert.equal(workspace.introducesSyntaxError('web/a.ts', 'const a = 1;\n', 'const a = ;\n'), true);
});
