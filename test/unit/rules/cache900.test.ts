import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { applyEdits } from '../../../server/src/analysis/text.js';
import { pythonSyntaxError } from '../../helpers/python.js';
import { allFindings, assertFixIsClean } from './support.js';

const CODE = 'CACHE900';

test('an unused "# noqa: CACHE006" is flagged as info; the span is the code', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 3600)  # noqa: CACHE006
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['CACHE006']);
  const [finding] = (await findingsOf(files)).filter((candidate) => candidate.code === CODE);
  assert.equal(finding.severity, 'info');
  assert.equal(finding.fixes[0].safety, 'safe');
});

test('the fix removes the whole unused comment and the spaces before it; the result parses and is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 3600)  # noqa: CACHE006
          return banner
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(
    text,
    py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 3600)
          return banner
    `,
  );
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('a used noqa is quiet', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 0)  # noqa: CACHE006
    `,
  };
  assert.deepEqual(await allFindings(files), []);
});

test('other tools\' codes and a bare noqa are never reported', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 3600)  # noqa: E501
          cache.set("site:footer", banner, 3600)  # noqa
          cache.set("site:header", banner, 3600)  # noqa: F401, W291
    `,
  };
  assert.deepEqual(await allFindings(files), []);
});

test('codes of rules that do not exist are not reported', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.get("a")  # noqa: CACHE299\ncache.get("b")  # noqa: CACHE999\n',
  };
  assert.deepEqual(await allFindings(files), []);
});

test('a mixed "# noqa: E501, CACHE006" with CACHE006 unused is flagged; the fix keeps E501', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 3600)  # noqa: E501, CACHE006
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['CACHE006']);
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[3], '    cache.set("site:banner", banner, 3600)  # noqa: E501');
});

test('with one code used and one unused, only the unused one is flagged; the fix keeps the used one', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 0)  # noqa: CACHE001, CACHE006
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['CACHE001']);
  assert.deepEqual(await allFindings(files), ['shop/views.py:4 CACHE900']);
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text.split('\n')[3], '    cache.set("site:banner", banner, 0)  # noqa: CACHE006');
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('a noqa naming the right code on the wrong line is unused (and does not suppress)', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set(
              "site:banner",
              banner,
              0,  # noqa: CACHE006
          )
    `,
  };
  // CACHE006's span is the `0`, whose line holds the noqa: suppressed.
  assert.deepEqual(await allFindings(files), []);
  const moved = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set(  # noqa: CACHE006
              "site:banner",
              banner,
              0,
          )
    `,
  };
  assert.deepEqual(await allFindings(moved), ['shop/views.py:4 CACHE900', 'shop/views.py:7 CACHE006']);
});

test('two unused codes give two findings; fixing one, then the other, removes the comment and parses', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("site:banner", banner, 3600)  # noqa: CACHE001, CACHE006
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['CACHE001', 'CACHE006']);
  let text = files['shop/views.py'];
  for (const expected of ['  # noqa: CACHE006', '']) {
    const [first] = (await findingsOf({ 'shop/views.py': text })).filter((finding) => finding.code === CODE);
    text = applyEdits(text, first.fixes[0].edits);
    assert.equal(pythonSyntaxError(text), null, text);
    assert.equal(text.split('\n')[3], `    cache.set("site:banner", banner, 3600)${expected}`);
  }
  assert.deepEqual(await allFindings({ 'shop/views.py': text }), []);
});

test('lower-case codes are recognised', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.set("site:banner", 1, 3600)  # noqa: cache006\n',
  };
  assert.deepEqual(await spans(CODE, files), ['cache006']);
  const text = await assertFixIsClean(CODE, files, 'shop/views.py');
  assert.equal(text, 'from django.core.cache import cache\n\ncache.set("site:banner", 1, 3600)\n');
});

test('a noqa for a rule turned off by configuration is not reported', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.set("site:banner", 1, 3600)  # noqa: CACHE006\n',
  };
  assert.deepEqual(await flagged(CODE, files, { ignore: ['CACHE006'] }), []);
  assert.deepEqual(await flagged(CODE, files, { severity: { CACHE006: 'off' } }), []);
  assert.deepEqual(await flagged(CODE, files, { select: ['CACHE001', 'CACHE900'] }), []);
});

test('CACHE900 itself can be turned off', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.set("site:banner", 1, 3600)  # noqa: CACHE006\n',
  };
  assert.deepEqual(await flagged(CODE, files, { ignore: ['CACHE900'] }), []);
  assert.deepEqual(await flagged(CODE, files, { severity: { CACHE900: 'off' } }), []);
});

test('a noqa in a skipped file is not reported', async () => {
  const files = {
    'shop/views.py': '# cache-coach: skip-file\nfrom django.core.cache import cache\n\ncache.set("site:banner", 1, 3600)  # noqa: CACHE006\n',
  };
  assert.deepEqual(await allFindings(files), []);
});
