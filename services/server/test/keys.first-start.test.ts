import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { createDb, type Db } from '../src/db/knex.ts';
import { ensureSigningKeys, loadSigningKeys } from '../src/oidc/keys.ts';
import { backends } from './support/backends.ts';

const keyring = new Keyring(['first-start-test-secret-0123456789abcdef']);

describe.each(backends)('signing keys on first start ($name)', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.knex('signing_keys').delete();
  });

  it('creates one active RS256 and one ES256 key, and nothing more on the next start', async () => {
    const first = await ensureSigningKeys({ db, keyring });
    expect(first.created.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);

    const second = await ensureSigningKeys({ db, keyring });
    expect(second.created).toEqual([]);

    const rows = await db.knex('signing_keys').select('kid', 'alg', 'status', 'retired_at').orderBy('alg');
    expect(rows).toEqual([
      { kid: first.created.find((k) => k.alg === 'ES256')!.kid, alg: 'ES256', status: 'active', retired_at: null },
      { kid: first.created.find((k) => k.alg === 'RS256')!.kid, alg: 'RS256', status: 'active', retired_at: null },
    ]);

    const loaded = await loadSigningKeys({ db, keyring, maxTokenTtlSeconds: 3600 });
    expect(loaded.jwks.keys.map((k) => [k.alg, k.kty, k.key_ops]).sort()).toEqual([
      ['ES256', 'EC', undefined],
      ['RS256', 'RSA', undefined],
    ]);
  });

  it('creates no duplicate active keys when several processes start at once', async () => {
    // On Postgres each "process" gets its own connection pool; PGlite has one connection by nature.
    const url = (db as Db & { url?: string }).url;
    const handles = url ? await Promise.all([1, 2, 3, 4].map(() => createDb({ databaseUrl: url }))) : [db, db, db, db];
    try {
      const results = await Promise.all(handles.map((handle) => ensureSigningKeys({ db: handle, keyring })));
      expect(results.flatMap((r) => r.created).map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    } finally {
      if (url) await Promise.all(handles.map((handle) => handle.close()));
    }
    const rows = await db.knex('signing_keys').select('alg', 'status');
    expect(rows.map((r) => `${r.alg}:${r.status}`).sort()).toEqual(['ES256:active', 'RS256:active']);
  });

  it('stores the private key encrypted and only public members in public_jwk', async () => {
    await ensureSigningKeys({ db, keyring });
    const rows: Array<{ kid: string; private_jwk: string; public_jwk: JWK }> = await db
      .knex('signing_keys')
      .select('kid', 'private_jwk', 'public_jwk');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.private_jwk).toMatch(/^v1\./);
      expect(row.private_jwk).not.toContain('"d"');
      expect(() => JSON.parse(row.private_jwk)).toThrow();

      const privateJwk = JSON.parse(keyring.decrypt('signing-key', row.private_jwk)) as JWK;
      expect(typeof privateJwk.d).toBe('string');
      expect(row.private_jwk).not.toContain(privateJwk.d);

      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(row.public_jwk).not.toHaveProperty(member);
      // kid is the RFC 7638 thumbprint of the public key.
      expect(await calculateJwkThumbprint(row.public_jwk, 'sha256')).toBe(row.kid);

      // Another LATCHKEY_SECRETS cannot read it.
      expect(() => new Keyring(['some-other-secret-0123456789abcdefghijkl']).decrypt('signing-key', row.private_jwk)).toThrow();
    }
  });
});
