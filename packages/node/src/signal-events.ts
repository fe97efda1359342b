/**
 * The Shared Signals events the SDK asks for and what each means for tokens
 * (CAEP 1.0, RISC, SSF 1.0). Each becomes at most one entry in the
 * revocation set: a session (`sid`), a grant (`gid`) or a subject (`sub`
 * with a time: tokens issued before it are refused).
 */

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';

export const EVENT_TYPES = {
  sessionRevoked: `${CAEP}session-revoked`,
  credentialChange: `${CAEP}credential-change`,
  tokenClaimsChange: `${CAEP}token-claims-change`,
  accountDisabled: `${RISC}account-disabled`,
  accountEnabled: `${RISC}account-enabled`,
  accountPurged: `${RISC}account-purged`,
  verification: `${SSF}verification`,
  streamUpdated: `${SSF}stream-updated`,
} as const;

/** What the receiver requests when it creates its stream. */
export const REQUESTED_EVENTS = [
  EVENT_TYPES.sessionRevoked,
  EVENT_TYPES.credentialChange,
  EVENT_TYPES.tokenClaimsChange,
  EVENT_TYPES.accountDisabled,
  EVENT_TYPES.accountEnabled,
  EVENT_TYPES.accountPurged,
];

const KNOWN = new Set<string>(Object.values(EVENT_TYPES));
export const isKnownEvent = (uri: string): boolean => KNOWN.has(uri);

/** What one event changes in the revocation set. */
export type Revocation =
  | { kind: 'session'; sid: string }
  | { kind: 'grant'; gid: string }
  /** Tokens of `sub` issued at or before `at` (seconds) are refused. */
  | { kind: 'subject'; sub: string; at: number }
  /** `sub` may get tokens again from `at` on (earlier ones stay refused). */
  | { kind: 'subject-enabled'; sub: string; at: number };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The user's `sub` in an `iss_sub` subject of this issuer (also inside a `complex` subject's `user`). */
function subjectSub(subject: Record<string, unknown>, issuer: string): string | undefined {
  const user = subject.format === 'complex' && isObject(subject.user) ? subject.user : subject;
  return user.format === 'iss_sub' && user.iss === issuer && typeof user.sub === 'string' ? user.sub : undefined;
}

export class EventSchemaError extends Error {}

/**
 * The revocation an event asks for, or undefined when it changes nothing
 * here (verification, stream-updated, an email subject). Throws
 * EventSchemaError when the event does not follow its schema.
 */
export function revocationFor(type: string, event: Record<string, unknown>, subject: unknown, issuer: string, iat: number): Revocation | undefined {
  if (type === EVENT_TYPES.verification || type === EVENT_TYPES.streamUpdated) return undefined;
  if (!isObject(subject) || typeof subject.format !== 'string') throw new EventSchemaError('the event has no subject (sub_id)');
  // CAEP 1.0 §2: when the change happened; RISC events have none, and the SET's iat stands in.
  const at = typeof event.event_timestamp === 'number' ? event.event_timestamp : iat;
  if (type.startsWith('https://schemas.openid.net/secevent/caep/') && typeof event.event_timestamp !== 'number') throw new EventSchemaError('a CAEP event needs event_timestamp');

  if (type === EVENT_TYPES.sessionRevoked) {
    if (subject.format === 'complex' && isObject(subject.session)) {
      const id = subject.session.id;
      if (subject.session.format !== 'opaque' || typeof id !== 'string') throw new EventSchemaError('the session subject must be an opaque id');
      return { kind: 'session', sid: id };
    }
    if (subject.format === 'opaque') {
      if (typeof subject.id !== 'string') throw new EventSchemaError('the grant subject has no id');
      return { kind: 'grant', gid: subject.id };
    }
    // Every session of the user.
    const sub = subjectSub(subject, issuer);
    return sub === undefined ? undefined : { kind: 'subject', sub, at };
  }
  const sub = subjectSub(subject, issuer);
  if (sub === undefined) {
    // An email subject (added by the receiver) names a person, not the tokens' sub: nothing to refuse by.
    if (subject.format === 'email') return undefined;
    throw new EventSchemaError(`the ${type.slice(type.lastIndexOf('/') + 1)} event needs an iss_sub subject of this issuer`);
  }
  if (type === EVENT_TYPES.accountEnabled) return { kind: 'subject-enabled', sub, at };
  // Disabled, purged, credentials or claims changed: tokens from before carry a state that no longer holds.
  return { kind: 'subject', sub, at };
}
