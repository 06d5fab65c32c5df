import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findingsOf, flagged, py, spans, type Files } from '../../helpers/engine.js';
import { PYTHON, pythonSyntaxError } from '../../helpers/python.js';
import { applyEdits } from '../../../server/src/analysis/text.js';
import { assertFixIsClean } from './support.js';

const CODE = 'CACHE005';
const PATH = 'shop/settings.py';

const SECURITY = 'django.middleware.security.SecurityMiddleware';
const SESSION = 'django.contrib.sessions.middleware.SessionMiddleware';
const LOCALE = 'django.middleware.locale.LocaleMiddleware';
const GZIP = 'django.middleware.gzip.GZipMiddleware';
const COMMON = 'django.middleware.common.CommonMiddleware';
const CSRF = 'django.middleware.csrf.CsrfViewMiddleware';
const AUTH = 'django.contrib.auth.middleware.AuthenticationMiddleware';
const UPDATE = 'django.middleware.cache.UpdateCacheMiddleware';
const FETCH = 'django.middleware.cache.FetchFromCacheMiddleware';

/** A settings module with one middleware per line, the way startproject writes it. */
function settings(middleware: string[]): Files {
  return { [PATH]: `MIDDLEWARE = [\n${middleware.map((name) => `    "${name}",\n`).join('')}]\n` };
}

