/**
 * A security event as the outbox keeps it: who it is about (internal ids,
 * turned into the stream's subject identifiers only when signed, since the
 * session id is pairwise per audience) and the event's own claims.
 */
export type EventSubject =
  | { kind: 'user'; userId: string }
  | { kind: 'session'; userId: string; sessionUid: string }
  | { kind: 'grant'; userId?: string; grantId: string }
  /** Verification and stream-updated: about the stream itself. */
  | { kind: 'stream'; userId?: undefined };

export type OutboxEvent = {
  type: string;
  subject: EventSubject;
  /** The event's claims (CAEP's event_timestamp is added when signed, from the outbox row). */
  claims: Record<string, unknown>;
};
