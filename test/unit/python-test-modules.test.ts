// Python test modules are not linted: tests cache with throw-away keys and timeouts on purpose. Only a
// file's name and its own folder decide, so a project that lies below a folder named `tests` is still linted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, py } from '../helpers/engine.js';
import { isPythonTestPath } from '../../server/src/analysis/python/modules.js';

const FOREVER = py`
  from django.core.cache import cache

  def remember(value):
      cache.set("geo.city.New York", value, None)
`;

test('test modules are skipped; app code, apps named test/, and projects under a tests/ folder are not', async () => {
  const files = {
    'shop/tests/test_views.py': FOREVER,
    'shop/tests/factories.py': FOREVER,
    'shop/tests.py': FOREVER,
    'shop/views_test.py': FOREVER,
    'conftest.py': FOREVER,
    'dojo/test/views.py': FOREVER,
    'code/tests/proj/shop/services.py': FOREVER,
  };
  const paths = [...new Set((await findingsOf(files)).map((finding) => finding.path))].sort();
  assert.deepEqual(paths, ['code/tests/proj/shop/services.py', 'dojo/test/views.py']);
});

test('isPythonTestPath names', () => {
  for (const path of ['test_x.py', 'a/test_x.py', 'a/x_tests.py', 'a/x_test.py', 'a/tests.py', 'a/conftest.py', 'a/tests/x.py']) assert.equal(isPythonTestPath(path), true, path);
  for (const path of ['a/test/x.py', 'a/tests/b/x.py', 'tests/proj/app/views.py', 'a/latest.py', 'a/contest.py', 'a/testing.py']) assert.equal(isPythonTestPath(path), false, path);
});