/** The MIDDLEWARE list a settings text really defines, evaluated by CPython. */
function middlewareOf(source: string): string[] {
  const result = spawnSync(PYTHON, ['-c', 'import json, sys\nnamespace = {}\nexec(sys.stdin.read(), namespace)\nprint(json.dumps(list(namespace["MIDDLEWARE"])))'], {
    input: source,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as string[];
}

/** Applies the first fix of the first CACHE005 finding, again and again, until none is left. */
async function fixAllOneByOne(files: Files): Promise<string> {
  let text = files[PATH];
  for (let round = 0; round < 5; round++) {
    const finding = (await findingsOf({ ...files, [PATH]: text })).find((candidate) => candidate.code === CODE);
    if (!finding) return text;
    text = applyEdits(text, finding.fixes[0].edits);
    assert.equal(pythonSyntaxError(text), null, text);
  }
  assert.fail(`still reported after 5 fixes:\n${text}`);
}

// ---- flagged ----

test('UpdateCacheMiddleware after SessionMiddleware is flagged; the span is the entry', async () => {
  const files = settings([SECURITY, SESSION, UPDATE, COMMON, FETCH]);
  assert.deepEqual(await flagged(CODE, files), [`${PATH}:4`]);
  assert.deepEqual(await spans(CODE, files), [`"${UPDATE}"`]);
});

test('UpdateCacheMiddleware after LocaleMiddleware or GZipMiddleware is flagged', async () => {
  assert.deepEqual(await flagged(CODE, settings([LOCALE, UPDATE, COMMON, FETCH])), [`${PATH}:3`]);
  assert.deepEqual(await flagged(CODE, settings([GZIP, UPDATE, COMMON, FETCH])), [`${PATH}:3`]);
});

test('FetchFromCacheMiddleware before SessionMiddleware, LocaleMiddleware or GZipMiddleware is flagged', async () => {
  assert.deepEqual(await flagged(CODE, settings([UPDATE, FETCH, SESSION, COMMON])), [`${PATH}:3`]);
  assert.deepEqual(await flagged(CODE, settings([UPDATE, SESSION, FETCH, LOCALE, COMMON])), [`${PATH}:4`]);
  assert.deepEqual(await flagged(CODE, settings([UPDATE, FETCH, GZIP])), [`${PATH}:3`]);
});

test('both entries misplaced: two findings', async () => {
  const files = settings([SECURITY, SESSION, UPDATE, FETCH, LOCALE, COMMON]);
  assert.deepEqual(await flagged(CODE, files), [`${PATH}:4`, `${PATH}:5`]);
});

test('a tuple, single quotes and constants are read', async () => {
  const files = {
    [PATH]: py`
      SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"

      MIDDLEWARE = (
          SESSIONS,
          'django.middleware.cache.UpdateCacheMiddleware',
          'django.middleware.cache.FetchFromCacheMiddleware',
      )
    `,
  };
  assert.deepEqual(await flagged(CODE, files), [`${PATH}:5`]);
});

test('the assignment in force is the one checked (a later override replaces a bad order)', async () => {
  const files = {
    [PATH]: `${settings([SESSION, UPDATE, FETCH])[PATH]}\nMIDDLEWARE = [\n    "${UPDATE}",\n    "${SESSION}",\n    "${FETCH}",\n]\n`,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- quiet ----

test('quiet on the documented order', async () => {
  const files = settings([SECURITY, UPDATE, SESSION, LOCALE, COMMON, CSRF, AUTH, GZIP, FETCH]);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('GZipMiddleware above UpdateCacheMiddleware is flagged; below it is quiet', async () => {
  // GZipMiddleware sets Vary: Accept-Encoding in process_response; it must run after UpdateCacheMiddleware in the response phase.
  assert.deepEqual(await flagged(CODE, settings([GZIP, UPDATE, SESSION, FETCH])), [`${PATH}:3`]);
  assert.deepEqual(await flagged(CODE, settings([UPDATE, GZIP, SESSION, FETCH])), []);
});

test('quiet when no middleware adds to Vary', async () => {
  const files = settings([SECURITY, FETCH, COMMON, CSRF, UPDATE]);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet without the cache middleware', async () => {
  const files = settings([SECURITY, SESSION, LOCALE, COMMON, CSRF, AUTH]);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet when only one of the pair is present and well placed', async () => {
  assert.deepEqual(await flagged(CODE, settings([UPDATE, SESSION, COMMON])), []);
  assert.deepEqual(await flagged(CODE, settings([SESSION, COMMON, FETCH])), []);
});

test('MIDDLEWARE += [UpdateCacheMiddleware] after a list holding SessionMiddleware is the misplacement it looks like', async () => {
  const files = {
    [PATH]: py`
      MIDDLEWARE = ["${SESSION}", "${COMMON}"]
      MIDDLEWARE += ["${UPDATE}"]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), [`${PATH}:2`]);
});

test('quiet on a MIDDLEWARE list changed by insert() at run time', async () => {
  const files = {
    [PATH]: py`
      MIDDLEWARE = ["${SESSION}", "${COMMON}"]
      MIDDLEWARE.insert(0, "${UPDATE}")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- the fix ----

test('the fix moves UpdateCacheMiddleware before the first Vary middleware', async () => {
  const files = settings([SECURITY, SESSION, UPDATE, COMMON, FETCH]);
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.deepEqual(middlewareOf(text), [SECURITY, UPDATE, SESSION, COMMON, FETCH]);
  assert.equal(text, settings([SECURITY, UPDATE, SESSION, COMMON, FETCH])[PATH]);
});

test('the fix moves FetchFromCacheMiddleware after the last Vary middleware', async () => {
  const files = settings([UPDATE, SESSION, FETCH, LOCALE, COMMON]);
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.deepEqual(middlewareOf(text), [UPDATE, SESSION, LOCALE, FETCH, COMMON]);
});

test('both misplaced: fixing one after the other gives the right order', async () => {
  const files = settings([SECURITY, SESSION, UPDATE, FETCH, LOCALE, COMMON]);
  const text = await fixAllOneByOne(files);
  assert.deepEqual(middlewareOf(text), [SECURITY, UPDATE, SESSION, LOCALE, FETCH, COMMON]);
});

test('the fix keeps the list valid when the moved entry has no trailing comma', async () => {
  const files = {
    [PATH]: `MIDDLEWARE = [\n    "${SESSION}",\n    "${COMMON}",\n    "${UPDATE}"\n]\n`,
  };
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.deepEqual(middlewareOf(text), [UPDATE, SESSION, COMMON]);
});

test('the fix does not glue strings together when the Vary middleware it moves after has no trailing comma', async () => {
  const files = {
    [PATH]: `MIDDLEWARE = [\n    "${UPDATE}",\n    "${FETCH}",\n    "${LOCALE}"\n]\n`,
  };
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.deepEqual(middlewareOf(text), [UPDATE, LOCALE, FETCH]);
});

test('the fix keeps a comment on the moved line', async () => {
  const files = {
    [PATH]: `MIDDLEWARE = [\n    "${SESSION}",\n    "${UPDATE}",  # site cache\n    "${FETCH}",\n]\n`,
  };
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.equal(text, `MIDDLEWARE = [\n    "${UPDATE}",  # site cache\n    "${SESSION}",\n    "${FETCH}",\n]\n`);
});

test('the fix reorders a list written on one line', async () => {
  const files = { [PATH]: `MIDDLEWARE = ["${SESSION}", "${UPDATE}", "${COMMON}", "${FETCH}"]\n` };
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.deepEqual(middlewareOf(text), [UPDATE, SESSION, COMMON, FETCH]);
});

test('the fix works with CRLF line endings', async () => {
  const files = { [PATH]: settings([SESSION, UPDATE, FETCH])[PATH].replace(/\n/g, '\r\n') };
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.deepEqual(middlewareOf(text), [UPDATE, SESSION, FETCH]);
  assert.ok(!/[^\r]\n/.test(text), 'mixed line endings');
});

test('comment lines inside the list are not entries: the fix moves only the entry', async () => {
  const files = {
    [PATH]: `MIDDLEWARE = [\n    # sessions first\n    "${SESSION}",\n    # then the cache\n    "${UPDATE}",\n    "${FETCH}",\n]\n`,
  };
  assert.deepEqual(await flagged(CODE, files), [`${PATH}:5`]);
  const text = await assertFixIsClean(CODE, files, PATH);
  assert.equal(text, `MIDDLEWARE = [\n    # sessions first\n    "${UPDATE}",\n    "${SESSION}",\n    # then the cache\n    "${FETCH}",\n]\n`);
});

test('MIDDLEWARE += (...) appending UpdateCacheMiddleware after a star-imported SessionMiddleware is flagged; appended first in the base list is not', async () => {
  const base = py`
    MIDDLEWARE = (
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
    )
  `;
  const extended = py`
    from config.common import *

    MIDDLEWARE += (
        "django.middleware.cache.UpdateCacheMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.cache.FetchFromCacheMiddleware",
    )
  `;
  assert.deepEqual(await flagged(CODE, { 'config/common.py': base, 'config/production.py': extended }), ['config/production.py:4']);
  // Appending only FetchFromCacheMiddleware (last, after every Vary middleware) is right.
  const fetchOnly = extended.replace('    "django.middleware.cache.UpdateCacheMiddleware",\n', '');
  assert.deepEqual(await flagged(CODE, { 'config/common.py': base, 'config/production.py': fetchOnly }), []);
  // Under `if DEBUG:` the extension is development-only.
  const debugOnly = 'from config.common import *\n\nif DEBUG:\n    MIDDLEWARE += ("django.middleware.cache.UpdateCacheMiddleware",)\n';
  assert.deepEqual(await flagged(CODE, { 'config/common.py': base, 'config/production.py': debugOnly }), []);
});
