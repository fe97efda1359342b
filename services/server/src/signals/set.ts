import type { Keyring } from '../crypto/keyring.ts';
import type { PendingSet } from '../db/ssf-outbox.ts';
import type { SetSigner } from './signer.ts';
import { subjectId } from './subjects.ts';

export type SetContext = { issuer: string; keyring: Keyring; signer: SetSigner };

const CAEP_PREFIX = 'https://schemas.openid.net/secevent/caep/';

/**
 * The SET (RFC 8417, SSF 1.0 §4) for one outbox row: `iat` and the jti are
 * the row's, so a retried push or a repeated poll sends the same event; the
 * signature is made now, with the key that signs now.
 */
export function setClaims(context: Omit<SetContext, 'signer'>, row: PendingSet): Record<string, unknown> {
  const occurred = Math.floor(new Date(row.occurred_at).getTime() / 1000);
  const claims: Record<string, unknown> = { ...row.event.claims };
  // Every CAEP event says when the change happened.
  if (row.event_type.startsWith(CAEP_PREFIX)) claims.event_timestamp = occurred;
  return {
    iss: context.issuer,
    aud: row.aud,
    iat: occurred,
    jti: row.jti,
    ...(row.txn ? { txn: row.txn } : {}),
    sub_id: subjectId({ ...context, aud: row.aud, streamId: row.stream_id }, row.event.subject, row.added_subject),
    events: { [row.event_type]: claims },
  };
}

export const signSet = (context: SetContext, row: PendingSet): Promise<string> => context.signer.sign(setClaims(context, row));
