import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, type ErrorCode } from './errors.ts';

export { PROBLEM_CONTENT_TYPE };

/** RFC 9457 problem details, with our stable `code` (see errors.ts). */
export const problemSchema = z
  .object({
    type: z.string().describe('URI naming the problem: urn:latchkey:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per invalid field (validation_failed)'),
  })
  .describe('Problem');

export type Problem = z.infer<typeof problemSchema>;

const c = initContract();

export const problemResponse = c.otherResponse({ contentType: PROBLEM_CONTENT_TYPE, body: problemSchema });

/** Statuses a route may answer with a problem. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 428 | 429 | 503;

/**
 * The problem responses of a route in one line: `...problems(400, 401, 403, 404)`.
 * Each route lists its own, so the OpenAPI document says exactly what it answers.
 */
export function problems<const S extends readonly ProblemStatus[]>(...statuses: S): { [K in S[number]]: typeof problemResponse } {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse])) as { [K in S[number]]: typeof problemResponse };
}
