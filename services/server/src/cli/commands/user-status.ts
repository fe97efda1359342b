import type { Command } from 'commander';
import { parseDuration } from '../../accounts/invitations.ts';
import { changeAccountStatus, type StatusChange, type StatusResult } from '../../accounts/status.ts';
import { findUserByEmail } from '../../db/users.ts';
import { CliError, type CliContext } from '../context.ts';
import { withStore } from '../with-store.ts';

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

const UNTIL_FORMAT = '--until must be a time like 2030-01-31T18:00:00Z (or a date, 2030-01-31, meaning midnight UTC) or a duration like 30m, 12h, 7d (at most 365d)';

/**
 * `--until`: an ISO 8601 time with its zone (no guessing the server's local
 * time), a date (midnight UTC), or a duration from now. Dates that do not
 * exist (February 30th) are refused rather than rolled over.
 */
export function parseUntil(value: string, now = Date.now()): Date {
  const text = value.trim();
  const seconds = parseDuration(text);
  if (seconds !== undefined) return new Date(now + seconds * 1000);
  const match = ISO_TIME.exec(text);
  const time = match ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN;
  if (!match || Number.isNaN(time)) throw new CliError(UNTIL_FORMAT);
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) throw new CliError(UNTIL_FORMAT);
  return new Date(time);
}

const PAST_TENSE: Record<StatusChange['action'], string> = {
  block: 'blocked',
  unblock: 'unblocked',
  delete: 'deleted',
  lock: 'locked',
  unlock: 'unlocked',
};

type StatusOptions = { email: string; until?: string; reason?: string };

/**
 * `latchkey users block|unblock|delete|lock|unlock --email E`. Block, delete
 * and lock revoke the account's sessions and grants on every server at once
 * (src/accounts/status.ts); with REDIS_URL the cached session checks and the
 * listeners hear of it too.
 */
export function registerStatusCommands(group: Command, ctx: CliContext): void {
  const command = (action: StatusChange['action'], description: string) =>
    group
      .command(action)
      .description(description)
      .requiredOption('--email <email>', 'the user\'s email address')
      .option('--reason <reason>', 'why (kept in the audit log)');

  const run = async (action: StatusChange['action'], options: StatusOptions) => {
    const email = options.email.trim();
    // Checked before the database is opened, so a typo costs nothing.
    const change: StatusChange = action === 'lock' ? { action, until: parseUntil(options.until ?? '') } : ({ action } as StatusChange);
    const { knex } = await ctx.db();
    const user = await findUserByEmail(knex, email);
    if (!user) throw new CliError(`no user with email ${email}`);
    const result: StatusResult = await withStore(ctx, (store) => changeAccountStatus({ knex, store }, user.id, change, { actor: { actorType: 'operator' }, reason: options.reason }));
    if (!result.ok) {
      if (result.problem === 'until_past') throw new CliError('--until must be in the future');
      if (result.problem === 'deleted') throw new CliError(`user ${email} is deleted; a deleted account cannot be changed`);
      throw new CliError(`no user with email ${email}`);
    }
    const lockedUntil = result.user.locked_until ? new Date(result.user.locked_until).toISOString() : null;
    const revoked = action === 'block' || action === 'delete' || action === 'lock' ? `; revoked ${result.sessionsRevoked} session(s) and ${result.grantsRevoked} grant(s)` : '';
    ctx.print(
      {
        user_id: result.user.id,
        status: result.user.status,
        locked_until: lockedUntil,
        sessions_revoked: result.sessionsRevoked,
        grants_revoked: result.grantsRevoked,
      },
      `${PAST_TENSE[action]} user ${result.user.id} (${result.user.email ?? email})${action === 'lock' ? ` until ${lockedUntil}` : ''}${revoked}`,
    );
  };

  command('block', 'block an account: it cannot sign in, and its sessions and grants are revoked on every server').action((o: StatusOptions) => run('block', o));
  command('unblock', 'let a blocked account sign in again (revoked sessions and grants stay revoked)').action((o: StatusOptions) => run('unblock', o));
  command('delete', 'delete an account (kept as a deleted row for the audit trail; final): sessions and grants are revoked').action((o: StatusOptions) =>
    run('delete', o),
  );
  command('lock', 'lock an account until a time: it cannot sign in until then, and its sessions and grants are revoked now')
    .requiredOption('--until <time>', 'an ISO 8601 time with zone (2030-01-31T18:00:00Z), a date (midnight UTC), or a duration (30m, 12h, 7d)')
    .action((o: StatusOptions) => run('lock', o));
  command('unlock', 'lift an operator lock before its time').action((o: StatusOptions) => run('unlock', o));
}
