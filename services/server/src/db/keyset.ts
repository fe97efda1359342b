import type { Knex } from 'knex';

/**
 * Keyset pagination: a page continues after the last row's (sort key, id),
 * so rows inserted or deleted meanwhile never shift a page, and the query
 * stays an index range however deep the page. The position is plain data;
 * the API wraps it in a signed cursor (src/api/cursor.ts).
 */

export type Position = { key: string; id: string };

export type KeysetOrder = {
  /** A trusted SQL expression (never input): a column, or e.g. lower(coalesce(email, '')). */
  key: string;
  /** How the key compares: timestamps by their full microsecond value, text as text. */
  kind: 'timestamptz' | 'text';
  /** The unique tiebreaker column and its type. */
  id: string;
  idType: 'uuid' | 'text';
  desc: boolean;
};

/**
 * The allowlisted sorts of a list: each field ascending (`field`) and
 * descending (`-field`), all with the same unique tiebreaker.
 */
export function keysetOrders<F extends string>(
  fields: Record<F, Pick<KeysetOrder, 'key' | 'kind'>>,
  tiebreaker: Pick<KeysetOrder, 'id' | 'idType'>,
): Record<F | `-${F}`, KeysetOrder> {
  const orders = {} as Record<F | `-${F}`, KeysetOrder>;
  for (const [field, order] of Object.entries(fields) as Array<[F, Pick<KeysetOrder, 'key' | 'kind'>]>) {
    orders[field] = { ...order, ...tiebreaker, desc: false };
    orders[`-${field}`] = { ...order, ...tiebreaker, desc: true };
  }
  return orders;
}

// Microseconds survive the round trip through the cursor (a JS Date would cut them to milliseconds).
const keyText = (order: KeysetOrder) =>
  order.kind === 'timestamptz' ? `to_char(${order.key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : `${order.key}::text`;

/**
 * Applies order, position and limit (one row more than asked, to know
 * whether another page follows). Pass the rows to `pageOf`.
 */
export function keyset<Q extends Knex.QueryBuilder>(query: Q, knex: Knex, order: KeysetOrder, after: Position | undefined, limit: number): Q {
  const direction = order.desc ? 'desc' : 'asc';
  query.select(knex.raw(`${keyText(order)} as keyset_key`));
  if (after) {
    query.whereRaw(`(${order.key}, ${order.id}) ${order.desc ? '<' : '>'} (?::${order.kind}, ?::${order.idType})`, [after.key, after.id]);
  }
  return query.orderByRaw(`${order.key} ${direction}, ${order.id} ${direction}`).limit(limit + 1) as Q;
}

/** The page's rows (without the keyset column) and the position after its last row, when more follow. */
export function pageOf<R extends { keyset_key: string }>(rows: R[], limit: number, idOf: (row: R) => string): { rows: Array<Omit<R, 'keyset_key'>>; next: Position | null } {
  const more = rows.length > limit;
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    rows: kept.map(({ keyset_key: _key, ...row }) => row),
    next: more && last ? { key: last.keyset_key, id: idOf(last) } : null,
  };
}
