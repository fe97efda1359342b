import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalToken, registerApi, serviceToken, startLatchkey, type TestServer } from './support.ts';

/**
 * The three published packages as a stranger gets them: `pnpm pack` (which
 * builds through `prepack` and swaps in the dist `exports` from
 * `publishConfig`), checked with publint and are-the-types-wrong (ESM-only
 * profile), installed with npm into an empty project, then imported and used
 * from plain ESM against a running Latchkey, and typechecked as a consumer's
 * TypeScript would.
 */
const run = promisify(execFile);
const packagesDir = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => path.join(packagesDir, 'node', 'node_modules', '.bin', name);
const PACKAGES = ['contract', 'node', 'browser'] as const;

async function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeout = 240_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024, timeout });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

const SMOKE = `
import { initClient } from '@ts-rest/core';
import { contract, ERRORS } from '@latchkey/contract';
import { createVerifier, InsufficientScopeError } from '@latchkey/node';
import * as browser from '@latchkey/browser';
import { createAccountClient } from '@latchkey/browser/account';

const { ISSUER, AUDIENCE, ACCESS_TOKEN, PAT } = process.env;
const out = {};

const api = initClient(contract, { baseUrl: ISSUER, baseHeaders: { authorization: 'Bearer ' + PAT } });
const profile = await api.me.profile.get();
out.contract = { path: contract.me.profile.get.path, status: profile.status, id: profile.body.id, hasErrors: typeof ERRORS === 'object' };

const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE });
const claims = await verifier.verify('Bearer ' + ACCESS_TOKEN, { scopes: ['read:things'] });
let refused;
try { await verifier.verify(ACCESS_TOKEN, { scopes: ['write:things'] }); } catch (error) { refused = error instanceof InsufficientScopeError ? 'InsufficientScopeError' : String(error); }
out.node = { aud: [claims.aud].flat(), scope: [claims.scope].flat().join(' '), refused };

const account = createAccountClient({ issuer: ISSUER, fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, authorization: 'Bearer ' + PAT } }) });
const me = await account.get('/api/v1/me');
out.browser = { createLatchkey: typeof browser.createLatchkey, LatchkeyError: typeof browser.LatchkeyError, accountId: me.data.id };

console.log(JSON.stringify(out));
`;

// A consumer's TypeScript: if the published types were missing or \`any\`, the @ts-expect-error lines would fail.
const TYPES = `
import { initClient } from '@ts-rest/core';
import { contract } from '@latchkey/contract';
import { createLatchkey, type LatchkeyOptions } from '@latchkey/browser';

const api = initClient(contract, { baseUrl: 'https://id.example.com' });
export async function email(): Promise<string | null> {
  const { status, body } = await api.me.profile.get();
  if (status !== 200) return null;
  // @ts-expect-error a profile has no such field
  void body.password_hash;
  return body.email;
}
export const options: LatchkeyOptions['issuer'] = 'https://id.example.com';
// @ts-expect-error createLatchkey takes options
createLatchkey(42);
`;

describe('published packages: pack, lint, install, use', () => {
  let dir: string;
  let server: TestServer;
  const tarballs: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'latchkey-release-'));
    const packs = path.join(dir, 'packs');
    for (const name of PACKAGES) await sh('pnpm', ['pack', '--pack-destination', packs], path.join(packagesDir, name));
    for (const file of await readdir(packs)) tarballs[/^latchkey-(\w+)-/.exec(file)![1]!] = path.join(packs, file);
    server = await startLatchkey();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(PACKAGES)('@latchkey/%s passes publint (strict) and are-the-types-wrong (esm-only)', async (name) => {
    const tarball = tarballs[name]!;
    expect(await sh(bin('publint'), ['run', tarball, '--strict'], dir)).toContain('All good');
    await sh(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], dir);
  }, 120_000);

  it('installs from the tarballs with npm and works from plain ESM and from TypeScript', async () => {
    const app = path.join(dir, 'app');
    const tsRest = JSON.parse(await sh('tar', ['-xzOf', tarballs.contract!, 'package/package.json'], dir)).dependencies['@ts-rest/core'] as string;
    await sh('mkdir', ['-p', app], dir);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({
      name: 'scratch', private: true, type: 'module',
      dependencies: { '@ts-rest/core': tsRest, ...Object.fromEntries(PACKAGES.map((name) => [`@latchkey/${name}`, `file:${tarballs[name]}`])) },
    }));
    // The registry is the one part of this test not on this machine: a stalled connection is dropped and
    // retried rather than waited on for npm's default five minutes, a failed install is run once more, and
    // npm's http log goes into the error so a failure names the request (earlier "hangs" were TLS refusals
    // retried with back-off, until turbo.json passed the machine's NODE_EXTRA_CA_CERTS through).
    const install = () => sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=http', '--fetch-timeout=20000', '--fetch-retries=4'], app, {}, 100_000);
    await install().catch(install);

    const audience = 'https://things.example.com';
    await registerApi(server, audience, ['read:things']);
    const accessToken = await serviceToken(server, audience, ['read:things']);
    const { token: pat, userId } = await personalToken(server, ['account']);
    await writeFile(path.join(app, 'smoke.mjs'), SMOKE);
    const out = JSON.parse(await sh(process.execPath, ['smoke.mjs'], app, { ISSUER: server.issuer, AUDIENCE: audience, ACCESS_TOKEN: accessToken, PAT: pat }));
    expect(out).toEqual({
      contract: { path: '/api/v1/me', status: 200, id: userId, hasErrors: true },
      node: { aud: [audience], scope: 'read:things', refused: 'InsufficientScopeError' },
      browser: { createLatchkey: 'function', LatchkeyError: 'function', accountId: userId },
    });

    await writeFile(path.join(app, 'types.ts'), TYPES);
    await writeFile(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: [], strict: true, noEmit: true, skipLibCheck: true },
      files: ['types.ts'],
    }));
    await sh(bin('tsc'), ['-p', 'tsconfig.json'], app);
  }, 420_000);
});
