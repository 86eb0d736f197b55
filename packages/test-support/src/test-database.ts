import { randomBytes } from 'node:crypto';
import { createDb, type DbHandle } from '@sotamail/db';
import pg from 'pg';
import { dropDatabasePatiently } from './drop-database.js';
import { databasePrefix, databaseUrl, templateDatabase, testEnv } from './env.js';

export type TestDatabase = DbHandle & { url: string; name: string; drop: () => Promise<void> };

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testEnv.pgAdminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one test file, cloned from the template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${databasePrefix()}${randomBytes(6).toString('hex')}`;
  await withAdmin(async (client) => {
    // Two files cloning at the same instant can make PostgreSQL report the template as busy.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database "${name}" template "${templateDatabase()}"`);
        return;
      } catch (err) {
        if (attempt >= 10 || !/being accessed by other users/.test((err as Error).message)) {
          throw err;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
  const url = databaseUrl(name);
  const handle = createDb({ url, maxConnections: 5 });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      await withAdmin((client) => dropDatabasePatiently(client, name));
    },
  };
}
