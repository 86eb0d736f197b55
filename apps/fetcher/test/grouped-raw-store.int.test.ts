import { createHash, randomUUID } from 'node:crypto';
import { findRawInbound, insertTenant, type NewRawInbound, storeRawInbound } from '@sotamail/db';
import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupedRawStore } from '../src/adapters/grouped-raw-store.js';

// The SMTP ingress commits the mails of sessions that finish together in one statement. Against real
// PostgreSQL: every caller gets its own mail's id once it is stored, copies are recognised, and a
// mail PostgreSQL refuses fails alone.

let db: TestDatabase;
let tenants: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  tenants = [
    (await insertTenant(db.db, { name: 'A', hostingType: 'online', aliasDomain: 'group-a.test' }, {})).id,
    (await insertTenant(db.db, { name: 'B', hostingType: 'online', aliasDomain: 'group-b.test' }, {})).id,
  ];
});

afterAll(async () => {
  await db?.drop();
});

function mail(tenantId: string, text: string): NewRawInbound {
  const raw = Buffer.from(`Subject: ${text}\r\n\r\n${text}\r\n`);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  return {
    tenantId,
    source: 'smtp',
    sourceKey: `smtp:${sha256}`,
    raw,
    size: raw.length,
    sha256,
    envelopeFrom: 'someone@elsewhere.test',
    envelopeTo: [`jobs@${tenantId}.test`, 'second@x.test'],
  };
}

describe('the grouped store of raw mail', () => {
  it('stores each mail of a burst once and tells each caller its own id', async () => {
    const store = groupedRawStore(db.db, { maxMails: 8 });
    const before = mail(tenants[0] as string, 'stored before');
    const earlier = await storeRawInbound(db.db, before);
    const distinct = Array.from({ length: 20 }, (_, i) => mail(tenants[i % 2] as string, `mail ${i}`));
    // A copy of mail 2 (same database and content) in the same group as it, and one stored before;
    // the same content for two databases is two mails.
    const burst = [
      ...distinct.slice(0, 5),
      mail(tenants[0] as string, 'mail 2'),
      ...distinct.slice(5),
      before,
      mail(tenants[0] as string, 'to both'),
      mail(tenants[1] as string, 'to both'),
    ];
    const stored = await Promise.all(burst.map((m) => store(m)));

    expect(stored.map((s) => s.created)).toEqual([
      ...Array(5).fill(true),
      false,
      ...Array(15).fill(true),
      false,
      true,
      true,
    ]);
    expect(stored[5]?.id).toBe(stored[2]?.id);
    expect(stored[21]?.id).toBe(earlier.id);
    expect(new Set(stored.map((s) => s.id)).size).toBe(23);
    for (const [i, s] of stored.entries()) {
      const row = await findRawInbound(db.db, burst[i]?.tenantId as string, s.id);
      expect(row?.raw.toString()).toBe(burst[i]?.raw.toString());
      expect(row?.envelopeTo).toEqual(burst[i]?.envelopeTo);
      expect(row?.state).toBe('received');
    }
  });

  it('refuses only the mail PostgreSQL refuses when its group is refused', async () => {
    const store = groupedRawStore(db.db, { maxMails: 8 });
    const orphan = mail(randomUUID(), 'for a database that does not exist');
    const burst = [mail(tenants[0] as string, 'fine 1'), orphan, mail(tenants[1] as string, 'fine 2')];
    const results = await Promise.allSettled(burst.map((m) => store(m)));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason?.cause ?? '')).toMatch(/foreign key/);
    const { rows } = await db.pool.query<{ n: string }>(
      'select count(*) as n from raw_inbound_messages where source_key = any($1::text[])',
      [burst.map((m) => m.sourceKey)],
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it('stores a burst whose mails exceed the byte limit of a group (domain/group-length.ts)', async () => {
    const store = groupedRawStore(db.db, { maxMails: 8, maxBytes: 64 });
    const small = Array.from({ length: 5 }, (_, i) => mail(tenants[1] as string, `small ${i}`));
    const large = mail(tenants[1] as string, `large ${'x'.repeat(200)}`);
    const stored = await Promise.all([...small, large].map((m) => store(m)));
    expect(stored.map((s) => s.created)).toEqual(Array(6).fill(true));
    const row = await findRawInbound(db.db, tenants[1] as string, stored[5]?.id as string);
    expect(row?.size).toBe(large.size);
  });
});
