/**
 * typescript parses a long `a + b + ...` chain without recursion, into binary expressions nested as deep as the
 * chain is long. The TS/JS front end and rules walk such trees without recursion too: a module holding a
 * 20,000-term concatenation (generated text, an inlined asset) is analysed like any other, not skipped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, workspaceOf } from '../helpers/engine.js';

const PACKAGE = JSON.stringify({ name: 'catalog', dependencies: { ioredis: '5.4.1' } });

/** A cache-aside product lookup; `extra` goes into its body. */
function productModule(extra: string): string {
  return [
    "import Redis from 'ioredis';",
    'const redis = new Redis();',
    'export async function getProduct(id: string) {',
    '  const cached = await redis.get(`product:${id}`);',
    '  if (cached) return JSON.parse(cached);',
    extra,
    '  const product = await loadProduct(id, banner);',
    '  await redis.set(`product:${id}`, JSON.stringify(product));',
    '  return product;',
    '}',
    '',
  ].join('\n');
}

const chain = (terms: number): string => Array.from({ length: terms }, (_, index) => `"part${index}"`).join(' + ');

test('a store with no TTL is reported in a function that also builds a 20,000-term string', async () => {
  for (const terms of [10, 20_000]) {
    const findings = await findingsOf({ 'package.json': PACKAGE, 'src/products.ts': productModule(`  const banner = ${chain(terms)};`) });
    assert.deepEqual(
      findings.map((finding) => `${finding.path}:${finding.range.start.line + 1} ${finding.code}`),
      ['src/products.ts:8 CACHE201'],
      `${terms} terms`,
    );
  }
});

test('the same with the long string read in the miss test and returned', async () => {
  const findings = await findingsOf({
    'package.json': PACKAGE,
    'src/products.ts': productModule(`  const banner = ${chain(20_000)};\n  if (!banner) return null;`),
  });
  assert.deepEqual(findings.map((finding) => finding.code), ['CACHE201']);
});

test('a module whose stored value is a 20,000-term literal does not stop the check of the others, and is named as skipped', async () => {
  const deep = ["import Redis from 'ioredis';", 'const redis = new Redis();', 'export async function warmBanner() {', `  await redis.set('banner', ${chain(20_000)});`, '}', ''].join('\n');
  const workspace = await workspaceOf({ 'package.json': PACKAGE, 'src/banner.ts': deep, 'src/products.ts': productModule('  const banner = "";') });
  const findings = workspace.check();
  assert.deepEqual(
    findings.filter((finding) => finding.path === 'src/products.ts').map((finding) => finding.code),
    ['CACHE201'],
  );
  assert.deepEqual([...workspace.unanalysed()], [['src/banner.ts', 'nested too deep for the rules to follow']]);
  // Rewritten without the long literal, it is analysed again.
  workspace.update('src/banner.ts', deep.replace(chain(20_000), "'welcome'"));
  workspace.check();
  assert.deepEqual([...workspace.unanalysed()], []);
});

test('a module too deep for typescript\'s own parser is named as skipped', async () => {
  const nested = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
  const workspace = await workspaceOf({ 'package.json': PACKAGE, 'src/deep.ts': `import Redis from 'ioredis';\nconst redis = new Redis();\nexport const x = ${nested};\n` });
  assert.deepEqual(workspace.check(), []);
  assert.deepEqual([...workspace.unanalysed()], [['src/deep.ts', 'nested too deep for the TypeScript parser']]);
});
