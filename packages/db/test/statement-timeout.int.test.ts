import { createDb, type DbHandle, deleteTenant, insertTenant, schema } from '@sotamail/db';
import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Against real PostgreSQL: a connection opened with a statement timeout gives up on a statement stuck
// behind a lock, and deleting a database (a cascade that grows with its data) is exempt from it.

let db: TestDatabase;
let limited: DbHandle;

beforeAll(async () => {
  db = await createTestDatabase();
  limited = createDb({ url: db.url, maxConnections: 2, statementTimeoutMs: 300 });
});

afterAll(async () => {
  await limited?.close();
  await db?.drop();
});

/**
 * Holds a row lock of the database's row until `ms` have passed, in a transaction of its own. (The
 * release is wrapped: an async function returning it bare would be awaited through to the release.)
 */
async function holdTenantRow(tenantId: string, ms: number): Promise<{ released: Promise<void> }> {
  const client = await db.pool.connect();
  await client.query('begin');
  await client.query('select 1 from tenants where id = $1 for update', [tenantId]);
  const released = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(async () => {
    await client.query('commit');
    client.release();
  });
  return { released };
}

describe('statement timeout', () => {
  it('cancels a statement stuck longer than the timeout with query_canceled', async () => {
    const tenant = await insertTenant(
      db.db,
      { name: 'T', hostingType: 'online', aliasDomain: 'st-a.test' },
      {},
    );
    const { released } = await holdTenantRow(tenant.id, 1_500);
    const started = Date.now();
    await expect(
      limited.db.update(schema.tenants).set({ name: 'renamed' }).where(eq(schema.tenants.id, tenant.id)),
    ).rejects.toMatchObject({ cause: { code: '57014' } });
    expect(Date.now() - started).toBeLessThan(1_200);
    await released;
  });

  it('lets a database deletion wait as long as its cascade needs', async () => {
    const tenant = await insertTenant(
      db.db,
      { name: 'U', hostingType: 'online', aliasDomain: 'st-b.test' },
      {},
    );
    const { released } = await holdTenantRow(tenant.id, 800);
    const started = Date.now();
    expect(await deleteTenant(limited.db, tenant.id)).toBe(true);
    // It waited for the lock, well past the 300 ms the connection allows other statements.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    await released;
    const left = await db.db.select().from(schema.tenants).where(eq(schema.tenants.id, tenant.id));
    expect(left).toEqual([]);
  });
});
