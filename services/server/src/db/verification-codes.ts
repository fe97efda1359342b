import type { Knex } from 'knex';

/**
 * Storage of one-time verification codes (table verification_codes). Only
 * the keyed hash of a code is stored. Whether a code is used, expired or
 * burned is decided by single SQL statements, so parallel requests on any
 * number of replicas agree.
 */

export type NewVerificationCode = {
  purpose: string;
  target: string;
  userId: string | null;
  flowId: string;
  codeHash: string;
  ttlSeconds: number;
};

/**
 * Stores a new code and retires every still-active code for the same
 * (purpose, target, flow), so only the latest mail works. Returns its expiry.
 */
export async function insertVerificationCode(knex: Knex, code: NewVerificationCode): Promise<Date> {
  return knex.transaction(async (trx) => {
    await trx('verification_codes')
      .where({ purpose: code.purpose, target: code.target, flow_id: code.flowId })
      .whereNull('consumed_at')
      .where('expires_at', '>', trx.fn.now())
      .update({ expires_at: trx.fn.now() });
    const [row] = await trx('verification_codes')
      .insert({
        purpose: code.purpose,
        target: code.target,
        user_id: code.userId,
        flow_id: code.flowId,
        code_hash: code.codeHash,
        expires_at: trx.raw(`now() + ? * interval '1 second'`, [code.ttlSeconds]),
      })
      .returning('expires_at');
    return (row as { expires_at: Date }).expires_at;
  });
}

export type ConsumeOutcome =
  /** The code matched and is now used; `userId` is whom it was issued for (null before an account exists). */
  | { status: 'consumed'; userId: string | null }
  /** A wrong code: counted against the active code; `burned` once the limit is reached. */
  | { status: 'mismatch'; burned: boolean }
  /** No usable code for this flow: never issued, expired, replaced, already used or burned. */
  | { status: 'none' };

/**
 * Checks `codeHash` against the active code of (purpose, target, flow) in ONE
 * statement: a match sets consumed_at, a mismatch adds an attempt. The row's
 * conditions sit in the UPDATE's own WHERE, so Postgres re-checks them after
 * waiting for a concurrent writer's row lock: of parallel right answers
 * exactly one sees `consumed_at is null`, and no guess lands after the limit.
 */
export async function consumeVerificationCode(
  knex: Knex,
  /** `codeHashes`: the typed code's hash under every listed secret (any one matching is a match). */
  input: { purpose: string; target: string; flowId: string; codeHashes: readonly string[]; maxAttempts: number },
): Promise<ConsumeOutcome> {
  if (input.codeHashes.length === 0) throw new Error('consumeVerificationCode needs at least one hash');
  const matches = `code_hash in (${input.codeHashes.map(() => '?').join(', ')})`;
  const rows = (await knex('verification_codes')
    .where({ purpose: input.purpose, target: input.target, flow_id: input.flowId })
    .whereNull('consumed_at')
    .where('expires_at', '>', knex.fn.now())
    .where('attempts', '<', input.maxAttempts)
    .update({
      consumed_at: knex.raw(`case when ${matches} then now() else null end`, [...input.codeHashes]),
      attempts: knex.raw(`attempts + case when ${matches} then 0 else 1 end`, [...input.codeHashes]),
    })
    .returning(['consumed_at', 'user_id', 'attempts'])) as Array<{ consumed_at: Date | null; user_id: string | null; attempts: number }>;
  // Normally one active row per (purpose, target, flow), as a new code retires
  // the older ones; two requests issuing at the same instant can leave two.
  if (!rows.length) return { status: 'none' };
  const matched = rows.find((row) => row.consumed_at !== null);
  if (matched) return { status: 'consumed', userId: matched.user_id };
  return { status: 'mismatch', burned: rows.every((row) => row.attempts >= input.maxAttempts) };
}
