/**
 * Whether an error means "the database cannot answer right now" (down,
 * restarting, unreachable, too slow, pool exhausted) rather than a bug: such
 * errors are answered 503 with Retry-After, so clients and load balancers
 * retry instead of treating them as a broken server.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE classes 08 (connection exception) and 57P0x (shutdown, cannot connect now); 57014 is a statement timeout.
const SQLSTATES = /^(08...|57P0[1-4]|57014|53300)$/;
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { name?: string; code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth += 1) {
    if (e.name === 'KnexTimeoutError') return true;
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATES.test(e.code))) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  }
  return false;
}

export const RETRY_AFTER_SECONDS = 1;
