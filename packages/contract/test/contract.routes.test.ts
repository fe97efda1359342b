import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { describe, expect, it } from 'vitest';
import { API_SCOPE_NAMES, contract, PROBLEM_CONTENT_TYPE, type RouteMetadata } from '../src/index.ts';

const routes = (router: AppRouter, keys: string[] = []): Array<[string, AppRoute]> =>
  Object.entries(router).flatMap(([key, value]) => (isAppRoute(value) ? [[[...keys, key].join('.'), value] as [string, AppRoute]] : routes(value as AppRouter, [...keys, key])));

const all = routes(contract);

describe('every route of the contract', () => {
  it('exists', () => expect(all.length).toBeGreaterThan(0));

  it.each(all)('%s declares its scopes, a summary, strict status codes and problem answers', (_name, route) => {
    const metadata = route.metadata as RouteMetadata;
    expect(metadata.scopes.length).toBeGreaterThan(0);
    for (const scope of metadata.scopes) expect(API_SCOPE_NAMES).toContain(scope);
    expect(route.summary).toBeTruthy();
    expect(route.strictStatusCodes).toBe(true);
    expect(route.path.startsWith('/api/v1/admin/') || route.path.startsWith('/api/v1/me')).toBe(true);
    for (const status of [401, 403]) expect((route.responses as Record<number, { contentType?: string }>)[status]?.contentType).toBe(PROBLEM_CONTENT_TYPE);
  });

  it.each(all.filter(([, route]) => route.method !== 'GET' && 'body' in route && typeof (route.body as { safeParse?: unknown })?.safeParse === 'function'))(
    '%s refuses unknown body fields (no mass assignment)',
    (_name, route) => {
      const body = (route as AppRoute & { body: { safeParse: (v: unknown) => { success: boolean; error?: { issues: Array<{ code: string }> } } } }).body;
      const result = body.safeParse({ role: 'admin', email_verified: true });
      expect(result.success).toBe(false);
      expect(result.error?.issues.some((issue) => issue.code === 'unrecognized_keys')).toBe(true);
    },
  );

  it.each(all.filter(([, route]) => route.query))('%s refuses unknown query parameters', (_name, route) => {
    const query = route.query as { safeParse: (v: unknown) => { success: boolean } };
    expect(query.safeParse({ 'sort; drop table users': '1' }).success).toBe(false);
  });
});
