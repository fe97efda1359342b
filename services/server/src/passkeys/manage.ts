import type { Knex } from 'knex';
import { auditActor, type AccountActor } from '../account/deps.ts';
import { AccountError } from '../account/errors.ts';
import { waysIn } from '../accounts/ways-in.ts';
import { isStorableText } from '../db/storable-text.ts';
import { insertCredential, listCredentials, renameCredential, type CredentialRow, type NewCredential } from '../db/webauthn.ts';
import { recordActorEvent } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { parseUserAgent } from '../sessions/user-agent.ts';
import type { Store } from '../store/index.ts';

/**
 * The owner's passkeys: list, add (after a verified registration), rename,
 * remove. The console (console.ts) and the account API (api/me/passkeys.ts)
 * both call these, so the rules live once.
 */

type Deps = { db: { knex: Knex }; store: Store };

export const PASSKEY_NAME_MAX = 64;

export type Passkey = {
  id: string;
  name: string;
  /** Synced across the person's devices (a backed-up, multi-device passkey) rather than bound to one. */
  synced: boolean;
  created_at: Date;
  last_used_at: Date | null;
};

const view = (row: CredentialRow): Passkey => ({
  id: row.id,
  name: row.name ?? t('passkeys.unnamed'),
  synced: row.device_type === 'multiDevice',
  created_at: new Date(row.created_at),
  last_used_at: row.last_used_at ? new Date(row.last_used_at) : null,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => new AccountError('not_found', t('passkeys.error.not_found'));

export async function listPasskeys(deps: Pick<Deps, 'db'>, userId: string): Promise<Passkey[]> {
  return (await listCredentials(deps.db.knex, userId)).map(view);
}

/** A name the person gave, or one that says where the passkey was made ("Chrome on macOS"). */
export function passkeyName(given: unknown, userAgent: string | undefined): string {
  const name = typeof given === 'string' ? given.trim() : '';
  if (name) return name;
  const agent = parseUserAgent(userAgent);
  return agent.browser && agent.os ? t('passkeys.default_name', { browser: agent.browser, os: agent.os }).slice(0, PASSKEY_NAME_MAX) : t('passkeys.unnamed');
}

function checkName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name) throw new AccountError('validation_failed', t('error.required', { field: t('passkeys.name').toLowerCase() }), { field: 'name' });
  if (name.length > PASSKEY_NAME_MAX || !isStorableText(name)) throw new AccountError('validation_failed', t('passkeys.error.name', { max: PASSKEY_NAME_MAX }), { field: 'name' });
  return name;
}

/** Saves a credential whose registration was verified (ceremony.ts), with its audit event. */
export async function addPasskey(deps: Deps, actor: AccountActor & { clientId?: string }, credential: Omit<NewCredential, 'name'>, name: unknown): Promise<Passkey> {
  const row = await deps.db.knex.transaction(async (trx) => {
    const saved = await insertCredential(trx, { ...credential, name: checkName(name) });
    if (!saved) return undefined;
    await recordActorEvent(trx, { ...auditActor(actor), clientId: actor.clientId }, {
      type: 'passkey.added',
      subjectUserId: actor.userId,
      data: { passkey_id: saved.id, name: saved.name, device_type: saved.device_type },
    });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
    return saved;
  });
  if (!row) throw new AccountError('conflict', t('passkeys.error.registered'));
  return view(row);
}

export async function renamePasskey(deps: Pick<Deps, 'db'>, actor: AccountActor, id: string, name: unknown): Promise<Passkey> {
  const checked = checkName(name);
  if (!UUID.test(id)) throw notFound();
  const row = await renameCredential(deps.db.knex, actor.userId, id, checked);
  if (!row) throw notFound();
  return view(row);
}

/**
 * Removes a passkey. A passkey is itself a second factor, so removing one
 * always needs a recent two-factor sign-in (`recentSecondFactor`, which the
 * console checks with console/step-up.ts; an API token cannot show one), and
 * it is refused when it is the account's last way in (ways-in.ts), decided
 * under a lock on the account so two removals cannot both take the last two.
 */
export async function removePasskey(
  deps: Deps & { methods: readonly SignInMethod[] },
  actor: AccountActor,
  id: string,
  options: { recentSecondFactor: boolean },
): Promise<void> {
  if (!UUID.test(id)) throw notFound();
  await deps.db.knex.transaction(async (trx) => {
    await trx('users').where({ id: actor.userId }).forUpdate().first('id');
    const row: CredentialRow | undefined = await trx('webauthn_credentials').where({ id, user_id: actor.userId }).first();
    if (!row) throw notFound();
    if (!options.recentSecondFactor) throw new AccountError('forbidden', t('passkeys.error.recent_second_factor'));
    const ways = await waysIn({ db: { knex: trx }, methods: deps.methods }, actor.userId);
    const others = Number(((await trx('webauthn_credentials').where({ user_id: actor.userId }).whereNot({ id }).count({ n: '*' }).first()) as { n: string | number }).n);
    if (ways.length === 1 && ways[0] === 'passkey' && others === 0) throw new AccountError('conflict', t('passkeys.error.last_way_in'));
    await trx('webauthn_credentials').where({ id, user_id: actor.userId }).delete();
    await recordActorEvent(trx, auditActor(actor), {
      type: 'passkey.removed',
      subjectUserId: actor.userId,
      data: { passkey_id: row.id, name: row.name, device_type: row.device_type },
    });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
  });
}
