import { createConnection } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = createLogger({ level: 'info', destination });
  const last = () => JSON.parse(lines.at(-1)!) as Record<string, any>;
  return { logger, lines, last };
}

/** A real connection error from the operating system (nothing listens on port 1). */
function refusedConnection(): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve) => createConnection({ host: '127.0.0.1', port: 1 }).on('error', resolve));
}

describe('log redaction', () => {
  it('removes secrets from logged objects', () => {
    const { logger, lines } = capture();
    logger.info({ body: { client_secret: 's3cr3t', password: 'hunter22', refresh_token: 'rt-value', grant_type: 'refresh_token' }, req: { headers: { authorization: 'Basic abc', cookie: '_session=x' } } }, 'token request');
    const text = lines.join('');
    for (const secret of ['s3cr3t', 'hunter22', 'rt-value', 'Basic abc', '_session=x']) expect(text).not.toContain(secret);
    expect(text).toContain('refresh_token'); // the grant type itself is fine
  });

  it('keeps an error\'s code (errno, SQLSTATE), type and stack, while an authorization code beside it is hidden', async () => {
    const { logger, last } = capture();
    const refused = await refusedConnection();
    logger.error({ err: refused }, 'redis unreachable');
    expect(last().err).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', syscall: 'connect' });
    expect(last().err.stack).toContain('ECONNREFUSED');

    const duplicate = Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), { code: '23505', constraint: 'users_email_unique' });
    logger.error(duplicate);
    expect(last().err).toMatchObject({ code: '23505', constraint: 'users_email_unique', message: expect.stringContaining('duplicate key') });

    const wrapped = new Error('token exchange failed', { cause: duplicate });
    logger.error({ err: wrapped, body: { code: 'auth-code-value', grant_type: 'authorization_code' }, nested: { error: { code: 'ETIMEDOUT' } } }, 'failed');
    const line = last();
    expect(line.body).toEqual({ code: '[redacted]', grant_type: 'authorization_code' });
    expect(line.nested.error.code).toBe('ETIMEDOUT');
    expect(line.err.message).toContain('duplicate key'); // the cause's message is kept with it
    expect(JSON.stringify(line)).not.toContain('auth-code-value');
  });

  it('hides request objects, registration access tokens, login hints and array-form keys at any depth', () => {
    const { logger, lines } = capture();
    const secrets = ['eyJhbGciOi.request.object', 'rat-value', 'alice@example.com', 'arr-secret', 'pw-zero', 'deep-secret', 'in-array', 'bracket-pw', 'Bearer deep'];
    logger.warn(
      {
        request: 'eyJhbGciOi.request.object',
        params: { registration_access_token: 'rat-value', login_hint: 'alice@example.com', 'client_secret[]': ['arr-secret'], 'password[0]': 'pw-zero' },
        a: { b: { c: { d: { e: { f: { refresh_token: 'deep-secret' } } } } } },
        list: [{ ok: 1 }, [{ Client_Secret: 'in-array' }]],
        form: { 'user[password]': 'bracket-pw' },
        upstream: { response: { headers: { Authorization: 'Bearer deep' } } },
      },
      'odd request',
    );
    const text = lines.join('');
    for (const secret of secrets) expect(text).not.toContain(secret);
    const line = JSON.parse(text) as Record<string, any>;
    expect(line.params['client_secret[]']).toBe('[redacted]');
    expect(line.list[0]).toEqual({ ok: 1 });
  });

  it('writes flat request lines unchanged and never alters the object it was given', () => {
    const { logger, last } = capture();
    const fields = { reqId: 'r1', method: 'POST', url: '/token', status: 200, ms: 1.5, ip: '127.0.0.1' };
    logger.info(fields, 'request');
    expect(last()).toMatchObject(fields);
    const body = { password: 'hunter22', nested: { code: 'abc' } };
    logger.info({ body }, 'x');
    expect(body).toEqual({ password: 'hunter22', nested: { code: 'abc' } });
  });

  it('removes secret query parameters from URLs but keeps the rest', () => {
    expect(redactUrl('/session/end?id_token_hint=eyJhbGciOi.x.y&state=abc')).toBe('/session/end?id_token_hint=%5Bredacted%5D&state=abc');
    expect(redactUrl('/cb?code=abc123&iss=x')).not.toContain('abc123');
    expect(redactUrl('/jwks')).toBe('/jwks');
    const odd = redactUrl('/auth?request=eyJhbGciOi.req.sig&login_hint=alice%40example.com&client_secret%5B%5D=arr&password[0]=pw&client_id=app');
    for (const secret of ['eyJhbGciOi', 'alice', 'arr', 'pw&', '=pw']) expect(odd).not.toContain(secret);
    expect(odd).toContain('client_id=app');
  });
});
