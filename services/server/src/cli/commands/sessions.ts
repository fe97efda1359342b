import { findUserByEmail } from '../../db/users.ts';
import { listUserSessions, type SessionSummary } from '../../sessions/rows.ts';
import { revokeSession } from '../../sessions/revoke.ts';
import { CliError, type CommandModule } from '../context.ts';
import { withStore } from '../with-store.ts';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

const asJson = (s: SessionSummary) => ({
  id: s.id,
  status: s.status,
  browser: s.browser,
  os: s.os,
  device: s.device,
  ip: s.ip,
  created_at: iso(s.created_at),
  last_activity_at: iso(s.last_activity_at),
  expires_at: iso(s.expires_at),
  revoked_at: iso(s.revoked_at),
  revoked_reason: s.revoked_reason,
});

/**
 * `latchkey sessions list|revoke`: a person's browser sessions, by the
 * session's uid (never the cookie value, which would let the reader take the
 * session over). Revoking reaches every replica through Postgres at once and
 * through the shared store (REDIS_URL) for cached checks.
 */
export const sessions: CommandModule = (program, ctx) => {
  const group = program.command('sessions').description('list and revoke users\' browser sessions');

  group
    .command('list')
    .description('list a user\'s unexpired sessions, most recently active first')
    .requiredOption('--user <email>', 'the user\'s email address')
    .action(async (options: { user: string }) => {
      const { knex } = await ctx.db();
      const user = await findUserByEmail(knex, options.user.trim());
      if (!user) throw new CliError(`no user with email ${options.user.trim()}`);
      const rows = (await listUserSessions(knex, user.id)).map(asJson);
      ctx.print(
        { user_id: user.id, sessions: rows },
        rows.length
          ? rows
              .map((s) => `${s.id}  ${s.status.padEnd(7)}  ${s.last_activity_at}  ${s.ip ?? '-'}  ${[s.browser, s.os, s.device].filter(Boolean).join(', ') || '-'}`)
              .join('\n')
          : 'no sessions',
      );
    });

  group
    .command('revoke')
    .description('revoke a session now: it stops working on every server')
    .argument('<id>', 'session id, as `sessions list` shows it')
    // Generated ids may start with '-' (base64url): taken as the id, not refused as an unknown option.
    .allowUnknownOption()
    .option('--reason <reason>', 'why (kept in the session row and the audit log)', 'revoked by operator')
    .action(async (id: string, options: { reason: string }) => {
      const { knex } = await ctx.db();
      const revoked = await withStore(ctx, (store) => revokeSession({ knex, store }, id, options.reason, { actorType: 'operator' }));
      if (!revoked) throw new CliError(`no session ${id} to revoke (unknown, or already revoked)`);
      ctx.print({ revoked: id }, `revoked session ${id}`);
    });
};
