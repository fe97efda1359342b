import type { InteractionDeps } from '../interactions/deps.ts';
import type { SignInMethod } from '../interactions/method.ts';
import type { UpstreamIdentity } from './identity.ts';
import { linkIdentityIn } from './link.ts';

/**
 * An upstream identity whose verified address belongs to an account that
 * has proved that address itself. It is never linked on the upstream's word
 * alone (pre-account-takeover): it waits here, under the interaction (which
 * only this browser can continue), until the person signs in to that
 * account with the account's own method in this same interaction; then it
 * is linked (onSignIn below). Signing in to any other account links nothing.
 */
export type PendingLink = { userId: string; identity: UpstreamIdentity };

const PENDING_LINK_TTL_SECONDS = 10 * 60;
const key = (uid: string) => `oauth_state:link:${uid}`;

export async function savePendingLink(deps: Pick<InteractionDeps, 'store'>, uid: string, pending: PendingLink): Promise<void> {
  await deps.store.set(key(uid), JSON.stringify(pending), PENDING_LINK_TTL_SECONDS);
}

export const linkAfterProof: NonNullable<SignInMethod['onSignIn']> = async (deps, { req, interaction, userId }) => {
  const raw = await deps.store.get(key(interaction.uid));
  if (!raw) return;
  await deps.store.del(key(interaction.uid));
  let pending: PendingLink;
  try {
    pending = JSON.parse(raw) as PendingLink;
  } catch {
    return;
  }
  if (pending.userId !== userId) return;
  await deps.db.knex.transaction((trx) =>
    linkIdentityIn(trx, {
      userId,
      identity: pending.identity,
      via: 'sign_in',
      origin: { ip: req.ip, userAgent: req.get('user-agent'), clientId: interaction.client.clientId },
    }),
  );
};
