/**
 * The event types this transmitter sends (URIs exactly as CAEP 1.0, RISC
 * 1.0 and SSF 1.0 define them). A stream delivers the ones it requested
 * that are listed here; verification and stream-updated go to every stream.
 */

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';

export const EVENT = {
  sessionRevoked: `${CAEP}session-revoked`,
  credentialChange: `${CAEP}credential-change`,
  tokenClaimsChange: `${CAEP}token-claims-change`,
  accountDisabled: `${RISC}account-disabled`,
  accountEnabled: `${RISC}account-enabled`,
  accountPurged: `${RISC}account-purged`,
  verification: `${SSF}verification`,
  streamUpdated: `${SSF}stream-updated`,
} as const;

export type EventType = (typeof EVENT)[keyof typeof EVENT];

/** What a receiver may request (`events_supported`). */
export const EVENTS_SUPPORTED: readonly string[] = [
  EVENT.sessionRevoked,
  EVENT.credentialChange,
  EVENT.tokenClaimsChange,
  EVENT.accountDisabled,
  EVENT.accountEnabled,
  EVENT.accountPurged,
];

/** Sent on every stream whatever it requested (SSF 1.0 §8.1.4, §8.1.5). */
export const ALWAYS_DELIVERED: readonly string[] = [EVENT.verification, EVENT.streamUpdated];

/** `events_delivered`: the requested types this transmitter supports, in the receiver's order, once each. */
export const eventsDelivered = (requested: readonly string[]): string[] => [...new Set(requested.filter((type) => EVENTS_SUPPORTED.includes(type)))];

export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';
