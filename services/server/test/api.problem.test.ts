import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientCredentialsToken, etag, startApiTestServer, type ApiClient } from './support/api.ts';
import { expectNoLeak, rawRequest, type RawResponse } from './support/bad-input.ts';
import type { TestServer } from './support/server.ts';

/**
 * Every error under /api is RFC 9457 problem+json with the catalogue code of
 * its status: those the domain services (shared with the CLI) throw, those of
 * the API's own parsing, and those of the app-wide guards that run before the
 * API router (body limit, URL check, Host check).
 */
describe('API errors are problem+json per the catalogue', () => {
  let server: TestServer;
  let token: string;
  let api: ApiClient;
  beforeAll(async () => {
    server = await startApiTestServer();
    token = (await clientCredentialsToken(server, ['clients:read', 'clients:write', 'keys:write', 'scopes:read'])).token;
    api = apiClient(server, token);
  });
  afterAll(() => server?.stop());

  type Answer = { status: number; contentType: string | null | undefined; body: unknown; text: string; headers?: Headers };

  const expectProblem = (answer: Answer, status: number, code: string) => {
    expect(answer.status, answer.text.slice(0, 200)).toBe(status);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: `urn:latchkey:problem:${code}`, status, code });
    expectNoLeak(answer.text);
  };
  const fromTyped = (response: { status: number; body: unknown; headers: Headers }): Answer => ({
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: response.body,
    text: JSON.stringify(response.body),
  });
  const fromRaw = (response: RawResponse): Answer => {
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = response.body;
    }
    return { status: response.status, contentType: response.headers['content-type'] as string | undefined, body, text: response.body };
  };
  const send = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
    const text = await response.text();
    return fromRaw({ status: response.status, headers: { 'content-type': response.headers.get('content-type') ?? undefined }, body: text });
  };

  it('HttpErrors from the domain services keep their status and code: 409 conflict, 412 precondition_failed, 404 not_found', async () => {
    // src/clients/manage.ts and src/keys/manage.ts throw these; the CLI gets the same errors.
    const pub = await api.admin.clients.create({ body: { name: `public-${Date.now()}`, type: 'public', redirect_uris: ['http://localhost/cb'] } });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    const clientId = (pub.body as { client_id: string }).client_id;
    expectProblem(fromTyped(await api.admin.clients.rotateSecret({ params: { client_id: clientId } })), 409, 'conflict');

    const read = await api.admin.clients.get({ params: { client_id: clientId } });
    const changed = await api.admin.clients.update({ params: { client_id: clientId }, headers: { 'if-match': etag(read) }, body: { name: `renamed-${Date.now()}` } });
    expect(changed.status).toBe(200);
    const stale = await api.admin.clients.update({ params: { client_id: clientId }, headers: { 'if-match': etag(read) }, body: { name: `again-${Date.now()}` } });
    expectProblem(fromTyped(stale), 412, 'precondition_failed');

    expectProblem(fromTyped(await api.admin.keys.revoke({ params: { kid: 'no-such-kid' } })), 404, 'not_found');
    expectProblem(fromTyped(await api.admin.clients.update({ params: { client_id: clientId }, headers: {}, body: { name: 'x' } })), 428, 'precondition_required');
  });

  it("the API's own parsing: unknown path 404, non-JSON 415, malformed JSON 400, body over the API limit 413", async () => {
    expectProblem(await send('/api/v1/no/such/route'), 404, 'not_found');
    const json = { 'content-type': 'application/json' };
    expectProblem(await send('/api/v1/admin/clients', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=x' }), 415, 'unsupported_media_type');
    expectProblem(await send('/api/v1/admin/clients', { method: 'POST', headers: json, body: '{"name":' }), 400, 'validation_failed');
    // Over the API's 32 KiB but under the app-wide 56 KiB.
    expectProblem(await send('/api/v1/admin/clients', { method: 'POST', headers: json, body: JSON.stringify({ name: 'x'.repeat(40 * 1024) }) }), 413, 'payload_too_large');
  });

  it('the app-wide guards before the API router answer problem+json under /api: body over the server limit 413, malformed URL 400, foreign Host', async () => {
    // Over the server-wide 56 KiB limit: refused from Content-Length before the API parses anything.
    const huge = await send('/api/v1/admin/clients', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200 * 1024) }) });
    expectProblem(huge, 413, 'payload_too_large');
    expect((huge.body as { detail?: string }).detail).toContain('56 KiB');

    expectProblem(fromRaw(await rawRequest(server.issuer, { path: '/api/v1/admin/scopes/%E0%A4%A' })), 400, 'validation_failed');
    expectProblem(fromRaw(await rawRequest(server.issuer, { path: '/api/v1/admin/scopes/a%00b' })), 400, 'validation_failed');
    // Not a Host this server answers for: no catalogue code has 421, so it is the request that is wrong.
    const foreign = fromRaw(await rawRequest(server.issuer, { path: '/api/v1/admin/scopes', headers: { host: 'evil.example' } }));
    expectProblem(foreign, 400, 'validation_failed');
    expect((foreign.body as { detail?: string }).detail).toContain('answers only for');

    // Outside /api nothing changes: OAuth-style JSON.
    const token = await fetch(`${server.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `a=${'x'.repeat(200 * 1024)}` });
    expect(token.status).toBe(413);
    expect(await token.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a server failure is a 500 internal_error with no internal text', async () => {
    // A failure the route cannot foresee: the table it reads is gone for a moment.
    await server.db.knex.raw('alter table scopes rename to scopes_away');
    try {
      const failed = await send('/api/v1/admin/scopes');
      expectProblem(failed, 500, 'internal_error');
      expect(failed.text).not.toContain('scopes_away');
      expect((failed.body as { detail?: string }).detail).toBe('internal error');
    } finally {
      await server.db.knex.raw('alter table scopes_away rename to scopes');
    }
  });
});
