import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak, rawRequest, type RawResponse } from './support/bad-input.ts';
import { runCli } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The bad-input corpus against every route: no 5xx, no stack trace or
 * internal error text, nothing half-written. Values go raw into the query
 * and form body (already percent-encoded where they must be).
 */
const CORPUS: Record<string, string> = {
  nul: 'a%00b',
  'malformed percent': '%E0%A4%A',
  'non-hex percent': '%ZZ%',
  overlong: '%C0%AF%C0%AE',
  'lone surrogate': '%ED%A0%80',
  rtl: encodeURIComponent('\u202eexample.com\u202c'),
  emoji: encodeURIComponent('😀👩‍👩‍👧'),
  'zero width': encodeURIComponent('a\u200bb\ufeff'),
  oversized: 'x'.repeat(12_000),
  'control chars': '%01%02%1B%7F',
  'html/sql': encodeURIComponent(`"><script>alert(1)</script>' or 1=1 --`),
};

const PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'grant_type', 'code', 'refresh_token', 'token', 'user_code',
  'email', 'password', 'name', 'csrf', 'xsrf', 'id_token_hint', 'post_logout_redirect_uri', 'invitation', 'device_code', 'request_uri', 'logout'];

const HOSTED = ['/interaction/fuzz', '/interaction/fuzz/password', '/interaction/fuzz/email-code', '/interaction/fuzz/email-code/verify', '/interaction/fuzz/consent',
  '/interaction/fuzz/reset', '/signup', '/signup/verify', '/signup/resend', '/device', '/device/fuzz', '/session/end', '/session/end/confirm', '/dev/mailbox',
  '/account', '/account/login', '/account/callback', '/account/logout', '/account/tokens',
  '/interaction/fuzz/social/fuzz', '/interaction/fuzz/social/fuzz/callback', '/social/fuzz/callback', '/account/linked', '/account/linked/callback/fuzz'];
const OIDC = ['/auth', '/token', '/device/auth', '/request', '/token/introspection', '/token/revocation', '/me', '/session/end', '/reg', '/reg/fuzz',
  '/.well-known/openid-configuration', '/jwks'];
const ROUTES = [...new Set([...HOSTED, ...OIDC])];

