import { testEnv } from '@sotamail/test-support';
import pg from 'pg';

/**
 * Drops the benchmark's database, retrying for a while: after thousands of writes autovacuum may be
 * working in it, and `drop … with (force)` may not end that process for a role without superuser
 * rights; it finishes on its own within seconds.
 */
export async function dropDatabasePatiently(name: string, attempts = 20): Promise<void> {
  const admin = new pg.Client({ connectionString: testEnv.pgAdminUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
        return;
      } catch (err) {
        if (attempt >= attempts) {
          throw new Error(`could not drop the benchmark database ${name}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
}
