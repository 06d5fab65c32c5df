/**
 * The `cache-coach` command (dist/cli.js): loads the CLI bundle, dist/cli-main.js, through V8's code cache
 * (node/compile-cache.ts) and runs it. From the sources, server/src/cli.ts runs directly.
 */
import { join } from 'node:path';
import { requireWithCompileCache } from './node/compile-cache.js';

const cli = requireWithCompileCache(join(__dirname, 'cli-main.js')).exports as typeof import('./cli.js');
cli.runFromCommandLine();