const deep = (depth: number) => `${'a'}${'[b]'.repeat(depth)}=1`;
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Whole bodies that are wrong as a whole. */
const BODIES: Array<{ label: string; type?: string; body: string }> = [
  { label: 'deeply nested form', type: 'application/x-www-form-urlencoded', body: deep(500) },
  { label: 'deeply nested JSON', type: 'application/json', body: deepJson(5000) },
  { label: 'malformed JSON', type: 'application/json', body: '{"a": ' },
  { label: 'JSON with lone surrogate and NUL', type: 'application/json', body: '{"client_id":"\\ud800","redirect_uris":["http://x/\\u0000"],"email":"a\\u0000b"}' },
  { label: 'JSON array', type: 'application/json', body: '[1,2,3]' },
  { label: 'duplicate parameters', type: 'application/x-www-form-urlencoded', body: 'client_id=a&client_id=b&grant_type=x&grant_type=y&email=a@example.com&email=b@example.com' },
  { label: 'arrays where strings are expected', type: 'application/x-www-form-urlencoded', body: 'client_id[]=a&email[]=a&grant_type[0]=x&scope[a]=b&csrf[]=x' },
  { label: 'too many parameters', type: 'application/x-www-form-urlencoded', body: Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&') },
  { label: 'oversized body', type: 'application/x-www-form-urlencoded', body: `email=${'x'.repeat(200_000)}` },
  { label: 'text/plain', type: 'text/plain', body: 'grant_type=client_credentials' },
  { label: 'multipart', type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n' },
  { label: 'xml', type: 'application/xml', body: '<a>1</a>' },
  { label: 'no content type', body: 'a=1' },
  { label: 'invalid UTF-8 bytes', type: 'application/x-www-form-urlencoded; charset=utf-8', body: 'email=\udcff' },
];

describe('fuzz: the bad-input corpus against every route', () => {
  let server: TestServer;
  const failures: string[] = [];
  beforeAll(async () => {
    // A social upstream configured (never reached: nothing here gets past its checks), so its routes are mounted.
    server = await startTestServer({ env: { LATCHKEY_OIDC_FUZZ_ISSUER: 'http://127.0.0.1:9', LATCHKEY_OIDC_FUZZ_CLIENT_ID: 'fuzz', LATCHKEY_OIDC_FUZZ_CLIENT_SECRET: 'fuzz' } });
  });
  afterAll(() => server?.stop());

  const counts = async () => {
    const { rows } = (await server.db.knex.raw(`select (select count(*) from users)::int as users, (select count(*) from verification_codes)::int as codes,
      (select count(*) from clients)::int as clients, (select count(*) from invitations)::int as invitations,
      (select count(*) from audit_events where type <> 'sign_in.failure')::int as events`)) as { rows: unknown[] };
    return rows[0];
  };

  // Node refuses an oversized request head (431) and may reset the connection: that is a refusal, not a crash.
  const send = (options: Parameters<typeof rawRequest>[1]) =>
    rawRequest(server.issuer, options).catch((error: Error) => ({ status: 0, headers: {}, body: error.message }) as RawResponse);

  const check = (label: string, response: RawResponse) => {
    if (response.status >= 500) failures.push(`${label}: ${response.status} ${response.body.slice(0, 120)}`);
    try {
      expectNoLeak(response.body, label);
    } catch {
      failures.push(`${label}: leaked ${response.body.slice(0, 200)}`);
    }
  };

  it('parameters from the corpus, in query and form body, GET and POST', async () => {
    const before = await counts();
    for (const [name, value] of Object.entries(CORPUS)) {
      const params = PARAMS.map((p) => `${p}=${value}`).join('&');
      await Promise.all(
        ROUTES.map(async (route) => {
          check(`GET ${route} ${name}`, await send({ path: `${route}?${params}` }));
          check(`POST ${route} ${name}`, await send({ path: route, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params }));
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('whole bodies: nested, oversized, malformed, duplicated, wrong content type', async () => {
    failures.length = 0;
    const before = await counts();
    for (const { label, type, body } of BODIES) {
      await Promise.all(
        ROUTES.map(async (route) => {
          check(`POST ${route} ${label}`, await send({ path: route, method: 'POST', headers: type ? { 'content-type': type } : {}, body }));
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});

describe('fuzz: CLI arguments', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-fuzz-'));
    env = { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_SECRETS: 'fuzz-secret-fuzz-secret-fuzz-secret-00' };
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  // NUL cannot be passed at all: argv is C strings (Node refuses to spawn with one).
  const CASES: string[][] = [
    ['users', 'create', '--email'],
    ['users', 'create', '--email', `${'a'.repeat(50_000)}@example.com`],
    ['users', 'create', '--email', 'ünï@exämple.com'],
    ['users', 'create', '--email', '"alice"<attacker@evil.example>'],
    ['users', 'create', '--email', 'a@example.com', '--role', '\u202eadmin'],
    ['clients', 'create', '--name'],
    ['clients', 'delete'],
    ['clients', 'create', '--name', '😀', '--type', 'nonsense'],
    ['keys', 'rotate', '--bogus'],
    ['migrate', 'sideways'],
    ['\ud83d'],
  ];

  it('bad arguments exit 2 with a clear message and no stack trace', async () => {
    const results = await Promise.all(CASES.map((args) => runCli(args, env)));
    results.forEach((result, i) => {
      const label = CASES[i]!.join(' ').slice(0, 80);
      expect(result.code, `${label}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().length, label).toBeGreaterThan(0);
      expect(result.stderr.length, label).toBeLessThan(2000);
      expectNoLeak(result.stderr, label);
      expect(result.stdout, label).toBe('');
    });
  });
});
