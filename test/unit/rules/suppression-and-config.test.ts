import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py } from '../../helpers/engine.js';
import { allFindings, fixedWith } from './support.js';

/** A view module with one CACHE001, one CACHE006 and one CACHE010 finding, each on its own line. */
const MIXED = {
  'shop/views.py': py`
    from django.core.cache import cache
    from django.views.decorators.cache import cache_page

    def refresh():
        cache.set("site:banner", load_banner(), None)
        cache.set("site:footer", load_footer(), 0)

    @cache_page(None)
    def pricing(request):
        ...
  `,
};
const MIXED_FINDINGS = ['shop/views.py:5 CACHE001', 'shop/views.py:6 CACHE006', 'shop/views.py:8 CACHE010'];

test('the mixed module has the findings the other tests rely on', async () => {
  assert.deepEqual(await allFindings(MIXED), MIXED_FINDINGS);
});

// ---- per line ----

test('a bare # noqa suppresses every finding on its line (and is never reported)', async () => {
  const files = {
    'shop/recs.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          cache.set("recommendations", compute(user), None)  # noqa
          cache.set("recommendations:all", compute(user), None)

      def recommendations_panel(request):
          return cache.get("recommendations:all")
    `,
  };
  // Sorted by column: the key (CACHE002) comes before the timeout (CACHE001).
  assert.deepEqual(await allFindings(files), ['shop/recs.py:5 CACHE002', 'shop/recs.py:5 CACHE001']);
});

test('# noqa: CACHE001, CACHE002 suppresses exactly those codes on its line', async () => {
  const files = {
    'shop/recs.py': py`
      from django.core.cache import cache

      def recommendations_for(user):
          cache.set("recommendations", compute(user), None)  # noqa: CACHE001, CACHE002
          cache.set("recs", compute(user), None)  # noqa: CACHE001
          cache.set("recs:top", compute(user), 0)  # noqa: CACHE002

      def recommendations_panel(request):
          return cache.get_many(["recommendations", "recs", "recs:top"])
    `,
  };
  assert.deepEqual(await allFindings(files), ['shop/recs.py:5 CACHE002', 'shop/recs.py:6 CACHE006']);
});

test('noqa spellings: no space after the colon, lower case, #noqa without a space', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set("a", load(), 0)  # noqa:CACHE006
          cache.set("b", load(), 0)  # NOQA: cache006
          cache.set("c", load(), 0)  #noqa: CACHE006
          cache.set("d", load(), 0)  # noqa : CACHE006
    `,
  };
  // "# noqa : CODE" is not the noqa-with-codes form; like flake8 it reads as a bare noqa.
  assert.deepEqual(await allFindings(files), []);
});

test('the noqa must be on the first line of the span', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def refresh():
          cache.set(
              "site:banner",
              load_banner(),
              0,
          )  # noqa: CACHE006
    `,
  };
  assert.deepEqual(await allFindings(files), ['shop/views.py:7 CACHE006', 'shop/views.py:8 CACHE900']);
});

test('"# noqa" inside a string is not a comment', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ncache.set("#noqa:CACHE006", 1, 0)\n',
  };
  assert.deepEqual(await allFindings(files), ['shop/views.py:3 CACHE006']);
});

test('a noqa in one file does not suppress findings in another', async () => {
  const files = {
    ...MIXED,
    'shop/other.py': 'from django.core.cache import cache\n\ncache.set("x", 1, 0)  # noqa\n',
  };
  assert.deepEqual(await allFindings(files), MIXED_FINDINGS);
});

// ---- per file ----

test('# cache-coach: skip-file silences the whole file, not the others', async () => {
  const files = {
    'shop/views.py': `# cache-coach: skip-file\n${MIXED['shop/views.py']}`,
    'shop/other.py': 'from django.core.cache import cache\n\ncache.set("x", 1, 0)\n',
  };
  assert.deepEqual(await allFindings(files), ['shop/other.py:3 CACHE006']);
});

