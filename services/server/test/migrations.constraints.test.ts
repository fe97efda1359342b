import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/knex.ts';
import { backends } from './support/backends.ts';

// The rules the schema itself enforces, so no code path can get them wrong.
describe.each(backends)('schema constraints on $name', ({ open }) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('usernames are unique on their case- and NFKC-folded form', async () => {
    await db.knex('users').insert({ username: 'Alice' });
    const [row] = await db.knex('users').where({ username: 'Alice' }).select('username_normalized');
    expect(row.username_normalized).toBe('alice');
    await expect(db.knex('users').insert({ username: 'ALICE' })).rejects.toThrow(/users_username_normalized_key/);
    // Full-width letters fold to ASCII under NFKC.
    await expect(db.knex('users').insert({ username: 'ａｌｉｃｅ' })).rejects.toThrow(/users_username_normalized_key/);
  });

  it('emails are unique case-insensitively; several users may have none', async () => {
    await db.knex('users').insert({ email: 'Bob@Example.com' });
    await expect(db.knex('users').insert({ email: 'bob@example.COM' })).rejects.toThrow(/users_email_lower_key/);
    await db.knex('users').insert([{ username: 'no-email-1' }, { username: 'no-email-2' }]);
  });

  it('user status is one of active/blocked/deleted, and deleted needs deleted_at', async () => {
    await expect(db.knex('users').insert({ username: 'x1', status: 'suspended' })).rejects.toThrow(/users_status_check/);
    await expect(db.knex('users').insert({ username: 'x2', status: 'deleted' })).rejects.toThrow(/users_deleted_at_check/);
    await db.knex('users').insert({ username: 'x3', status: 'deleted', deleted_at: new Date() });
  });

  it('audit_events is append-only', async () => {
    const [{ id }] = await db.knex('audit_events').insert({ type: 'user.created', actor_type: 'system' }).returning('id');
    await expect(db.knex('audit_events').where({ id }).update({ type: 'forged' })).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.knex('audit_events').where({ id }).delete()).rejects.toThrow(/append-only: DELETE/);
    expect(await db.knex('audit_events').where({ id }).first('type')).toEqual({ type: 'user.created' });
  });

  it('deleting a client removes the tokens it holds; deleting a user removes their sessions and passkeys', async () => {
    await db.knex('clients').insert({
      id: 'c1', name: 'App', grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none',
    });
    await db.knex('access_tokens').insert({ id: 'at1', client_id: 'c1', payload: {} });
    await db.knex('clients').where({ id: 'c1' }).delete();
    expect(await db.knex('access_tokens').where({ id: 'at1' })).toEqual([]);

    const [{ id: userId }] = await db.knex('users').insert({ username: 'carol' }).returning('id');
    await db.knex('sessions').insert({ id: 's1', uid: 'u1', user_id: userId, payload: {} });
    await db.knex('webauthn_credentials').insert({ credential_id: 'cred', user_id: userId, public_key: 'pk', device_type: 'multiDevice' });
    await db.knex('users').where({ id: userId }).delete();
    expect(await db.knex('sessions').where({ id: 's1' })).toEqual([]);
    expect(await db.knex('webauthn_credentials').where({ credential_id: 'cred' })).toEqual([]);
  });

  it('a client that authenticates with a secret must have one', async () => {
    await expect(
      db.knex('clients').insert({
        id: 'c2', name: 'Backend', grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic',
      }),
    ).rejects.toThrow(/clients_secret_check/);
  });
});
