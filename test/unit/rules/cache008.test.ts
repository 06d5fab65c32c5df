import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';

const CODE = 'CACHE008';

test('a key with a space is flagged; the span is the key expression', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def top():
          return cache.get("top sellers")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  assert.deepEqual(await spans(CODE, files), ['"top sellers"']);
});

test('a literal space in an f-string, %-format or concatenation is flagged', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def store(pk, query):
          cache.set(f"order summary:{pk}", 1, 60)
          cache.get("%s results" % query)
          cache.delete("search:" + query + " page")
          cache.get("top " "sellers")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4', 'shop/views.py:5', 'shop/views.py:6', 'shop/views.py:7']);
});

test('a space that comes from a constant (even imported) is flagged', async () => {
  const files = {
    'shop/keys.py': 'TOP_KEY = "top sellers"\n',
    'shop/views.py': py`
      from django.core.cache import cache

      from .keys import TOP_KEY

      def top():
          return cache.get(TOP_KEY)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:6']);
});

test('tabs, line breaks and other control characters (written as escapes) are flagged, with the character named', async () => {
  // Plain strings, not py``: the template tag would turn the escapes into the characters themselves.
  const files = {
    'shop/views.py': [
      'from django.core.cache import cache',
      '',
      'def store():',
      '    cache.get("top\\tsellers")',
      '    cache.get("top\\nsellers")',
      '    cache.get("bell\\x07")',
      '    cache.get("del\\x7f")',
      '    cache.get("nul\\u0000")',
      '',
    ].join('\n'),
  };
  assert.equal(files['shop/views.py'].split('\n')[3], '    cache.get("top\\tsellers")');
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(
    findings.map((finding) => finding.range.start.line + 1),
    [4, 5, 6, 7, 8],
  );
  assert.match(findings[0].message, /a tab/);
  assert.match(findings[1].message, /a line break/);
  assert.match(findings[2].message, /U\+0007/);
  assert.match(findings[3].message, /U\+007F/);
  assert.match(findings[4].message, /U\+0000/);
});

test('a raw string\'s backslash-t is not a tab', async () => {
  const files = { 'shop/views.py': 'from django.core.cache import cache\n\ncache.get(r"path\\to\\thing")\n' };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('keys in set_many, get_many and delete_many are checked one by one', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def store():
          cache.set_many({"ok:key": 1, "bad key": 2}, 60)
          cache.get_many(["ok:key", "also bad"])
          cache.delete_many(["fine", "not fine"])
    `,
  };
  assert.deepEqual(await spans(CODE, files), ['"bad key"', '"also bad"', '"not fine"']);
});

test('a constant key over 250 characters with Django\'s ":1:" version part is flagged; 250 exactly is quiet', async () => {
  const tooLong = 'k'.repeat(248); // 248 + ":1:" = 251
  const longest = 'k'.repeat(247); // 247 + ":1:" = 250
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def store():
          cache.get("${tooLong}")
          cache.get("${longest}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
  const [finding] = (await findingsOf(files)).filter((candidate) => candidate.code === CODE);
  assert.match(finding.message, /251 characters/);
});

test('quiet on normal keys', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def store(pk, user):
          cache.get("top-sellers")
          cache.set(f"order:{pk}:summary", 1, 60)
          cache.get("profile:%s" % user.pk)
          cache.get("a_b.c/d|e")
          cache.get("émoji-✓")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when spaces can only come from variables', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def search(query, key):
          cache.get(f"search:{query}")
          cache.get("search:%s" % query)
          cache.get(key)
          cache.get(":".join(["search", query]))
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a long key with a variable part (its length is unknown)', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def store(pk):
          cache.get(f"${'k'.repeat(260)}:{pk}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on clients that are not Django\'s cache', async () => {
  const files = {
    'shop/views.py': py`
      import redis

      from django.core.cache import cache

      r = redis.Redis()

      def store():
          r.get("top sellers")
          cache.get("top-sellers")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('there is no fix', async () => {
  const files = { 'shop/views.py': 'from django.core.cache import cache\n\ncache.get("top sellers")\n' };
  const [finding] = (await findingsOf(files)).filter((candidate) => candidate.code === CODE);
  assert.deepEqual(finding.fixes, []);
});
