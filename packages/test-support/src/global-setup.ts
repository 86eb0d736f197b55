import { createDb, runMigrations } from '@sotamail/db';
import pg from 'pg';
import { dropDatabasePatiently } from './drop-database.js';
import { databasePrefix, databaseUrl, templateDatabase, testEnv } from './env.js';

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
    // Leftovers of runs that were killed, older than two hours: never a run still going.
    const cutoff = Math.floor(Date.now() / 1000) - 2 * 3600;
    const stale = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname ~ '^sotamail_(t|tpl)_[0-9]+'",
    );
    for (const { datname } of stale.rows) {
      const started = Number(/^sotamail_(?:t|tpl)_(\d+)/.exec(datname)?.[1] ?? Number.NaN);
      if (started < cutoff) {
        await dropDatabasePatiently(admin, datname);
      }
    }
    const template = templateDatabase();
    await dropDatabasePatiently(admin, template);
    await admin.query(`create database "${template}"`);
    const handle = createDb({ url: databaseUrl(template), maxConnections: 1 });
    try {
      await runMigrations(handle);
    } finally {
      await handle.close();
    }
  } finally {
    await admin.end();
  }
  // This run's databases go when it ends; a killed run's are dropped by a later one.
  return async () => {
    const cleanup = new pg.Client({ connectionString: testEnv.pgAdminUrl });
    await cleanup.connect();
    try {
      const mine = await cleanup.query<{ datname: string }>(
        'select datname from pg_database where datname like $1 or datname = $2',
        [`${databasePrefix()}%`, templateDatabase()],
      );
      for (const { datname } of mine.rows) {
        await dropDatabasePatiently(cleanup, datname);
      }
    } finally {
      await cleanup.end();
    }
  };
}
