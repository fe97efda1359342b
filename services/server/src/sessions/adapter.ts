import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Knex } from 'knex';
import { isStorableText, isStorableValue } from '../db/storable-text.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { Store } from '../store/index.ts';
import { validityKey } from './validity.ts';
import { currentClient } from './request.ts';
import { endSession, findSession, upsertSession, type SessionPayload } from './rows.ts';
import { parseUserAgent } from './user-agent.ts';

/**
 * oidc-provider's Session model on the `sessions` table (see rows.ts for why
 * rows follow the uid). Each save records who is on the other end of the
 * request (Express's req.ip and the parsed user agent) when it is a sign-in;
 * a sign-in is announced on `session:created`.
 */
export class SessionAdapter implements Adapter {
  readonly #knex: Knex;
  readonly #store: Store | undefined;

  constructor(knex: Knex, store?: Store) {
    this.#knex = knex;
    this.#store = store;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
    // A session keeps request parameters (e.g. a logout's state); Postgres cannot store NUL in them.
    if (!isStorableText(id) || !isStorableValue(payload)) {
      throw new errors.InvalidRequest('parameters must not contain NUL characters or unpaired surrogates');
    }
    const client = currentClient();
    const saved = await upsertSession(
      this.#knex,
      id,
      payload as SessionPayload,
      expiresIn,
      client ? { ...client, ...parseUserAgent(client.userAgent) } : undefined,
    );
    if (saved.signedIn && saved.userId && this.#store) {
      publishAfterCommit(this.#knex, this.#store, 'session:created', { sessionId: saved.uid, userId: saved.userId });
    }
  }

  async find(id: string) {
    return (await findSession(this.#knex, id, 'id')) as AdapterPayload | undefined;
  }

  async findByUid(uid: string) {
    return (await findSession(this.#knex, uid, 'uid')) as AdapterPayload | undefined;
  }

  async findByUserCode() {
    return undefined;
  }

  async consume(): Promise<void> {
    throw new Error('Session cannot be consumed');
  }

  async destroy(id: string) {
    const ended = await endSession(this.#knex, id);
    // Logout: drop a cached "valid" at once (an id rotation re-validates on the next check).
    if (ended && this.#store) await this.#store.del(validityKey(ended.uid)).catch(() => {});
  }

  async revokeByGrantId() {
    // Sessions hold no grant.
  }
}
