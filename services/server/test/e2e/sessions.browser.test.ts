import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeSession } from '../../src/sessions/revoke.ts';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { landedOnCallback, startE2e, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`browser sessions in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  it('a sign-in writes a session row with the parsed user agent and IP, and a sign_in.success event', async () => {
    const { user, tab } = await e2e.signInAndAllow();

    const userAgent = (await tab.page.evaluate('navigator.userAgent')) as string;
    const sessions = await e2e.server.db.knex('sessions').where({ user_id: user.id });
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session.user_agent).toBe(userAgent);
    expect(session.browser).toMatch(/chrom/i);
    expect(session.os).toMatch(/linux/i);
    expect(session.ip).toMatch(/127\.0\.0\.1/);
    expect(session.last_activity_at).toBeTruthy();

    const events = await e2e.server.db.knex('audit_events').where({ type: 'sign_in.success', actor_id: user.id });
    expect(events).toHaveLength(1);
    expect(events[0].ip).toMatch(/127\.0\.0\.1/);
  });

  it('a revoked session stops working at once: the browser must sign in again', async () => {
    const { user, tab } = await e2e.signInAndAllow();

    const { uid } = await e2e.server.db.knex('sessions').where({ user_id: user.id }).first('uid');
    expect(await revokeSession({ knex: e2e.server.db.knex, store: e2e.server.store }, uid, 'test')).toBe(true);

    const silent = await e2e.app.authorizationRequest({ prompt: 'none' });
    await tab.page.goto(silent.url.href);
    expect((await landedOnCallback(tab.page, e2e.rp)).searchParams.get('error')).toBe('login_required');
    const normal = await e2e.app.authorizationRequest();
    await tab.page.goto(normal.url.href);
    await expect(tab.page.getByLabel('Password', { exact: true }).isVisible()).resolves.toBe(true);
  });
});
