// The CLI loads its bundle (and the TypeScript compiler's) through V8's code cache: the first run writes the code
// it compiled, later runs read it. A cache must never run stale code, and only a private folder is trusted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { flushCompileCache, requireWithCompileCache } from '../../server/src/node/compile-cache.js';

const bundle = (answer: number): string => `#!/usr/bin/env node\nexports.answer = () => ${answer};\nexports.name = __filename;\n`;

/** Runs `body` with a bundle answering `answer` (`file`) and a cache folder path (`cache`) in a fresh temp folder. */
function withBundle(answer: number, body: (paths: { dir: string; file: string; cache: string }) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-compile-'));
  try {
    const file = join(dir, 'bundle.js');
    writeFileSync(file, bundle(answer));
    body({ dir, file, cache: join(dir, 'cache') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the first load writes the cache on flush, and a changed bundle of the same length is compiled afresh, replacing it', () => {
  withBundle(41, ({ file, cache }) => {
    const first = requireWithCompileCache(file, cache);
    assert.equal(first.cache, 'will-write');
    assert.equal((first.exports as { answer(): number }).answer(), 41);
    assert.equal((first.exports as { name: string }).name, file);
    flushCompileCache();
    const written = readdirSync(cache);
    assert.equal(written.length, 1);
    assert.equal(statSync(join(cache, written[0])).mode & 0o777, 0o600);

    // (Within one process V8 reuses what it compiled: whether a cache file is read is checked in a child process below.)
    const second = requireWithCompileCache(file, cache);
    assert.notEqual(second.cache, 'off');
    assert.equal((second.exports as { answer(): number }).answer(), 41);

    // Same length, other code: V8 alone would accept the old cache; the file name (a hash of the text) does not.
    writeFileSync(file, bundle(42));
    const changed = requireWithCompileCache(file, cache);
    assert.equal(changed.cache, 'will-write');
    assert.equal((changed.exports as { answer(): number }).answer(), 42);
    // Another bundle's cache stays; the old version of this one goes.
    writeFileSync(join(cache, 'other-0123abcd.cache'), 'x');
    flushCompileCache();
    const kept = readdirSync(cache).sort();
    assert.equal(kept.length, 2, kept.join(', '));
    assert.ok(kept.includes('other-0123abcd.cache') && !kept.includes(written[0]), kept.join(', '));
  });
});

/**
 * Loads `file` in a fresh process (V8 reuses code compiled earlier in the same process, cache file or not), calls its
 * export `name` and, with `work`, tells the cache how much the run did.
 */
function loadInChild(file: string, cache: string, name = 'answer', work?: number): { cache: string; value: unknown } {
  const script = `const { requireWithCompileCache } = require(${JSON.stringify(join(__dirname, '../../server/src/node/compile-cache.ts'))});
const loaded = requireWithCompileCache(${JSON.stringify(file)}, ${JSON.stringify(cache)});
${work === undefined ? '' : `loaded.noteWork(${work});`}
process.stdout.write(JSON.stringify({ cache: loaded.cache, value: loaded.exports[${JSON.stringify(name)}]() }));`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { cache: string; value: unknown };
}

test('in a later process the cache is read; one cut short (V8 rejects it) is compiled afresh and written again', () => {
  withBundle(5, ({ file, cache }) => {
    assert.deepEqual(loadInChild(file, cache), { cache: 'will-write', value: 5 });
    assert.deepEqual(loadInChild(file, cache), { cache: 'read', value: 5 });
    const [name] = readdirSync(cache);
    const written = readFileSync(join(cache, name));
    writeFileSync(join(cache, name), written.subarray(0, written.length >> 1));
    assert.deepEqual(loadInChild(file, cache), { cache: 'will-write', value: 5 });
    assert.deepEqual(loadInChild(file, cache), { cache: 'read', value: 5 });
  });
});

test('a cache folder others can write is not used, nor any cache when NODE_DISABLE_COMPILE_CACHE=1', () => {
  withBundle(7, ({ dir, file }) => {
    const shared = join(dir, 'shared');
    requireWithCompileCache(file, shared);
    flushCompileCache();
    chmodSync(shared, 0o777);
    const loaded = requireWithCompileCache(file, shared);
    assert.equal(loaded.cache, 'off');
    assert.equal((loaded.exports as { answer(): number }).answer(), 7);

    process.env.NODE_DISABLE_COMPILE_CACHE = '1';
    try {
      assert.equal(requireWithCompileCache(file, join(dir, 'private')).cache, 'off');
    } finally {
      delete process.env.NODE_DISABLE_COMPILE_CACHE;
    }
  });
});

test('a transform changes the text that runs, and the cache belongs to the text that ran', () => {
  withBundle(3, ({ file, cache }) => {
    const mended = requireWithCompileCache(file, cache, (source) => source.replace('=> 3', '=> 4'));
    assert.equal((mended.exports as { answer(): number }).answer(), 4);
    flushCompileCache();
    const [mendedCache] = readdirSync(cache);
    const plain = requireWithCompileCache(file, cache);
    assert.equal((plain.exports as { answer(): number }).answer(), 3);
    assert.equal(plain.cache, 'will-write', 'the untransformed text has its own cache');
    assert.ok(mendedCache !== undefined);
  });
});

test('the same bundle at two paths has a cache each: stack traces name the file that ran, and neither run removes the other cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-compile-'));
  try {
    const cache = join(dir, 'cache');
    const text = 'exports.where = () => new Error("here").stack.split("\\n")[1];\n';
    const copies = ['a', 'b'].map((name) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'bundle.js'), text);
      return join(dir, name, 'bundle.js');
    });
    // A cache from before the path was part of the key: the first write of this bundle replaces it.
    mkdirSync(cache, { mode: 0o700 });
    writeFileSync(join(cache, 'bundle-0123456789abcdef01234567.cache'), 'x', { mode: 0o600 });
    for (const round of ['compiled', 'read']) {
      for (const file of copies) {
        const run = loadInChild(file, cache, 'where');
        assert.equal(run.cache, round === 'compiled' ? 'will-write' : 'read', `${file}, ${round}`);
        assert.match(String(run.value), new RegExp(`\\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:`), `${file}, ${round}`);
      }
    }
    assert.equal(readdirSync(cache).length, 2, readdirSync(cache).join(', '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run that did over twice the work of the run that wrote the cache writes it again, with the code it compiled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-compile-'));
  try {
    const file = join(dir, 'bundle.js');
    // `large` is compiled only by a run that calls it: a cache written by a run that did not leaves it out.
    const body = Array.from({ length: 400 }, (_, index) => `  total += ${index} * (n % ${index + 3});`).join('\n');
    writeFileSync(file, `exports.small = () => 1;\nexports.large = (n = 7) => {\n  let total = 0;\n${body}\n  return total;\n};\n`);
    const cache = join(dir, 'cache');
    const cacheFile = (): string => readdirSync(cache).find((name) => name.endsWith('.cache'))!;
    const recordedWork = (): string => readFileSync(join(cache, `${cacheFile()}.work`), 'utf8');

    assert.deepEqual(loadInChild(file, cache, 'small', 1), { cache: 'will-write', value: 1 });
    const first = readFileSync(join(cache, cacheFile()));
    assert.equal(recordedWork(), '1');
    // As much work again: the cache stays as it was.
    assert.equal(loadInChild(file, cache, 'small', 2).cache, 'read');
    assert.ok(readFileSync(join(cache, cacheFile())).equals(first));
    assert.equal(recordedWork(), '1');
    // Far more: written again, now holding `large`.
    assert.equal(loadInChild(file, cache, 'large', 50).cache, 'read');
    const second = readFileSync(join(cache, cacheFile()));
    assert.ok(second.length > first.length, `${second.length} > ${first.length}`);
    assert.equal(recordedWork(), '50');
    // Less than twice that: kept; and the rewritten cache is read and runs the same code.
    let expected = 0;
    for (let index = 0; index < 400; index++) expected += index * (7 % (index + 3));
    assert.deepEqual(loadInChild(file, cache, 'large', 80), { cache: 'read', value: expected });
    assert.ok(readFileSync(join(cache, cacheFile())).equals(second));
    assert.deepEqual(readdirSync(cache).sort(), [cacheFile(), `${cacheFile()}.work`].sort());
    // A run of 1,000 units or more has seen about all the code: later runs, however large, keep its cache.
    assert.equal(loadInChild(file, cache, 'small', 1000).cache, 'read');
    const broad = readFileSync(join(cache, cacheFile()));
    assert.equal(recordedWork(), '1000');
    assert.equal(loadInChild(file, cache, 'large', 50_000).cache, 'read');
    assert.ok(readFileSync(join(cache, cacheFile())).equals(broad));
    assert.equal(recordedWork(), '1000');
    // A new version of the bundle replaces both files of the old one.
    writeFileSync(file, 'exports.small = () => 2;\n');
    assert.deepEqual(loadInChild(file, cache, 'small', 1), { cache: 'will-write', value: 2 });
    assert.equal(readdirSync(cache).length, 2, readdirSync(cache).join(', '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
