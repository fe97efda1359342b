import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';

/**
 * Re-wraps every stored TOTP seed (users.totp_secret, Keyring purpose
 * 'totp-seed') under the newest secret, in one transaction with row locks so
 * a seed enrolled meanwhile is not overwritten. Idempotent: seeds already
 * under the newest secret are left alone. Returns how many changed.
 */
export async function reencryptTotpSeeds(knex: Knex, keyring: Keyring): Promise<{ reencrypted: number; total: number }> {
  return knex.transaction(async (trx) => {
    const rows: Array<{ id: string; totp_secret: string }> = await trx('users').select('id', 'totp_secret').whereNotNull('totp_secret').forUpdate();
    let reencrypted = 0;
    for (const row of rows) {
      const sealed = keyring.reencrypt('totp-seed', row.totp_secret);
      if (sealed === undefined) continue;
      await trx('users').where({ id: row.id }).update({ totp_secret: sealed });
      reencrypted += 1;
    }
    return { reencrypted, total: rows.length };
  });
}
