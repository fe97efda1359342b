import { pino, type Logger } from 'pino';
import { isSecretKey, redactSecrets } from './log-redaction.ts';

export type { Logger } from 'pino';

// Anything that can act as a credential is removed before a line is written
// (see log-redaction.ts). One walk over the logged object rather than pino's
// wildcard `redact` paths, which cost every request line and could not tell
// an error's `code` (kept) from an authorization code (hidden).
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'latchkey' },
      formatters: { log: redactSecrets },
      // Errors were serialized and redacted by the formatter above; pino's own
      // serializer would re-serialize that plain copy and lose its type.
      serializers: { err: (value: unknown) => (value instanceof Error ? redactSecrets({ err: value }).err : value) },
    },
    // Stdout written asynchronously: a synchronous write per request line held the event loop (about a
    // sixth of a token request's CPU). Lines written while one write is in flight go out together; pino
    // flushes what is pending when the process exits.
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A URL fit for a log line: secret-bearing query parameters keep their name, lose their value. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const key of [...params.keys()]) if (isSecretKey(key)) params.set(key, '[redacted]');
  return `${url.slice(0, queryStart)}?${params.toString()}`;
}
