/**
 * The language server command (dist/server.js: `cache-coach-server --stdio`, and the process the VS Code client
 * starts): loads the server bundle, dist/server-main.js, through V8's code cache (node/compile-cache.ts) and
 * starts it. Compiling the bundle's functions again in every new server was a good part of the time to the
 * first diagnostics. From the sources, server/src/server.ts runs directly.
 */
import { join } from 'node:path';
import { requireWithCompileCache } from './node/compile-cache.js';

const server = requireWithCompileCache(join(__dirname, 'server-main.js')).exports as typeof import('./server.js');
server.startServer();
