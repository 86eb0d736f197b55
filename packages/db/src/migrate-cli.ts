import { createDb } from './client.js';
import { runMigrations } from './migrate.js';

// `npm run db:migrate`: applies the checked-in migrations to DATABASE_URL.
const url = process.env.DATABASE_URL ?? 'postgres://sotamail:sotamail@127.0.0.1:5432/sotamail';
const handle = createDb({ url, maxConnections: 2, applicationName: 'sotamail-migrate' });
try {
  await runMigrations(handle);
  process.stdout.write(`migrations applied to ${new URL(url).pathname.slice(1)}\n`);
} catch (err) {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
