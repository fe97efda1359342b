import { ApiProblem } from './problem.ts';

/**
 * ETags are the row's version (src/db/version.ts). Updates run
 * `… WHERE id = ? AND <version> = ?`, so of two admins who read the same
 * version only the first write lands; the second gets 412.
 */
export const etagOf = (version: string): string => `"${version}"`;

/**
 * The version an update is conditional on. Missing If-Match → 428; only
 * strong ETags we issued can match (a `*`, a weak or foreign tag never does).
 */
export function requireIfMatch(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new ApiProblem('precondition_required', 'send If-Match with the ETag from GET of this resource');
  }
  const tags = header.split(',').map((tag) => tag.trim());
  const version = tags.map((tag) => /^"(\d{1,20})"$/.exec(tag)?.[1]).find((v) => v !== undefined);
  if (version === undefined) throw new ApiProblem('precondition_failed', 'If-Match does not name the current version of this resource');
  return version;
}
