/**
 * node-postgres, loaded by whoever connects with it (a DATABASE_URL, or the
 * CLI reaching an embedded server's socket) rather than at start, with the
 * type parsing both backends share: bigint counts as numbers.
 */
let loaded: Promise<void> | undefined;

export function usePgDriver(): Promise<void> {
  return (loaded ??= import('pg').then(({ default: pg }) => {
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  }));
}
