import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeEvents } from '../src/events/publish.ts';
import { parseUserAgent } from '../src/sessions/user-agent.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { SessionBrowser, signInAt } from './support/session-flow.ts';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('parseUserAgent', () => {
  it.each([
    [FIREFOX_LINUX, { browser: 'Firefox 121', os: 'Ubuntu', device: 'desktop' }],
    [SAFARI_IPHONE, { browser: 'Mobile Safari 17', os: 'iOS 17.1', device: 'mobile (Apple iPhone)' }],
    [CHROME_WINDOWS, { browser: 'Chrome 120', os: 'Windows 10', device: 'desktop' }],
    ['', { browser: null, os: null, device: null }],
    [undefined, { browser: null, os: null, device: null }],
  ])('%s', (userAgent, expected) => {
    expect(parseUserAgent(userAgent)).toEqual(expected);
  });

  it('a user agent it cannot read gives nulls, not a guess', () => {
    expect(parseUserAgent('curl/8.5.0')).toEqual({ browser: null, os: null, device: null });
    expect(parseUserAgent('???')).toEqual({ browser: null, os: null, device: null });
  });
});

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('a sign-in writes the session row (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, env: { LATCHKEY_TRUST_PROXY: 'loopback' } });
  }, 60_000);
  afterAll(() => server?.stop());

  it('with the parsed user agent and the client address, and announces session:created', async () => {
    const created: Array<{ sessionId: string; userId: string }> = [];
    const unsubscribe = await subscribeEvents(server.store, 'session:created', (payload) => created.push(payload));
    try {
      const client = await server.createClient();
      const userId = await server.createUser();
      const browser = new SessionBrowser({ 'user-agent': SAFARI_IPHONE, 'x-forwarded-for': '198.51.100.77' });
      const callback = await signInAt(browser, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
      expect(callback.searchParams.get('code')).toBeTruthy();

      const rows = await server.db.knex('sessions').where({ user_id: userId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'active',
        user_agent: SAFARI_IPHONE,
        ip: '198.51.100.77',
        browser: 'Mobile Safari 17',
        os: 'iOS 17.1',
        device: 'mobile (Apple iPhone)',
      });
      const until = Date.now() + 3000;
      while (!created.some((c) => c.userId === userId) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(created.filter((c) => c.userId === userId)).toEqual([{ sessionId: rows[0].uid, userId }]);
    } finally {
      await unsubscribe();
    }
  });
});
