import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';

/**
 * The four operations every tenant-owned table needs, each with the tenant in its WHERE clause so
 * that no caller can reach another database's rows by id.
 */
type TenantTable = PgTable & { id: PgColumn; tenantId: PgColumn };

export function tenantRows<T extends TenantTable>(table: T, order: PgColumn[] = []) {
  type Row = T['$inferSelect'];
  type Insert = T['$inferInsert'];
  const scoped = (tenantId: string, id: string): SQL =>
    and(eq(table.tenantId, tenantId), eq(table.id, id)) as SQL;
  const hasUpdatedAt = 'updatedAt' in table;
  return {
    async insert(db: DbOrTx, values: Insert): Promise<Row> {
      const [row] = (await db
        .insert(table)
        .values(values as never)
        .returning()) as Row[];
      if (!row) {
        throw new Error('insert returned no row');
      }
      return row;
    },
    async find(db: DbOrTx, tenantId: string, id: string): Promise<Row | undefined> {
      const [row] = (await db
        .select()
        .from(table as PgTable)
        .where(scoped(tenantId, id))) as Row[];
      return row;
    },
    async list(db: DbOrTx, tenantId: string, where?: SQL): Promise<Row[]> {
      const condition = where ? and(eq(table.tenantId, tenantId), where) : eq(table.tenantId, tenantId);
      return (await db
        .select()
        .from(table as PgTable)
        .where(condition)
        .orderBy(...(order.length > 0 ? order.map((c) => asc(c)) : [asc(table.id)]))) as Row[];
    },
    async update(
      db: DbOrTx,
      tenantId: string,
      id: string,
      values: Partial<Insert>,
    ): Promise<Row | undefined> {
      const set = hasUpdatedAt ? { ...values, updatedAt: sql`now()` } : values;
      const [row] = (await db
        .update(table)
        .set(set as never)
        .where(scoped(tenantId, id))
        .returning()) as Row[];
      return row;
    },
    async remove(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
      const rows = await db.delete(table).where(scoped(tenantId, id)).returning({ id: table.id });
      return rows.length > 0;
    },
  };
}
