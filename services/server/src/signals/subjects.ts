import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import type { EventSubject } from './event-record.ts';
import { pairwiseSessionId } from './pairwise.ts';

/**
 * Subject identifiers (SSF 1.0 §3, RFC 9493) for the people and sessions
 * events are about. A user is `iss_sub` with the `sub` this issuer's tokens
 * carry; a session is `complex` (user + pairwise opaque session id, so two
 * audiences cannot correlate it); a grant is `opaque` with the `gid` JWTs
 * carry. Account events use the format the receiver added the person with.
 */

export const issSub = (issuer: string, userId: string) => ({ format: 'iss_sub', iss: issuer, sub: userId });

export function subjectId(context: { issuer: string; keyring: Keyring; aud: string; streamId: string }, subject: EventSubject, added: Record<string, unknown> | null): Record<string, unknown> {
  switch (subject.kind) {
    case 'user':
      return added ?? issSub(context.issuer, subject.userId);
    case 'session':
      return {
        format: 'complex',
        user: issSub(context.issuer, subject.userId),
        session: { format: 'opaque', id: pairwiseSessionId(context.keyring, context.aud, subject.sessionUid) },
      };
    case 'grant':
      return { format: 'opaque', id: subject.grantId };
    case 'stream':
      // SSF 1.0 §8.1.4.2: stream events name the stream.
      return { format: 'opaque', id: context.streamId };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_MAX = 320;

/** Why a subject in add/remove cannot be used, or the person it names (undefined user: nobody by that name). */
export async function resolveSubject(knex: Knex, issuer: string, value: unknown): Promise<{ problem: string } | { userId: string | undefined; subject: Record<string, unknown> }> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'subject must be a subject identifier object' };
  const subject = value as Record<string, unknown>;
  if (subject.format === 'iss_sub') {
    if (subject.iss !== issuer) return { problem: `subject.iss must be ${issuer}` };
    if (typeof subject.sub !== 'string' || !subject.sub) return { problem: 'subject.sub must be a string' };
    const found = UUID.test(subject.sub) ? await knex('users').where({ id: subject.sub }).first('id') : undefined;
    return { userId: (found as { id: string } | undefined)?.id, subject: { format: 'iss_sub', iss: issuer, sub: subject.sub } };
  }
  if (subject.format === 'email') {
    if (typeof subject.email !== 'string' || !subject.email.includes('@') || subject.email.length > EMAIL_MAX) return { problem: 'subject.email must be an email address' };
    const found = await knex('users').whereRaw('lower(email) = lower(?)', [subject.email]).first('id');
    return { userId: (found as { id: string } | undefined)?.id, subject: { format: 'email', email: subject.email } };
  }
  return { problem: 'subject.format must be iss_sub or email' };
}
