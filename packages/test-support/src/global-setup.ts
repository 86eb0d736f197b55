import { createDb, runMigrations } from '@sotamail/db';
import pg from 'pg';
import { databaseUrl, templateDatabase, testEnv } from './env.js';

/**
 * Runs once per test run: builds the template database from the checked-in migrations, so every
 * test file starts from exactly what a real deployment gets. Leftover databases of earlier runs
 * that were killed are dropped.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: testEnv.pgAdminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${testEnv.pgAdminUrl} (${(err as Error).message}). ` +
        'Run `bash infra/local-services.sh` (or `npm test`, which does it) first.',
    );
  }
  try {
    const stale = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'sotamail_t_%' or datname = $1",
      [templateDatabase],
    );
    for (const { datname } of stale.rows) {
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.query(`create database "${templateDatabase}"`);
    const handle = createDb({ url: databaseUrl(templateDatabase), maxConnections: 1 });
    try {
      await runMigrations(handle);
    } finally {
      await handle.close();
    }
  } finally {
    await admin.end();
  }
  return async () => {};
}
