/**
 * The `cache-coach` command (dist/cli.js): loads the CLI bundle, dist/cli-main.js, through V8's code cache
 * (node/compile-cache.ts) and runs it. From the sources, server/src/cli.ts runs directly.
 */
import { join } from 'node:path';
import { requireWithCompileCache } from './node/compile-cache.js';

const loaded = requireWithCompileCache(join(__dirname, 'cli-main.js'));
const cli = loaded.exports as typeof import('./cli.js');
// How many files a run scanned tells the code cache whether it saw far more of the code than the run that wrote it.
cli.runFromCommandLine({ scanned: (files) => loaded.noteWork(files) });
