import type pg from 'pg';

/**
 * Drops a database, retrying for a while: after many writes autovacuum may be working in it, and
 * `drop … with (force)` cannot end that process for a role without superuser rights (it would
 * need pg_signal_backend). Autovacuum finishes on its own within seconds. Other errors are thrown at
 * once.
 */
export async function dropDatabasePatiently(
  admin: pg.ClientBase,
  name: string,
  attempts = 20,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`drop database if exists "${name}" with (force)`);
      return;
    } catch (err) {
      // 42501: may not end another role's process (autovacuum); 55006: still in use.
      const code = (err as { code?: string }).code;
      if (attempt >= attempts || (code !== '42501' && code !== '55006')) {
        throw new Error(`could not drop the test database ${name}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}
