import {
  countAliasRecordsAmong,
  type DbOrTx,
  findContactsAmong,
  findKnownMessagesAmong,
  findRawInbounds,
  findSameContentAmong,
  insertTenant,
  markRawInbounds,
  storeRoutedReplies,
} from '@sotamail/db';
import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Against real PostgreSQL: the lookups the router makes for a batch of mails, the notes of its
// replies' decisions and the batch's marks go key by key through an index however wrong the statistics
// are. The statistics here say database A holds a handful of rows (ANALYZE ran when it did), then A
// grows to thousands before the next ANALYZE, as a new database or a busy one does between
// autovacuum's rounds. Each statement then runs in a transaction whose own counters
// (pg_stat_xact_user_tables) tell how many rows it read: a plan that read all of A's rows to keep a
// few (what the plain joins did in the benchmark) fails here.

const grown = 3_000;
const keys = 20;
let db: TestDatabase;
let a: string;
let aliasId: string;
const since = new Date(Date.now() - 3_600_000);

/** Rows for `tenant`: stored mail, threads made by an alias, messages, contacts (n of each). */
async function fill(tenant: string, from: number, n: number, state: 'received' | 'routed' = 'received') {
  await db.pool.query(
    `insert into raw_inbound_messages (tenant_id, source, source_key, raw, size, sha256, state,
                                       sender_email, content_fingerprint)
     select $1, 'smtp', 'k' || g, '\\x00'::bytea, 1, 'h' || g, $4::inbound_state, 's' || g || '@x.test', 'f' || g
       from generate_series($2::int, $3::int) g`,
    [tenant, from, from + n - 1, state],
  );
  await db.pool.query(
    `insert into threads (tenant_id, model, record_id, created_by_alias_id, created_by_email)
     select $1, 'crm.lead', 'r' || g, $4, 's' || g || '@x.test' from generate_series($2::int, $3::int) g`,
    [tenant, from, from + n - 1, tenant === a ? aliasId : null],
  );
  await db.pool.query(
    `insert into messages (tenant_id, thread_id, kind, message_id)
     select $1, t.id, 'email', '<m' || t.record_id || '@x.test>' from threads t
      where t.tenant_id = $1 and t.record_id = any(array(select 'r' || g from generate_series($2::int, $3::int) g))`,
    [tenant, from, from + n - 1],
  );
  await db.pool.query(
    `insert into contacts (tenant_id, name, email, email_normalized)
     select $1, 'C' || g, 's' || g || '@x.test', 's' || g || '@x.test' from generate_series($2::int, $3::int) g`,
    [tenant, from, from + n - 1],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = (await insertTenant(db.db, { name: 'a', hostingType: 'online', aliasDomain: 'a.test' }, {})).id;
  const b = (await insertTenant(db.db, { name: 'b', hostingType: 'online', aliasDomain: 'b.test' }, {})).id;
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into aliases (tenant_id, name, model) values ($1, 'sales', 'crm.lead') returning id`,
    [a],
  );
  aliasId = rows[0]?.id ?? '';
  // Only the ANALYZE below gathers statistics: autovacuum must not bring them up to date mid-test.
  for (const table of ['raw_inbound_messages', 'threads', 'messages', 'contacts']) {
    await db.pool.query(`alter table ${table} set (autovacuum_enabled = off)`);
  }
  await fill(a, 1, 5);
  // B's mail is routed: the statistics say hardly any mail waits, while A's thousands do.
  await fill(b, 1, 2_000, 'routed');
  await db.pool.query('analyze');
  await fill(a, 6, grown);
});

afterAll(async () => {
  await db?.drop();
});

/**
 * Runs `run` in a transaction rolled back afterwards and checks, from the transaction's own counters,
 * that it read (sequentially and through indexes) more than nothing and at most a few rows per key of
 * `table`, not the grown database's thousands. Returns what `run` returned.
 */
async function readsKeyByKey<T>(table: string, run: (tx: DbOrTx) => Promise<T>): Promise<T> {
  let outcome: { result: T; read: number } | undefined;
  await expect(
    db.db.transaction(async (tx) => {
      const count = async () => {
        const { rows } = await tx.execute<{ n: string }>(
          sql`select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n
                from pg_stat_xact_user_tables where relname = ${table}`,
        );
        return Number(rows[0]?.n ?? 0);
      };
      const before = await count();
      const result = await run(tx);
      outcome = { result, read: (await count()) - before };
      // Whatever the statement changed goes with the transaction.
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  if (!outcome) {
    throw new Error('the statement did not run');
  }
  // A statement reads at least its own rows: zero would mean the counters are off, proving nothing.
  expect(outcome.read).toBeGreaterThan(0);
  // Its keys' rows, read once or twice (a check that reads them again counts too).
  expect(outcome.read).toBeLessThanOrEqual(keys * 3);
  return outcome.result;
}

const some = (make: (g: number) => string) => Array.from({ length: keys }, (_, i) => make(100 + i * 7));

/** The ids of some of A's stored mails. */
async function storedIds(): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    `select id from raw_inbound_messages where tenant_id = $1 and source_key = any($2)`,
    [a, some((g) => `k${g}`)],
  );
  return rows.map((r) => r.id);
}

describe('batch lookups under statistics that undercount a database', () => {
  it('reads stored mail by id through the primary key', async () => {
    const ids = await storedIds();
    // Each id asked twice: each mail still comes once.
    const found = await readsKeyByKey('raw_inbound_messages', (tx) =>
      findRawInbounds(tx, a, [...ids, ...ids]),
    );
    expect(found).toHaveLength(keys);
  });

  it('marks a batch through the primary key', async () => {
    const ids = await storedIds();
    const marked = await readsKeyByKey('raw_inbound_messages', async (tx) => {
      await markRawInbounds(
        tx,
        ids.map((id) => ({ id, state: 'routed' as const, decision: { action: 'reply' } })),
      );
      const { rows } = await tx.execute<{ n: string }>(
        sql`select count(*) as n from raw_inbound_messages
             where id = any(${sql.param(ids)}::uuid[]) and state = 'routed'`,
      );
      return Number(rows[0]?.n);
    });
    expect(marked).toBe(keys);
  });

  it("notes a batch of replies' decisions through the primary key", async () => {
    const ids = await storedIds();
    const { rows } = await db.pool.query<{ id: string }>(
      `select id from threads where tenant_id = $1 and record_id = 'r100'`,
      [a],
    );
    const threadId = rows[0]?.id ?? '';
    const stored = await readsKeyByKey('raw_inbound_messages', (tx) =>
      storeRoutedReplies(
        tx,
        a,
        ids.map((rawInboundId, i) => ({
          rawInboundId,
          decision: { action: 'reply', threadId },
          resetBounceOf: null,
          message: {
            tenantId: a,
            threadId,
            kind: 'email' as const,
            authorContactId: null,
            authorEmail: `reply${i}@x.test`,
            authorName: null,
            subject: 'Re: r100',
            bodyHtml: '',
            bodyText: 'Thanks',
            messageId: `reply${i}@x.test`,
            notifyFollowers: true,
          },
        })),
      ),
    );
    // The decisions noted (one read per mail) and each message's reference to its mail checked.
    expect(stored.filter((s) => s.created)).toHaveLength(keys);
  });

  it('finds known Message-IDs one by one', async () => {
    const found = await readsKeyByKey('messages', (tx) =>
      findKnownMessagesAmong(
        tx,
        a,
        some((g) => `<mr${g}@x.test>`),
      ),
    );
    expect(found).toHaveLength(keys);
  });

  it('finds authors address by address', async () => {
    const found = await readsKeyByKey('contacts', (tx) =>
      findContactsAmong(
        tx,
        a,
        some((g) => `S${g}@x.test`),
        [],
      ),
    );
    expect(found).toHaveLength(keys);
  });

  it('finds the same content pair by pair', async () => {
    const pairs = some((g) => `${g}`).map((g) => ({ senderEmail: `s${g}@x.test`, fingerprint: `f${g}` }));
    const found = await readsKeyByKey('raw_inbound_messages', (tx) =>
      findSameContentAmong(tx, { tenantId: a, pairs, since }),
    );
    expect(found).toHaveLength(keys);
  });

  it("counts an alias's records pair by pair", async () => {
    const pairs = some((g) => `s${g}@x.test`).map((senderEmail) => ({ aliasId, senderEmail }));
    const counted = await readsKeyByKey('threads', (tx) => countAliasRecordsAmong(tx, { pairs, since }));
    expect(counted).toHaveLength(keys);
    expect(counted.every((c) => c.n === 1)).toBe(true);
  });

  it('has statistics that undercount the grown database', async () => {
    // The premise of the cases above: A holds thousands of rows, the planner thinks it holds a few.
    const { rows } = await db.pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
      `explain (format json) select 1 from raw_inbound_messages where tenant_id = '${a}'`,
    );
    const estimate = rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? Number.POSITIVE_INFINITY;
    expect(estimate).toBeLessThan(grown / 10);
  });
});
