import type { Config } from '../config/env.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import type { Actor } from '../events/actor.ts';
import type { Logger } from '../http/logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Limiter } from '../ratelimit/index.ts';
import type { Store } from '../store/index.ts';

/**
 * What the account owner's services use. The REST routes (src/api/me) and
 * the hosted console both hold these; nothing here knows about HTTP.
 */
export type AccountDeps = { config: Config; db: Db; store: Store; keyring: Keyring; mailer: Mailer; logger: Logger; limiter: Limiter };

/** The signed-in person acting on their own account, and from where (for limits and the audit trail). */
export type AccountActor = { userId: string; ip?: string; userAgent?: string };

/** The audit event's actor fields for the owner acting on their own account. */
export const auditActor = (actor: AccountActor): Actor => ({ actorUserId: actor.userId, ip: actor.ip, userAgent: actor.userAgent });
