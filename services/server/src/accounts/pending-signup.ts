import type { CodePurpose } from '../verification/codes.ts';
import type { Store } from '../store/index.ts';

/**
 * A sign-up waiting for its emailed code, kept server-side per flow (never in
 * the browser): the address, and the name and password hash that the account
 * takes once the address is proved. Losing it (store restart) only means
 * filling the form again.
 */
export type PendingSignUp = {
  email: string;
  /** Where the code is mailed: the stored address of an existing account, else `email`. */
  to?: string;
  /** Null for a sign-up by invitation: its account is created only once the address is proved. */
  userId: string | null;
  /** The invitation redeemed once the address is proved (sign-up by invitation only). */
  invitationId?: string;
  displayName: string | null;
  passwordHash: string;
  /** 'verify_email' for an account nobody has proved; 'sign_in' when the address already had a verified account. */
  purpose: Extract<CodePurpose, 'verify_email' | 'sign_in'>;
  /** False for an address whose account cannot sign in: the same pages, but no mail. */
  deliver: boolean;
};

const key = (flowId: string) => `signup:pending:${flowId}`;

/** The first of `flowIds` (newest secret first) that has a sign-up waiting, if any. */
export async function findPendingFlow(store: Store, flowIds: readonly string[]): Promise<string | undefined> {
  for (const flowId of flowIds) if ((await store.get(key(flowId))) !== undefined) return flowId;
  return undefined;
}

export async function savePendingSignUp(store: Store, flowId: string, pending: PendingSignUp, ttlSeconds: number): Promise<void> {
  await store.set(key(flowId), JSON.stringify(pending), ttlSeconds);
}

export async function loadPendingSignUp(store: Store, flowId: string): Promise<PendingSignUp | undefined> {
  const raw = await store.get(key(flowId));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PendingSignUp;
  } catch {
    return undefined;
  }
}

export async function dropPendingSignUp(store: Store, flowId: string): Promise<void> {
  await store.del(key(flowId));
}
