import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Db = NodePgDatabase<typeof schema>;
/** A database handle or an open transaction: query functions accept either. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export type DbHandle = { db: Db; pool: pg.Pool; close: () => Promise<void> };

export type CreateDbOptions = {
  url: string;
  maxConnections?: number;
  applicationName?: string;
  /** PostgreSQL cancels a statement running longer (query_canceled, 57014); 0 or absent: no limit. */
  statementTimeoutMs?: number;
};

/** Opens a pool; nothing connects until the first query. The caller owns closing it. */
export function createDb(options: CreateDbOptions): DbHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'sotamail',
    connectionTimeoutMillis: 5_000,
    // Sent with each connection's start-up, so it holds for every statement, pooled or in a transaction.
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzle({ client: pool, schema, casing: 'snake_case' });
  return { db, pool, close: () => pool.end() };
}

export async function pingDb(handle: DbHandle): Promise<void> {
  await handle.pool.query('select 1');
}
