/**
 * Runs `task` while holding the named Web Lock, shared by every tab of the
 * origin, so two tabs never redeem the same refresh token (Latchkey revokes
 * the whole grant when one is used twice).
 */
export function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request(name, task) as Promise<T>) : task();
}
