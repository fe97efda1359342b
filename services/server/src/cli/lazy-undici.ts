import { createRequire } from 'node:module';

/** node:http's getters that load undici (Node's fetch and WebSocket implementation) on first read. */
const UNDICI_GETTERS = ['WebSocket', 'CloseEvent', 'MessageEvent'];

/**
 * Keeps undici unloaded until something really uses it (fetch does, when
 * called).
 *
 * An ES module that imports from 'node:http' (oidc-provider does, for
 * STATUS_CODES) makes Node build that module's ESM namespace, which reads
 * every export, and reading http.WebSocket loads undici: 0.8 MB of source to
 * compile, 4 MiB of the server's RSS at ready (135 → 131 MiB in `pnpm bench`)
 * for a server that may never fetch and never opens a WebSocket. Node
 * builds the namespace once, on the first such import; if these getters are
 * absent at that moment it leaves them out, and putting them back afterwards
 * keeps `http.WebSocket` working for CommonJS and default-import users. Must
 * run before anything imports 'node:http' (the CLI's entry calls it first).
 */
export async function keepUndiciLazy(): Promise<void> {
  const http = createRequire(import.meta.url)('node:http') as Record<string, unknown>;
  const hidden = UNDICI_GETTERS.flatMap((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(http, name);
    if (!descriptor?.get || !descriptor.configurable) return [];
    delete http[name];
    return [[name, descriptor] as const];
  });
  try {
    await import('node:http');
  } finally {
    for (const [name, descriptor] of hidden) Object.defineProperty(http, name, descriptor);
  }
}
