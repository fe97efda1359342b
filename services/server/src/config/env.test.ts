import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('environment configuration', () => {
  it('has working defaults for a laptop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ env: 'development', issuer: 'http://localhost:3000', port: 3000, signup: 'open', trustProxy: false });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('defaults the issuer to the port it listens on; an explicit issuer wins', () => {
    expect(loadConfig({ PORT: '4123' })).toMatchObject({ port: 4123, issuer: 'http://localhost:4123' });
    expect(loadConfig({ PORT: '4123', LATCHKEY_ISSUER: '' }).issuer).toBe('http://localhost:4123');
    expect(loadConfig({ PORT: '4123', LATCHKEY_ISSUER: 'https://id.example.com' }).issuer).toBe('https://id.example.com');
  });

  it('names each bad variable, without echoing its value', () => {
    const list = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LATCHKEY_SIGNUP: 'maybe', LATCHKEY_SECRETS: 'short-secret-value' });
    expect(list.map((p) => p.split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'LATCHKEY_SECRETS', 'LATCHKEY_SIGNUP', 'PORT']);
    expect(list.join('\n')).not.toContain('short-secret-value');
  });

  it('requires secrets and an https issuer in production', () => {
    const list = problems({ NODE_ENV: 'production' });
    expect(list).toEqual(expect.arrayContaining([expect.stringMatching(/^LATCHKEY_SECRETS .*production/), expect.stringMatching(/^LATCHKEY_ISSUER .*https/)]));
    expect(() => loadConfig({ NODE_ENV: 'production', LATCHKEY_ISSUER: 'https://id.example.com', LATCHKEY_SECRETS: 'x'.repeat(32) })).not.toThrow();
  });

  it('refuses an issuer with a query or fragment, and trims a trailing slash', () => {
    expect(problems({ LATCHKEY_ISSUER: 'https://id.example.com/?a=1' })[0]).toMatch(/^LATCHKEY_ISSUER/);
    expect(loadConfig({ LATCHKEY_ISSUER: 'https://id.example.com/' }).issuer).toBe('https://id.example.com');
  });

  it('trusts proxies only when told which, never blindly', () => {
    expect(problems({ LATCHKEY_TRUST_PROXY: 'true' })[0]).toMatch(/^LATCHKEY_TRUST_PROXY .*spoof/);
    expect(loadConfig({ LATCHKEY_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ LATCHKEY_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(problems({ LATCHKEY_TRUST_PROXY: 'everyone' })[0]).toMatch(/^LATCHKEY_TRUST_PROXY/);
  });

  it('reads rate limits as limit.scope=points/duration and names the variable for a bad entry', () => {
    expect(loadConfig({}).rateLimits).toEqual({});
    expect(loadConfig({ LATCHKEY_RATE_LIMITS: 'sign-in.ip=50/1h, device-code.global=200/15m,code-request.pair=3/900, sign-in.account=10/2d' }).rateLimits).toEqual({
      'sign-in': { ip: { points: 50, seconds: 3600 }, account: { points: 10, seconds: 172_800 } },
      'device-code': { global: { points: 200, seconds: 900 } },
      'code-request': { pair: { points: 3, seconds: 900 } },
    });
    for (const [value, why] of [
      ['sign-in.ip=50', /entry 1 must look like/],
      ['sign-in.ip=50/1h, signin.ip=5/1m', /entry 2 names an unknown limit/],
      ['token.account=5/1m', /token has no scope "account"; it has: ip/],
      ['device-code.pair=5/1m', /device-code has no scope "pair"/],
      ['sign-up.ip=0/1h', /at least 1 point/],
      ['sign-up.ip=5/8d', /1s to 7d/],
    ] as const) {
      const list = problems({ LATCHKEY_RATE_LIMITS: value });
      expect(list).toHaveLength(1);
      expect(list[0]).toMatch(/^LATCHKEY_RATE_LIMITS /);
      expect(list[0]).toMatch(why);
    }
  });

  it('reads the metrics port and token and the OTLP endpoint; refuses the metrics port on PORT and a short token', () => {
    const token = 'm'.repeat(32);
    expect(loadConfig({ LATCHKEY_METRICS_PORT: '9464', LATCHKEY_METRICS_TOKEN: token, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toMatchObject({
      metrics: { port: 9464, token },
      tracing: { endpoint: 'http://collector:4318', serviceName: 'latchkey' },
    });
    expect(loadConfig({}).metrics).toEqual({ port: undefined, token: undefined });
    expect(loadConfig({}).tracing.endpoint).toBeUndefined();
    const list = problems({ PORT: '3000', LATCHKEY_METRICS_PORT: '3000', LATCHKEY_METRICS_TOKEN: 'short', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector' });
    expect(list.map((p) => p.split(' ')[0]).sort()).toEqual(['LATCHKEY_METRICS_PORT', 'LATCHKEY_METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(list.join('\n')).not.toContain('short');
  });

  it('accepts several comma-separated secrets for rotation', () => {
    expect(loadConfig({ LATCHKEY_SECRETS: `${'a'.repeat(32)}, ${'b'.repeat(40)}` }).secrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
  });
});
