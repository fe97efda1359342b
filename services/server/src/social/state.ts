import { randomBytes } from 'node:crypto';
import type { Store } from '../store/index.ts';

/**
 * What an upstream round trip needs to come back to, kept in the store
 * under seed 004's `oauth_state:{state}` (never in a session middleware):
 * where it started (an interaction, or the console of a signed-in account),
 * the PKCE verifier and the nonce. Taken once: the first callback that
 * claims the state wins, on any replica (SET NX), and a replay finds
 * nothing. Losing the store only means starting again.
 */

export type FlowStart =
  /** A sign-in on the hosted page of interaction `uid` (the callback must come back to that browser's interaction). */
  | { purpose: 'sign_in'; uid: string }
  /** Linking from the console: the callback must come back to this account's console session. */
  | { purpose: 'link'; userId: string };

export type FlowRecord = FlowStart & {
  upstream: string;
  state: string;
  nonce: string;
  /** PKCE S256 verifier; absent only for Apple, whose endpoint takes no PKCE (state and nonce bind it). */
  codeVerifier?: string;
};

export const FLOW_TTL_SECONDS = 10 * 60;
const HANDOFF_TTL_SECONDS = 60;

const flowKey = (state: string) => `oauth_state:${state}`;
const takenKey = (state: string) => `oauth_state:${state}:taken`;
const handoffKey = (handle: string) => `oauth_state:handoff:${handle}`;

/** Handles we mint: 32 random bytes, base64url. Anything else is not ours and never reaches the store. */
export const isHandle = (value: unknown): value is string => typeof value === 'string' && /^[\w-]{43}$/.test(value);

export const newHandle = () => randomBytes(32).toString('base64url');

export async function saveFlow(store: Store, record: FlowRecord): Promise<void> {
  await store.set(flowKey(record.state), JSON.stringify(record), FLOW_TTL_SECONDS);
}

const parse = (raw: string | undefined): FlowRecord | undefined => {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as FlowRecord;
  } catch {
    return undefined;
  }
};

/** Where a callback must go to finish, without using up the state. */
export async function peekFlow(store: Store, state: unknown): Promise<FlowRecord | undefined> {
  return isHandle(state) ? parse(await store.get(flowKey(state))) : undefined;
}

/** The flow behind `state`, used up by this call; undefined when unknown, expired or already taken. */
export async function takeFlow(store: Store, state: unknown): Promise<FlowRecord | undefined> {
  if (!isHandle(state)) return undefined;
  if (!(await store.setIfAbsent(takenKey(state), '1', FLOW_TTL_SECONDS))) return undefined;
  const record = parse(await store.get(flowKey(state)));
  await store.del(flowKey(state));
  return record;
}

/**
 * Apple answers with a cross-site form POST, which carries no SameSite=Lax
 * cookie: its fields wait here under a one-time handle while a 303 brings
 * the browser back with a same-origin GET, where the cookies flow again.
 */
export async function saveHandoff(store: Store, fields: Record<string, string>): Promise<string> {
  const handle = newHandle();
  await store.set(handoffKey(handle), JSON.stringify(fields), HANDOFF_TTL_SECONDS);
  return handle;
}

export async function takeHandoff(store: Store, handle: unknown): Promise<Record<string, string> | undefined> {
  if (!isHandle(handle)) return undefined;
  if (!(await store.setIfAbsent(`${handoffKey(handle)}:taken`, '1', HANDOFF_TTL_SECONDS))) return undefined;
  const raw = await store.get(handoffKey(handle));
  await store.del(handoffKey(handle));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    return undefined;
  }
}
