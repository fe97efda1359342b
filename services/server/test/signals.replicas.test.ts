import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';
import { canUseRealServices } from './support/server.ts';
import { setValidator, ssfCall, ssfReceiverToken } from './support/ssf-receiver.ts';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

describe.skipIf(!canUseRealServices)('shared signals on several replicas', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await startDeployment();
  }, 60_000);
  afterAll(() => deployment?.stop());

  it('an event committed by one replica wakes a long poll held by another in under a second', async () => {
    const { pages, b } = deployment;
    const { token, clientId } = await ssfReceiverToken(pages);
    const { body } = await ssfCall(pages, token, 'POST', '/ssf/streams', { events_requested: [`${RISC}account-disabled`] });
    const path = new URL(body.delivery.endpoint_url).pathname;
    const userId = await pages.createUser();

    const held = ssfCall({ url: b.url }, token, 'POST', path, { returnImmediately: false });
    // Let replica B look, find nothing and start waiting.
    await new Promise((r) => setTimeout(r, 500));
    const committed = Date.now();
    await changeAccountStatus({ knex: pages.db.knex, store: pages.store }, userId, { action: 'block' }, { actor: OPERATOR });
    const answer = await held;
    const ms = Date.now() - committed;
    console.log(`long poll on replica B answered ${ms} ms after the commit on the other replica`);
    expect(ms).toBeLessThan(1000);
    const [jwt] = Object.values(answer.body.sets as Record<string, string>);
    const set = await setValidator(pages.issuer, clientId).validate(jwt!);
    expect(set.type).toBe(`${RISC}account-disabled`);
    expect(set.claims.sub_id).toEqual({ format: 'iss_sub', iss: pages.issuer, sub: userId });
  });
});