test('skip-file works anywhere in the file', async () => {
  const files = { 'shop/views.py': `${MIXED['shop/views.py']}\n# cache-coach: skip-file\n` };
  assert.deepEqual(await allFindings(files), []);
});

test('a skipped file still counts as an invalidation site for other files', async () => {
  const files = {
    'shop/views.py': 'from django.core.cache import cache\n\ndef f(pk):\n    cache.set(f"order:{pk}", 1, None)\n',
    'shop/signals.py': '# cache-coach: skip-file\nfrom django.core.cache import cache\n\ndef forget(pk):\n    cache.delete(f"order:{pk}")\n',
  };
  assert.deepEqual(await allFindings(files), []);
});

// ---- select / ignore ----

test('select with a prefix keeps only matching codes', async () => {
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { select: ['CACHE00'] })), ['CACHE001', 'CACHE006']);
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { select: ['CACHE01'] })), ['CACHE010']);
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { select: ['CACHE006'] })), ['CACHE006']);
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { select: ['CACHE'] })), ['CACHE001', 'CACHE006', 'CACHE010']);
});

test('ignore with a prefix drops matching codes', async () => {
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { ignore: ['CACHE00'] })), ['CACHE010']);
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { ignore: ['CACHE001', 'CACHE010'] })), ['CACHE006']);
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { ignore: ['CACHE0'] })), []);
});

test('ignore wins over select', async () => {
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { select: ['CACHE00'], ignore: ['CACHE006'] })), ['CACHE001']);
});

test('select/ignore by prefix does not report the then-useless noqa as unused', async () => {
  const files = { 'shop/views.py': 'from django.core.cache import cache\n\ncache.set("x", 1, 0)  # noqa: CACHE006\n' };
  assert.deepEqual(await allFindings(files, { ignore: ['CACHE00'] }), []);
  assert.deepEqual(await allFindings(files, { select: ['CACHE01', 'CACHE9'] }), []);
});

// ---- severity ----

test('severity overrides change the reported severity', async () => {
  const findings = await findingsOf(MIXED, { severity: { CACHE006: 'error', CACHE001: 'info' } });
  assert.deepEqual(
    findings.map((finding) => [finding.code, finding.severity]),
    [
      ['CACHE001', 'info'],
      ['CACHE006', 'error'],
      ['CACHE010', 'warning'],
    ],
  );
});

test('severity "off" turns a rule off', async () => {
  assert.deepEqual(describeCodes(await findingsOf(MIXED, { severity: { CACHE006: 'off' } })), ['CACHE001', 'CACHE010']);
});

// ---- default-timeout in fixes ----

test('default-timeout is the value every timeout fix writes', async () => {
  const config = { defaultTimeout: 1234 };
  const text = [
    await fixedWith('CACHE001', MIXED, 'shop/views.py', { config }),
    await fixedWith('CACHE006', MIXED, 'shop/views.py', { config }),
    await fixedWith('CACHE010', MIXED, 'shop/views.py', { config }),
  ];
  assert.match(text[0], /cache\.set\("site:banner", load_banner\(\), 1234\)/);
  assert.match(text[1], /cache\.set\("site:footer", load_footer\(\), 1234\)/);
  assert.match(text[2], /@cache_page\(1234\)/);
  const titles = (await findingsOf(MIXED, config)).map((finding) => finding.fixes[0].title);
  assert.deepEqual(titles, ['Expire after 1234 seconds', 'Expire after 1234 seconds', 'Use 1234 seconds']);
});

test('without configuration the fixes use 300 seconds', async () => {
  const titles = (await findingsOf(MIXED)).map((finding) => finding.fixes[0].title);
  assert.deepEqual(titles, ['Expire after 300 seconds', 'Expire after 300 seconds', 'Use 300 seconds']);
  assert.deepEqual(await flagged('CACHE001', MIXED), ['shop/views.py:5']);
});

function describeCodes(findings: { code: string }[]): string[] {
  return findings.map((finding) => finding.code);
}
