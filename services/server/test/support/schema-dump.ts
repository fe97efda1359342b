import type { Knex } from 'knex';

/**
 * Everything the migrations define in the public schema, read from the
 * catalogs, as sorted lines: tables, columns (type, default, nullability,
 * generation), indexes, constraints, triggers, functions, sequences, types.
 * Knex's own bookkeeping tables are left out. Two databases with equal dumps
 * have the same schema.
 */
export async function dumpSchema(knex: Knex): Promise<string[]> {
  const rows = async (sql: string) => (await knex.raw(sql)).rows as Array<{ line: string }>;
  const own = `not like 'knex\\_migrations%'`;
  const parts = await Promise.all([
    rows(`select 'table ' || c.relname as line
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and c.relname ${own}`),
    rows(`select concat_ws(' ', 'column', table_name || '.' || column_name, '#' || ordinal_position, udt_name,
                 'nullable=' || is_nullable, 'default=' || coalesce(column_default, '-'),
                 'generated=' || coalesce(generation_expression, '-')) as line
          from information_schema.columns
          where table_schema = 'public' and table_name ${own}`),
    rows(`select 'index ' || tablename || ' ' || indexdef as line
          from pg_indexes where schemaname = 'public' and tablename ${own}`),
    rows(`select concat_ws(' ', 'constraint', conrelid::regclass::text, conname, contype, pg_get_constraintdef(c.oid)) as line
          from pg_constraint c join pg_namespace n on n.oid = c.connamespace
          where n.nspname = 'public' and conrelid::regclass::text ${own}`),
    rows(`select 'trigger ' || pg_get_triggerdef(t.oid) as line
          from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and not t.tgisinternal`),
    rows(`select 'function ' || pg_get_functiondef(p.oid) as line
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`),
    rows(`select 'sequence ' || c.relname as line
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'S' and c.relname ${own}`),
    // Composite row types follow their tables; only standalone types and enums are ours.
    rows(`select 'type ' || t.typname || ' ' || t.typtype::text as line
          from pg_type t join pg_namespace n on n.oid = t.typnamespace
          where n.nspname = 'public'
            and (t.typtype in ('e', 'd', 'r')
                 or (t.typtype = 'c' and not exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind <> 'c')))`),
  ]);
  return parts.flatMap((part) => part.map((row) => row.line)).sort();
}

/** Names of the tables in the public schema (without knex's bookkeeping). */
export async function tableNames(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw(
    `select tablename from pg_tables where schemaname = 'public' and tablename not like 'knex\\_migrations%' order by 1`,
  );
  return (rows as Array<{ tablename: string }>).map((row) => row.tablename);
}
