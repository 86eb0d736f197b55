import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { tenantParameters } from '../schema/index.js';

export async function getParameters(db: DbOrTx, tenantId: string): Promise<Record<string, string>> {
  const rows = await db
    .select({ key: tenantParameters.key, value: tenantParameters.value })
    .from(tenantParameters)
    .where(eq(tenantParameters.tenantId, tenantId));
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function setParameter(db: DbOrTx, tenantId: string, key: string, value: string): Promise<void> {
  await db
    .insert(tenantParameters)
    .values({ tenantId, key, value })
    .onConflictDoUpdate({
      target: [tenantParameters.tenantId, tenantParameters.key],
      set: { value, updatedAt: sql`now()` },
    });
}

export async function deleteParameter(db: DbOrTx, tenantId: string, key: string): Promise<boolean> {
  const rows = await db
    .delete(tenantParameters)
    .where(and(eq(tenantParameters.tenantId, tenantId), eq(tenantParameters.key, key)))
    .returning({ key: tenantParameters.key });
  return rows.length > 0;
}
