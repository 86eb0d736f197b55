import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { apiKeys, tenantParameters, tenants } from '../schema/index.js';

export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;

/** Creates a database with its default parameters in one transaction. */
export async function insertTenant(
  db: DbOrTx,
  values: NewTenant,
  defaultParameters: Record<string, string>,
): Promise<Tenant> {
  return db.transaction(async (tx) => {
    const [tenant] = await tx.insert(tenants).values(values).returning();
    if (!tenant) {
      throw new Error('insert returned no row');
    }
    const rows = Object.entries(defaultParameters).map(([key, value]) => ({
      tenantId: tenant.id,
      key,
      value,
    }));
    if (rows.length > 0) {
      await tx.insert(tenantParameters).values(rows);
    }
    return tenant;
  });
}

export async function findTenant(db: DbOrTx, id: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id));
  return row;
}

export async function listTenants(db: DbOrTx, onlyId?: string): Promise<Tenant[]> {
  const query = db.select().from(tenants).orderBy(tenants.createdAt);
  return onlyId ? query.where(eq(tenants.id, onlyId)) : query;
}

export async function updateTenant(
  db: DbOrTx,
  id: string,
  values: Partial<NewTenant>,
): Promise<Tenant | undefined> {
  const [row] = await db
    .update(tenants)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(tenants.id, id))
    .returning();
  return row;
}

/**
 * Deletes a database and, by cascade, everything it holds (each reference followed through an index,
 * migration 0009). Exempt from the connection's statement timeout: the one statement whose length
 * grows with the data, asked for on purpose by an operator. Inside a caller's transaction the
 * exemption lasts until that transaction ends.
 */
export async function deleteTenant(db: DbOrTx, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = 0`);
    const rows = await tx.delete(tenants).where(eq(tenants.id, id)).returning({ id: tenants.id });
    return rows.length > 0;
  });
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(
  db: DbOrTx,
  values: { tenantId: string; name: string; prefix: string; keyHash: string },
): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKeys).values(values).returning();
  if (!row) {
    throw new Error('insert returned no row');
  }
  return row;
}

/** The live key with this prefix, if any (revoked keys never authenticate). */
export async function findActiveApiKeyByPrefix(db: DbOrTx, prefix: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.prefix, prefix), isNull(apiKeys.revokedAt)));
  return row;
}

export async function listApiKeys(db: DbOrTx, tenantId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(apiKeys.createdAt);
}

export async function revokeApiKey(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export async function touchApiKey(db: DbOrTx, id: string): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, id));
}
