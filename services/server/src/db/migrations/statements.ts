import type { Knex } from 'knex';

/**
 * Runs DDL statements one at a time: PGlite's extended-protocol queries take a
 * single statement each, and one statement per call keeps error messages precise.
 */
export async function runStatements(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}
