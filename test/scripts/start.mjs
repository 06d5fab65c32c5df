// `npm start`: builds Cache Coach and runs it on the bundled sample Django project.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const sample = join(root, 'test', 'fixtures', 'sample-project');
const run = (args, cwd = root) => spawnSync(process.execPath, args, { cwd, stdio: 'inherit' }).status;

if (run([join(root, 'esbuild.config.mjs')]) !== 0) process.exit(1);
console.log(`\nCache Coach on the sample project (${sample}):\n`);
const status = run([join(root, 'dist', 'cli.js'), 'check'], sample);
console.log('\nTry: node dist/cli.js rule CACHE004   |   node dist/cli.js check test/fixtures/sample-project --format json');
process.exit(status === 2 ? 2 : 0);
