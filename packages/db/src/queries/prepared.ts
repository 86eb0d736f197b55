import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../client.js';

/**
 * A query the router runs for every incoming mail, built once per database handle and prepared by
 * name on each connection: neither Drizzle nor PostgreSQL plans it again for every mail. Inside a
 * transaction (whose handle is not the pool's) there is none, and the caller builds the query as usual.
 */
export function preparedOn<T>(build: (db: Db) => T): (db: DbOrTx) => T | null {
  const byHandle = new WeakMap<Db, T>();
  return (db) => {
    if (db instanceof PgTransaction) {
      return null;
    }
    const handle = db as Db;
    let query = byHandle.get(handle);
    if (query === undefined) {
      query = build(handle);
      byHandle.set(handle, query);
    }
    return query;
  };
}
