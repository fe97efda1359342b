import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/env.ts';
import { startDocumentHost, type DocumentHost } from './support/metadata-document-host.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * What LATCHKEY_CIMD refuses before (or instead of) fetching: a document on a
 * private address without LATCHKEY_OUTBOUND_PRIVATE=allow, a host outside the
 * allowlist, any document when off. The host below is on this machine, so each
 * refusal here is one a real document would otherwise have passed.
 */
describe('LATCHKEY_CIMD policy', () => {
  let host: DocumentHost;
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startTestServer({ env });
    servers.push(server);
    return server;
  };
  beforeAll(async () => {
    host = await startDocumentHost();
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await host?.close();
  });

  const documentAt = (path: string) =>
    host.serve(path, { client_id: `${host.origin}${path}`, client_name: 'Agent', redirect_uris: ['http://127.0.0.1:9999/callback'], token_endpoint_auth_method: 'none' });

  const push = async (server: TestServer, clientId: string) => {
    const response = await fetch(`${server.issuer}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, redirect_uri: 'http://127.0.0.1:9999/callback', response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }),
    });
    return { status: response.status, body: (await response.json()) as { error: string; error_description: string } };
  };

  it('a document at a private address is refused without LATCHKEY_OUTBOUND_PRIVATE=allow, and never fetched', async () => {
    const server = await start({ LATCHKEY_CIMD: 'any' });
    const clientId = documentAt('/private.json');
    expect(await push(server, clientId)).toMatchObject({ status: 400, body: { error: 'invalid_client', error_description: 'client_id metadata document fetch failed' } });
    expect(host.fetches.get('/private.json')).toBeUndefined();
    const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  }, 120_000);

  it('allowlist: a host outside LATCHKEY_CIMD_HOSTS is refused before any request', async () => {
    const server = await start({ LATCHKEY_CIMD: 'allowlist', LATCHKEY_CIMD_HOSTS: '*.example.com,tools.example.org', LATCHKEY_OUTBOUND_PRIVATE: 'allow' });
    const clientId = documentAt('/not-listed.json');
    expect(await push(server, clientId)).toMatchObject({ status: 400, body: { error: 'invalid_client', error_description: 'client_id metadata document fetch not allowed' } });
    expect(host.fetches.get('/not-listed.json')).toBeUndefined();
  }, 120_000);

  it('off (the default): an https client_id is an unknown client, and nothing is advertised', async () => {
    const server = await start({ LATCHKEY_OUTBOUND_PRIVATE: 'allow' });
    const clientId = documentAt('/off.json');
    const refused = await push(server, clientId);
    expect(refused.body.error).toBe('invalid_client');
    expect(host.fetches.get('/off.json')).toBeUndefined();
    const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).not.toHaveProperty('client_id_metadata_document_supported');
  }, 120_000);
});

describe('LATCHKEY_CIMD configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('parses host patterns and names each bad value', () => {
    expect(loadConfig({ NODE_ENV: 'test', LATCHKEY_CIMD: 'allowlist', LATCHKEY_CIMD_HOSTS: '*.Example.com, tools.example.org' }).cimd).toEqual({ policy: 'allowlist', hosts: ['*.example.com', 'tools.example.org'] });
    expect(loadConfig({ NODE_ENV: 'test' }).cimd.policy).toBe('off');
    expect(problems({ LATCHKEY_CIMD: 'on' })).toEqual([expect.stringMatching(/^LATCHKEY_CIMD must be 'off', 'allowlist' or 'any'/)]);
    expect(problems({ LATCHKEY_CIMD: 'allowlist' })).toEqual([expect.stringMatching(/^LATCHKEY_CIMD_HOSTS is required when LATCHKEY_CIMD=allowlist/)]);
    expect(problems({ LATCHKEY_CIMD: 'allowlist', LATCHKEY_CIMD_HOSTS: '*.com' })).toEqual([expect.stringMatching(/^LATCHKEY_CIMD_HOSTS must be comma-separated host names/)]);
    expect(problems({ LATCHKEY_CIMD: 'allowlist', LATCHKEY_CIMD_HOSTS: 'https://tools.example.org' })).toHaveLength(1);
    expect(problems({ LATCHKEY_CIMD: 'any', LATCHKEY_CIMD_HOSTS: 'tools.example.org' })).toEqual([expect.stringMatching(/^LATCHKEY_CIMD_HOSTS is used only with LATCHKEY_CIMD=allowlist/)]);
  });
});
