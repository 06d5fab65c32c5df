// Which Python files the rules analyse: text that can hold a cache API use, outside test modules. The
// pre-filter decides which files are parsed at all, so it must keep every real use and may drop prose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workspaceOf } from '../helpers/engine.js';

test('a use of the cache API makes a candidate; the word "cache." in prose does not', async () => {
  const uses: Record<string, string> = {
    'a/get.py': 'value = cache.get("k")\n',
    'a/spaced.py': 'value = cache .set("k", 1, 60)\n',
    'a/alias.py': 'store = caches["sessions"]\n',
    'a/import.py': 'from django.core.cache import cache\n',
    'a/settings.py': 'CACHES = {}\n',
    'a/views.py': '@cache_page(60)\ndef home(request):\n    pass\n',
    'a/vary.py': 'from django.views.decorators.vary import vary_on_cookie\n',
    'a/fragments.py': 'key = make_template_fragment_key("sidebar")\n',
  };
  const prose: Record<string, string> = {
    'b/models.py': '# Remove the object from a related instance cache.\nclass Book:\n    """Don\'t populate the cache."""\n',
    'b/docs.py': '"""Reads from the local cache. Then writes."""\n',
  };
  const tests: Record<string, string> = { 'a/tests.py': 'cache.get("k")\n', 'a/tests/test_views.py': 'cache.get("k")\n' };
  const workspace = await workspaceOf({ ...uses, ...prose, ...tests });
  for (const path of Object.keys(uses)) assert.equal(workspace.python.isCandidate(path), true, path);
  for (const path of [...Object.keys(prose), ...Object.keys(tests)]) assert.equal(workspace.python.isCandidate(path), false, path);
});
