import type { Knex } from 'knex';

export type UserRow = {
  id: string;
  username: string | null;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  avatar_url: string | null;
  status: 'active' | 'blocked' | 'deleted';
  role: string;
  scopes: string[];
  updated_at: Date;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An active user by id; undefined for unknown, blocked or deleted users (and non-uuid ids). */
export async function findActiveUser(knex: Knex, id: string): Promise<UserRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return knex<UserRow>('users').where({ id, status: 'active' }).first();
}
