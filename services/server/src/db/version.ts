import type { Knex } from 'knex';

/**
 * A row's version, the API's ETag: its updated_at to the microsecond, read
 * in SQL (a JS Date keeps only milliseconds, which two quick writes can
 * share). Compared as text, so an If-Match no row can have (too many digits
 * for a bigint) is simply not equal, never a cast error.
 */
export const micros = (column: string): string => `(extract(epoch from ${column}) * 1000000)::bigint`;

/** The version as text, for `… AND <VERSION_SQL> = ?` conditional writes. */
export const versionSql = (column = 'updated_at'): string => `${micros(column)}::text`;

/** `version` selected next to a row's columns. */
export const selectVersion = (knex: Knex, column = 'updated_at'): Knex.Raw => knex.raw(`${versionSql(column)} as version`);
