import { initContract } from '@ts-rest/core';
import { adminContract } from './admin/index.ts';
import { meContract } from './me/index.ts';

const c = initContract();

/** The whole Latchkey REST API. */
export const contract = c.router(
  {
    admin: adminContract,
    me: meContract,
  },
  { pathPrefix: '/api/v1', strictStatusCodes: true },
);

export type Contract = typeof contract;

export { API_SCOPES, API_SCOPE_NAMES, needs, needsWithEtag, type ApiScope, type RouteMetadata } from './common/api-scopes.ts';
export { ERRORS, ERROR_CODES, problemType, type ErrorCode } from './common/errors.ts';
export { ifMatchHeaders } from './common/etag.ts';
export { page, pageQuery, sortOf, timestamp } from './common/pagination.ts';
export { PROBLEM_CONTENT_TYPE, problemResponse, problems, problemSchema, type Problem, type ProblemStatus } from './common/problem.ts';
export { scopeSchema } from './admin/scopes.ts';
export { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, webhookDeliverySchema, webhookSchema } from './admin/webhooks.ts';
