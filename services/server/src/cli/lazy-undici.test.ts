import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;

/** Runs `prelude`, then imports oidc-provider (an ES module importing from 'node:http'), in a fresh Node. */
function report(prelude: string) {
  const script = `
    ${prelude}
    await import('oidc-provider');
    const undiciLoaded = () => process.moduleLoadList.some((m) => m.includes('undici'));
    const atStart = undiciLoaded();
    const http = (await import('node:module')).createRequire(import.meta.url)('node:http');
    const webSocket = typeof http.WebSocket;
    const { default: viaDefault } = await import('node:http');
    console.log(JSON.stringify({ atStart, webSocket, defaultWebSocket: typeof viaDefault.WebSocket, afterUse: undiciLoaded() }));
  `;
  const out = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], {
    cwd: path.resolve(here, '../..'),
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { atStart: boolean; webSocket: string; defaultWebSocket: string; afterUse: boolean };
}

describe('keepUndiciLazy', () => {
  it('keeps undici unloaded through ESM imports of node:http, and http.WebSocket still loads it on use', () => {
    const lazy = report(`const { keepUndiciLazy } = await import(${JSON.stringify(path.join(here, 'lazy-undici.ts'))}); await keepUndiciLazy();`);
    expect(lazy).toEqual({ atStart: false, webSocket: 'function', defaultWebSocket: 'function', afterUse: true });
  });

  it('is needed: without it the same imports load undici at once', () => {
    expect(report('').atStart).toBe(true);
  });
});
