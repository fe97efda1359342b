import Provider, { errors, type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import { isStorableText, isStorableValue } from '../db/storable-text.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { SessionAdapter } from '../sessions/adapter.ts';
import { turnBatch } from '../db/turn-batch.ts';
import type { Store } from '../store/index.ts';
import { splitClientScope } from './client-scopes.ts';
import { metadataCache, type MetadataCache } from './metadata-cache.ts';
import { deleteClient, findClientMetadata, upsertClientMetadata } from '../db/oidc-clients.ts';
import {
  consumeModel,
  destroyModel,
  findModel,
  findModels,
  isModelName,
  modelTables,
  revokeGrant,
  upsertModel,
  upsertModels,
  type ModelLookup,
  type ModelPayload,
  type ModelWrite,
  type ModelTable,
  type RevokedGrant,
} from '../db/oidc-models.ts';

/** What oidc-provider's `adapter` option takes: `new Adapter(modelName)`. */
export type AdapterClass = new (name: string) => Adapter;

const asPayload = (stored: ModelPayload | undefined) => stored as AdapterPayload | undefined;

/** Why a redeemed-twice grant source got its grant revoked, by model and by token request grant_type. */
const REUSE_BY_MODEL: Readonly<Record<string, string>> = {
  RefreshToken: 'refresh_token_reuse',
  AuthorizationCode: 'code_reuse',
  DeviceCode: 'device_code_reuse',
};
const REUSE_BY_GRANT_TYPE: Readonly<Record<string, string>> = {
  refresh_token: 'refresh_token_reuse',
  authorization_code: 'code_reuse',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code_reuse',
};

/**
 * Whether oidc-provider revokes a grant because a code or token was redeemed
 * twice: at the token endpoint nothing else makes it revoke one (elsewhere it
 * is a client's revocation request or a logout, which are not leaks).
 */
function reuseReason(ctx: KoaContextWithOIDC | undefined): string | undefined {
  if (ctx?.oidc?.route !== 'token') return undefined;
  return REUSE_BY_GRANT_TYPE[String(ctx.oidc.params?.grant_type)] ?? 'token_reuse';
}

/** Ids come from outside: one Postgres cannot store cannot name a row (and must not reach a query). */
const storableId = (id: string) => typeof id === 'string' && isStorableText(id);

const unstorablePayload = () => new errors.InvalidRequest('parameters must not contain NUL characters or unpaired surrogates');

/**
 * oidc-provider's storage adapter on Postgres/PGlite. Each call is one SQL
 * statement (src/db/oidc-models.ts, src/db/oidc-clients.ts, src/sessions/rows.ts). consume() is the
 * atomic single-use check oidc-provider itself lacks: it throws when the
 * code/token was already redeemed, after revoking the grant.
 */
export function createAdapter(db: Db, keyring: Keyring, options: { store?: Store; clients?: MetadataCache<ModelPayload> } = {}): AdapterClass {
  const { knex } = db;
  // Client lookups run on every token request: cached briefly, dropped on every replica when a client changes.
  const clients = options.clients ?? metadataCache((id: string) => findClientMetadata(knex, id));
  const clientChanged = (id: string) => {
    clients.invalidate(id);
    options.store?.publish('clients:changed', JSON.stringify({ clientId: id })).catch(() => {});
  };
  // Only the statement that actually revoked the grant reports it, so one
  // leak is one event however many replicas and requests noticed it.
  const audit = async (revoked: RevokedGrant | undefined, reason: string, ctx: KoaContextWithOIDC | undefined) => {
    if (!revoked) return;
    await recordAuditEvent(knex, {
      type: 'grant.revoked',
      ...(revoked.clientId ? { actorType: 'client' as const, actorId: revoked.clientId, clientId: revoked.clientId } : {}),
      ...(revoked.userId ? { subjectUserId: revoked.userId } : { subject: { type: 'grant', id: revoked.grantId } }),
      ip: (ctx?.req as { ip?: string } | undefined)?.ip ?? ctx?.ip,
      userAgent: ctx?.get('user-agent') || undefined,
      data: { reason, grant_id: revoked.grantId },
    });
  };

  // oidc-provider revokes a grant by calling revokeByGrantId on every
  // grant-bearing model at once; one statement already covers them all, so
  // concurrent calls for the same grant share it.
  const revoking = new Map<string, Promise<void>>();
  const revokeOnce = (grantId: string) => {
    let pending = revoking.get(grantId);
    if (!pending) {
      const ctx = Provider.ctx;
      const reason = reuseReason(ctx);
      pending = revokeGrant(knex, grantId)
        .then((revoked) => (reason ? audit(revoked, reason, ctx) : undefined))
        .finally(() => revoking.delete(grantId));
      revoking.set(grantId, pending);
    }
    return pending;
  };

  // Lookups by id made in the same turn, whatever their model, share one SELECT (src/db/turn-batch.ts).
  const find = turnBatch(
    (lookups: readonly ModelLookup[]) => findModels(knex, lookups),
    ({ spec, id }) => findModel(knex, spec, id),
  );

  class ModelAdapter implements Adapter {
    readonly #spec: ModelTable;
    readonly #name: string;
    // Token requests arriving together share one INSERT per table.
    readonly #save: (write: ModelWrite) => Promise<void>;

    constructor(name: string, spec: ModelTable) {
      this.#name = name;
      this.#spec = spec;
      this.#save = turnBatch(
        (writes) => upsertModels(knex, spec, writes).then(() => writes.map(() => undefined)),
        (write) => upsertModel(knex, spec, write),
      );
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      if (!storableId(id) || !isStorableValue(payload)) throw unstorablePayload();
      await this.#save({ id, payload: payload as ModelPayload, expiresIn });
    }

    async find(id: string) {
      return storableId(id) ? asPayload(await find({ spec: this.#spec, id })) : undefined;
    }

    async findByUserCode(userCode: string) {
      if (!storableId(userCode)) return undefined;
      return this.#spec.userCode ? asPayload(await findModel(knex, this.#spec, userCode, 'user_code')) : undefined;
    }

    async findByUid(uid: string) {
      if (!storableId(uid)) return undefined;
      return this.#spec.uid ? asPayload(await findModel(knex, this.#spec, uid, 'uid')) : undefined;
    }

    async consume(id: string) {
      const consumed = storableId(id) ? await consumeModel(knex, this.#spec, id) : { claimed: false };
      if (consumed.claimed) return;
      await audit(consumed.revokedGrant, REUSE_BY_MODEL[this.#name] ?? 'token_reuse', Provider.ctx);
      // oidc-provider ignores consume()'s result: only an error stops the loser of a parallel redemption.
      if (this.#name === 'PushedAuthorizationRequest') {
        throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      }
      throw new errors.InvalidGrant(`${this.#name} already consumed`);
    }

    async destroy(id: string) {
      if (!storableId(id)) return;
      // oidc-provider destroys a grant only while revoking it, beside revokeByGrantId on every token
      // model: the grant row is kept and marked revoked in the same statement, so no token is left
      // pointing at a grant that is gone (a retry racing the revocation found one).
      if (this.#name === 'Grant') return revokeOnce(id);
      await destroyModel(knex, this.#spec, id);
    }

    async revokeByGrantId(grantId: string) {
      await revokeOnce(grantId);
    }
  }

  class ClientAdapter implements Adapter {
    async upsert(id: string, payload: AdapterPayload) {
      if (!storableId(id) || !isStorableValue(payload)) throw unstorablePayload();
      await upsertClientMetadata(knex, id, payload as ModelPayload, (secret) => keyring.hash('client-secret', secret));
      clientChanged(id);
    }

    async find(id: string) {
      if (!storableId(id)) return undefined;
      const metadata = await clients.get(id);
      // A copy: the cached row is shared by every request.
      return metadata ? asPayload(splitClientScope(structuredClone(metadata))) : undefined;
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
      if (!storableId(id)) return;
      await deleteClient(knex, id);
      clientChanged(id);
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
