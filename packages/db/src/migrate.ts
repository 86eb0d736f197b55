import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { DbHandle } from './client.js';

/** The checked-in SQL migrations; the same relative path from src/ and from dist/. */
export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

// Any number will do, as long as every instance uses the same one.
const migrationLockKey = 7_346_221;

/**
 * Applies pending migrations. Several instances may start at once: a session advisory lock makes
 * the others wait, then find nothing left to do. The migration runs on the connection that holds
 * the lock, so a pool of one connection is enough.
 */
export async function runMigrations(handle: DbHandle): Promise<void> {
  const client = await handle.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLockKey]);
    try {
      await migrate(drizzle({ client, casing: 'snake_case' }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [migrationLockKey]);
    }
  } finally {
    client.release();
  }
}
