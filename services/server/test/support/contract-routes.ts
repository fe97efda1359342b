import { randomUUID } from 'node:crypto';
import { API_SCOPE_NAMES, contract } from '@latchkey/contract';
import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { z } from 'zod';

/**
 * Every route of the contract, found by walking it (never a hand-kept list),
 * so the cross-cutting API tests cover a new route the day it is added.
 */
export type ContractRoute = {
  /** Dotted router path, e.g. `admin.users.update`. */
  name: string;
  method: AppRoute['method'];
  path: string;
  route: AppRoute;
  /** `metadata.scopes`, or undefined when the route declares none (a contract bug the tests report). */
  scopes: string[] | undefined;
};

function walk(router: AppRouter, prefix: string[]): ContractRoute[] {
  return Object.entries(router).flatMap(([key, value]) => {
    const name = [...prefix, key];
    if (isAppRoute(value)) {
      const scopes = (value.metadata as { scopes?: unknown } | undefined)?.scopes;
      return [{ name: name.join('.'), method: value.method, path: value.path, route: value, scopes: Array.isArray(scopes) ? (scopes as string[]) : undefined }];
    }
    return walk(value as AppRouter, name);
  });
}

export const contractRoutes: ContractRoute[] = walk(contract, []);

export const KNOWN_SCOPES = new Set<string>(API_SCOPE_NAMES);

/** Peels optional/default/nullable/refine wrappers off a zod schema. */
export function unwrap(schema: unknown): z.ZodTypeAny | undefined {
  let current = schema as z.ZodTypeAny | undefined;
  for (let i = 0; i < 10 && current; i++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap();
    else if (current instanceof z.ZodDefault) current = current.removeDefault();
    else if (current instanceof z.ZodEffects) current = current.innerType();
    else return current;
  }
  return current;
}

/** The fields of an object schema (body or query), or undefined when it is not an object. */
export function objectShape(schema: unknown): Record<string, z.ZodTypeAny> | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodTypeAny>) : undefined;
}

/** The route's body schema: undefined for GET and for ts-rest's noBody() (a symbol). */
export const bodyOf = (route: AppRoute): unknown => {
  const body = route.method === 'GET' ? undefined : (route as { body?: unknown }).body;
  return typeof body === 'symbol' ? undefined : body;
};

/** Whether the route takes a JSON body. */
export const hasBody = (route: AppRoute): boolean => bodyOf(route) !== undefined;

// Made-up ids that fit every id format of the contract: uuids, opaque ids, digits.
const CANDIDATES = () => [randomUUID(), '4242424242'];

/**
 * The route's path with every `:param` filled: from `given` when named there,
 * else with a syntactically valid made-up id (first candidate its schema takes).
 */
export function fillPath(entry: ContractRoute, given: Record<string, string> = {}): string {
  const shape = objectShape(entry.route.pathParams) ?? {};
  return entry.path.replace(/:([A-Za-z_]+)/g, (_, param: string) => {
    if (given[param] !== undefined) return encodeURIComponent(given[param]);
    const schema = shape[param];
    const value = CANDIDATES().find((candidate) => !schema || schema.safeParse(candidate).success);
    if (!value) throw new Error(`${entry.name}: no made-up value fits path parameter ${param}`);
    return encodeURIComponent(value);
  });
}
