#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { keepUndiciLazy } from './lazy-undici.ts';

// What Node compiles (and the TypeScript it strips) is kept on disk, in
// NODE_COMPILE_CACHE or else the OS temp dir, so every start after the first
// skips most of the work of loading the server's ~1500 modules. It has to be on
// before they load, hence this entry of its own. It never fails a start (an
// unwritable directory only means no cache); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();
await keepUndiciLazy();
await import('./program.ts');
