import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.ts';

describe('log redaction', () => {
  it('removes secrets from logged objects', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger({ level: 'info', destination });
    logger.info({ body: { client_secret: 's3cr3t', password: 'hunter22', refresh_token: 'rt-value', grant_type: 'refresh_token' }, req: { headers: { authorization: 'Basic abc', cookie: '_session=x' } } }, 'token request');
    const text = lines.join('');
    for (const secret of ['s3cr3t', 'hunter22', 'rt-value', 'Basic abc', '_session=x']) expect(text).not.toContain(secret);
    expect(text).toContain('refresh_token'); // the grant type itself is fine
  });

  it('removes secret query parameters from URLs but keeps the rest', () => {
    expect(redactUrl('/session/end?id_token_hint=eyJhbGciOi.x.y&state=abc')).toBe('/session/end?id_token_hint=%5Bredacted%5D&state=abc');
    expect(redactUrl('/cb?code=abc123&iss=x')).not.toContain('abc123');
    expect(redactUrl('/jwks')).toBe('/jwks');
  });
});
