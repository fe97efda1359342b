import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import { SessionAdapter } from '../sessions/adapter.ts';
import type { Store } from '../store/index.ts';
import { splitClientScope } from './client-scopes.ts';
import { deleteClient, findClientMetadata, upsertClientMetadata } from '../db/oidc-clients.ts';
import {
  consumeModel,
  destroyModel,
  findModel,
  isModelName,
  modelTables,
  revokeGrant,
  upsertModel,
  type ModelPayload,
  type ModelTable,
} from '../db/oidc-models.ts';

/** What oidc-provider's `adapter` option takes: `new Adapter(modelName)`. */
export type AdapterClass = new (name: string) => Adapter;

const asPayload = (stored: ModelPayload | undefined) => stored as AdapterPayload | undefined;

/**
 * oidc-provider's storage adapter on Postgres/PGlite. Each call is one SQL
 * statement (src/db/oidc-models.ts, src/db/oidc-clients.ts, src/sessions/rows.ts). consume() is the
 * atomic single-use check oidc-provider itself lacks: it throws when the
 * code/token was already redeemed, after revoking the grant.
 */
export function createAdapter(db: Db, keyring: Keyring, options: { store?: Store } = {}): AdapterClass {
  const { knex } = db;
  // oidc-provider revokes a grant by calling revokeByGrantId on every
  // grant-bearing model at once; one statement already covers them all, so
  // concurrent calls for the same grant share it.
  const revoking = new Map<string, Promise<void>>();
  const revokeOnce = (grantId: string) => {
    let pending = revoking.get(grantId);
    if (!pending) {
      pending = revokeGrant(knex, grantId).finally(() => revoking.delete(grantId));
      revoking.set(grantId, pending);
    }
    return pending;
  };

  class ModelAdapter implements Adapter {
    readonly #spec: ModelTable;
    readonly #name: string;

    constructor(name: string, spec: ModelTable) {
      this.#name = name;
      this.#spec = spec;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      await upsertModel(knex, this.#spec, id, payload as ModelPayload, expiresIn);
    }

    async find(id: string) {
      return asPayload(await findModel(knex, this.#spec, id));
    }

    async findByUserCode(userCode: string) {
      return this.#spec.userCode ? asPayload(await findModel(knex, this.#spec, userCode, 'user_code')) : undefined;
    }

    async findByUid(uid: string) {
      return this.#spec.uid ? asPayload(await findModel(knex, this.#spec, uid, 'uid')) : undefined;
    }

    async consume(id: string) {
      if (await consumeModel(knex, this.#spec, id)) return;
      // oidc-provider ignores consume()'s result: only an error stops the loser of a parallel redemption.
      if (this.#name === 'PushedAuthorizationRequest') {
        throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      }
      throw new errors.InvalidGrant(`${this.#name} already consumed`);
    }

    async destroy(id: string) {
      await destroyModel(knex, this.#spec, id);
    }

    async revokeByGrantId(grantId: string) {
      await revokeOnce(grantId);
    }
  }

  class ClientAdapter implements Adapter {
    async upsert(id: string, payload: AdapterPayload) {
      await upsertClientMetadata(knex, id, payload as ModelPayload, (secret) => keyring.hash('client-secret', secret));
    }

    async find(id: string) {
      const metadata = await findClientMetadata(knex, id);
      return metadata ? asPayload(splitClientScope(metadata)) : undefined;
    }

    async findByUserCode() {
      return undefined;
    }

    async findByUid() {
      return undefined;
    }

    async consume(): Promise<void> {
      throw new Error('Client cannot be consumed');
    }

    async destroy(id: string) {
      await deleteClient(knex, id);
    }

    async revokeByGrantId() {
      // Clients hold no grant.
    }
  }

  // oidc-provider instantiates one adapter per model, lazily, with `new`.
  return class LatchkeyAdapter implements Adapter {
    readonly #impl: Adapter;

    constructor(name: string) {
      if (name === 'Client') this.#impl = new ClientAdapter();
      // Sessions follow their uid across id rotations and record the browser (src/sessions).
      else if (name === 'Session') this.#impl = new SessionAdapter(knex, options.store);
      else if (isModelName(name)) this.#impl = new ModelAdapter(name, modelTables[name]);
      else throw new Error(`No table for oidc-provider model ${name}: add one before enabling the feature`);
    }

    upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      return this.#impl.upsert(id, payload, expiresIn);
    }

    find(id: string) {
      return this.#impl.find(id);
    }

    findByUserCode(userCode: string) {
      return this.#impl.findByUserCode(userCode);
    }

    findByUid(uid: string) {
      return this.#impl.findByUid(uid);
    }

    consume(id: string) {
      return this.#impl.consume(id);
    }

    destroy(id: string) {
      return this.#impl.destroy(id);
    }

    revokeByGrantId(grantId: string) {
      return this.#impl.revokeByGrantId(grantId);
    }
  };
}
