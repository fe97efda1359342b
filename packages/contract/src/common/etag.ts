import { z } from 'zod';

/** Headers of an update: the ETag from GET, so two writers never overwrite each other (missing → 428, stale → 412). */
export const ifMatchHeaders = z.object({
  'if-match': z.string().max(200).optional().describe('The ETag from GET of this resource'),
});
