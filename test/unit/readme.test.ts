import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withRulesSection } from '../../server/src/cli/readme-rules.js';
import { RULES } from '../../server/src/rules/index.js';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the README rule table is generated from the rules (run `npm run readme:rules` when this fails)', () => {
  assert.equal(readme, withRulesSection(readme));
});

test('every rule has a README anchor that its docs URL points at', () => {
  for (const rule of RULES) assert.match(readme, new RegExp(`^### ${rule.code}$`, 'm'));
});

test('rule links (package.json homepage) go to the npm page that publishes this README, and the README says so', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; homepage: string };
  assert.equal(manifest.homepage, `https://www.npmjs.com/package/${manifest.name}`);
  assert.ok(readme.includes(`\`${manifest.homepage}#cache001\``));
});

test('the README gives the two commands a new user runs', () => {
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm ci && npm test/);
});

test('.ci/run runs exactly the README test command', () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^npm ci && npm test$/m);
});
