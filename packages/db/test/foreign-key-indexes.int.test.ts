import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A delete follows every foreign key that points at the deleted row (cascade or set null). Without an
// index on the referencing column PostgreSQL scans the whole referencing table once per deleted row:
// deleting a database with a million stored mails would scan `messages` a million times. The migrated
// schema is checked, so a new reference cannot slip in without its index.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/**
 * References left without an index, each followed at most once per deleted parent that is rare or
 * small: a database's own rows (one scan when the whole database goes), and admin objects few in
 * number whose referencing tables stay small.
 */
const allowed = [
  'attachments.tenant_id', // one scan when a database is deleted
  'followers.tenant_id',
  'inbound_notices.server_id', // at most one notice per sender and day
  'incoming_servers.alias_id',
  'mailing_traces.tenant_id',
  'tenants.mass_mailing_server_id',
];

describe('foreign keys', () => {
  it('have an index on the referencing column, but for the few listed', async () => {
    const { rows } = await db.pool.query<{ reference: string }>(`
      select c.conrelid::regclass::text || '.' || a.attname as reference
        from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       where c.contype = 'f'
         and c.connamespace = 'public'::regnamespace
         and not exists (select 1 from pg_index i
                          where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1] and i.indisvalid)
       order by 1`);
    expect(rows.map((r) => r.reference)).toEqual(allowed);
  });
});
