import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { auth } from 'express-openid-connect';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { freshPostgres, realRedisUrl } from './support/backends.ts';
import { hasChromium, launchChromium, noChromiumReason, openTab, type Tab } from './support/chromium.ts';
import { runCli } from './support/process.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { signInWithPassword } from './e2e/fixture.ts';

/**
 * Back-channel logout checked by a relying-party library that validates
 * logout tokens itself: express-openid-connect (Auth0's RP middleware) with
 * `backchannelLogout` on. The RP is registered with the CLI's
 * `--backchannel-logout-uri` at a loopback address (operator-set, so it may
 * be private, with no relaxing setting); a person signs in through it in
 * Chromium; the operator revokes the session with the CLI; the library
 * accepts our logout token, and the RP's next request is not authenticated.
 * The worker polls only once a minute here, so the logout arriving within a
 * second is the wake-up on `backchannel:logouts` (through Redis, from the
 * CLI's process). A token for another client is refused by the library.
 */

type Answer = { at: number; status: number; body: string };
type LogoutStore = NonNullable<Extract<NonNullable<Parameters<typeof auth>[0]>['backchannelLogout'], object>['store']>;

/** An express-openid-connect RP on 127.0.0.1; `configure` mounts the library once Latchkey knows the client. */
async function startRp() {
  const answers: Answer[] = [];
  // An express-session style store, as the library asks for: callbacks, entries kept until destroyed.
  const logoutStore = new Map<string, Parameters<LogoutStore['set']>[1]>();
  const store: LogoutStore = {
    get: (key, done) => done(null, logoutStore.get(key)),
    set: (key, value, done) => {
      logoutStore.set(key, value);
      done?.(null);
    },
    destroy: (key, done) => {
      logoutStore.delete(key);
      done?.(null);
    },
  };
  const app = express();
  // What the library answered Latchkey's worker, and when.
  app.use('/backchannel-logout', (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      answers.push({ at: Date.now(), status: res.statusCode, body: typeof body === 'string' ? body : body === undefined ? '' : String(body) });
      return send(body);
    };
    next();
  });
  let router: express.RequestHandler = (_req, res) => void res.status(503).send('not configured');
  app.use((req, res, next) => router(req, res, next));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL,
    redirectUri: `${baseURL}/callback`,
    backchannelUri: `${baseURL}/backchannel-logout`,
    answers,
    configure(issuer: string, clientId: string, clientSecret: string) {
      const own = express.Router();
      own.use(
        auth({
          issuerBaseURL: issuer,
          baseURL,
          clientID: clientId,
          clientSecret,
          secret: randomBytes(32).toString('base64url'),
          authRequired: false,
          idpLogout: false,
          authorizationParams: { response_type: 'code', scope: 'openid' },
          backchannelLogout: { store },
        }),
      );
      own.get('/me', (req, res) => {
        res.json(req.oidc.isAuthenticated() ? { authenticated: true, sub: req.oidc.idTokenClaims?.sub, sid: req.oidc.idTokenClaims?.sid } : { authenticated: false });
      });
      router = own;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const skip = !hasChromium || !canUseRealServices;
describe.skipIf(skip)(`back-channel logout validated by express-openid-connect${skip ? ` (skipped: ${hasChromium ? 'no LATCHKEY_TEST_DATABASE_URL / LATCHKEY_TEST_REDIS_URL' : noChromiumReason})` : ''}`, () => {
  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  let server: TestServer;
  let browser: Browser;
  let cliEnv: Record<string, string>;
  const rps: Array<Awaited<ReturnType<typeof startRp>>> = [];

  beforeAll(async () => {
    [pg, browser] = await Promise.all([freshPostgres(), launchChromium()]);
    const secrets = randomBytes(32).toString('base64url');
    // Retries aside, the worker looks once a minute: anything faster is the wake-up.
    server = await startTestServer({ databaseUrl: pg.url, secrets, backchannel: { pollMs: 60_000 } });
    cliEnv = { DATABASE_URL: pg.url, LATCHKEY_SECRETS: secrets, REDIS_URL: realRedisUrl! };
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([browser?.close(), ...rps.map((rp) => rp.close())]);
    await server?.stop();
    await pg?.close();
  });

  const cli = async (...args: string[]) => {
    const result = await runCli([...args, '--json'], cliEnv);
    if (result.code !== 0) throw new Error(`latchkey ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, string>;
  };

  /** An RP registered by the operator; its logout tokens go to `backchannelUri` (its own route unless told otherwise). */
  async function registeredRp(name: string, options: { backchannelUri?: string } = {}) {
    const rp = await startRp();
    rps.push(rp);
    const { client_id, client_secret } = await cli(
      'clients', 'create', '--name', name, '--type', 'confidential', '--first-party',
      '--redirect-uri', rp.redirectUri, '--backchannel-logout-uri', options.backchannelUri ?? rp.backchannelUri,
    );
    rp.configure(server.issuer, client_id!, client_secret!);
    return { ...rp, clientId: client_id! };
  }

  const createUser = async () => {
    const email = `rp-user-${randomBytes(5).toString('hex')}@example.com`;
    const password = `correct horse ${randomBytes(4).toString('hex')} staple`;
    const [row] = (await pg.knex('users').insert({ email, email_verified: true, first_name: 'Ada', password_hash: await hashPassword(password) }).returning('id')) as Array<{ id: string }>;
    return { id: row!.id, email, password };
  };

  const me = async (tab: Tab, rp: { baseURL: string }) => {
    const response = await tab.page.goto(`${rp.baseURL}/me`);
    return (await response!.json()) as { authenticated: boolean; sub?: string; sid?: string };
  };

  /** Chromium signs in at the RP's /login (Latchkey's pages in between) and is back at the RP. */
  async function signInThrough(rp: { baseURL: string }) {
    const user = await createUser();
    const tab = await openTab(browser);
    await tab.page.goto(`${rp.baseURL}/login`);
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.waitForURL((url) => url.origin === rp.baseURL && !url.pathname.startsWith('/callback')).catch(async (error: Error) => {
      throw new Error(`${error.message}\nat ${tab.page.url()}: ${(await tab.page.locator('body').innerText()).slice(0, 500)}`);
    });
    const session = (await pg.knex('sessions').where({ user_id: user.id, status: 'active' }).first('uid')) as { uid: string };
    return { user, tab, sessionUid: session.uid };
  }

  const waitFor = async <T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const value = await check();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('the operator revokes the session with the CLI: the library accepts the logout token and the RP\'s session ends, within a second', async () => {
    const rp = await registeredRp('Library RP');
    const { user, tab, sessionUid } = await signInThrough(rp);
    try {
      const before = await me(tab, rp);
      expect(before).toMatchObject({ authenticated: true, sub: user.id, sid: expect.any(String) });

      await cli('sessions', 'revoke', sessionUid);
      const accepted = await waitFor('the RP\'s answer', () => rp.answers[0]);
      expect(accepted, accepted.body).toMatchObject({ status: 204 });
      // From the revocation (its row's timestamp, same clock) to the library having accepted the token.
      const { revoked_at } = (await pg.knex('sessions').where({ uid: sessionUid }).first('revoked_at')) as { revoked_at: Date };
      const latencyMs = accepted.at - new Date(revoked_at).getTime();
      console.log(`back-channel logout: session revoked → logout token accepted by express-openid-connect in ${latencyMs} ms (worker timer 60 s)`);
      expect(latencyMs).toBeLessThan(1_000);

      // The RP's own session is over: the same browser, same cookie, is no longer signed in there.
      expect(await me(tab, rp)).toEqual({ authenticated: false });
      const rows = await pg.knex('backchannel_logouts').where({ client_id: rp.clientId }).select('status', 'trust', 'attempts', 'last_status');
      expect(rows).toEqual([{ status: 'delivered', trust: 'operator', attempts: 1, last_status: 204 }]);
    } finally {
      await tab.close();
    }
  });

  it('a logout token for another client is refused by the library, and the RP\'s session is untouched', async () => {
    const rp = await registeredRp('Library RP (target)');
    // A second RP whose logout URI (wrongly) points at the first one: its tokens name itself as audience.
    const other = await registeredRp('Other RP', { backchannelUri: rp.backchannelUri });
    const signedInHere = await signInThrough(rp);
    const elsewhere = await signInThrough(other);
    try {
      await cli('sessions', 'revoke', elsewhere.sessionUid);
      const refused = await waitFor('the RP\'s answer', () => rp.answers[0]);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/aud/) });
      // A 400 is the RP's final word (§2.8): recorded as failed, not retried.
      const row = await waitFor('the recorded refusal', async () => {
        const found = (await pg.knex('backchannel_logouts').where({ client_id: other.clientId }).first('status', 'last_status')) as { status: string; last_status: number } | undefined;
        return found?.status === 'pending' ? undefined : found;
      });
      expect(row).toEqual({ status: 'failed', last_status: 400 });
      expect(await me(signedInHere.tab, rp)).toMatchObject({ authenticated: true, sub: signedInHere.user.id });
    } finally {
      await Promise.all([signedInHere.tab.close(), elsewhere.tab.close()]);
    }
  });
});
