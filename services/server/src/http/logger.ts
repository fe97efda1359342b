import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

// Anything that can act as a credential is removed before a line is written.
const SECRET_KEYS = [
  'password', 'new_password', 'current_password', 'client_secret', 'secret', 'code', 'code_verifier',
  'refresh_token', 'access_token', 'id_token', 'id_token_hint', 'token', 'assertion', 'client_assertion',
  'device_code', 'user_code', 'invitation', 'otp', 'totp', 'private_jwk', 'authorization', 'cookie', 'set-cookie', 'dpop',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'latchkey' },
      redact: {
        paths: [
          ...SECRET_KEYS.map((key) => `*.${key}`),
          ...SECRET_KEYS.map((key) => `*.*.${key}`),
          'req.headers.authorization', 'req.headers.cookie', 'req.headers.dpop', 'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    options.destination as pino.DestinationStream | undefined,
  );
}

const SECRET_PARAMS = new Set(SECRET_KEYS);

/** A URL fit for a log line: secret-bearing query parameters keep their name, lose their value. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const key of [...params.keys()]) if (SECRET_PARAMS.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.slice(0, queryStart)}?${params.toString()}`;
}
