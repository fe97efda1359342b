import { z } from 'zod';

/** Query fields every list route takes. Cursors are opaque: never build or edit one. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page (1–100)'),
  cursor: z.string().min(1).max(512).optional().describe('next_cursor of the previous page; only valid with the same filters and sort'),
};

/** A page of items; `next_cursor` is null on the last page. */
export function page<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

type Sort<F extends string> = F | `-${F}`;

/** Sort values of a list (the allowlist): each field ascending, or descending with a leading '-'. */
export function sortOf<const F extends readonly [string, ...string[]]>(fields: F): z.ZodEnum<[Sort<F[number]>, ...Array<Sort<F[number]>>]> {
  const values = fields.flatMap((field) => [field, `-${field}`]);
  return z.enum(values as [Sort<F[number]>, ...Array<Sort<F[number]>>]);
}

export const timestamp = z.string().datetime({ offset: true });
