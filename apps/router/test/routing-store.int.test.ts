import {
  countSameContentSince,
  findRawInbound,
  insertTenant,
  markRawInbound,
  markRawInbounds,
  type RawInbound,
  storeRawInbound,
} from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { createProducer, createWorker, PermanentError, type Producer } from '@sotamail/queues';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requeueUnrouted } from '../src/jobs/requeue-unrouted.js';

// The pieces the router's speed rests on, against real PostgreSQL and Redis: the indexed
// feedback-loop keys (R9.2), and the sweep that redoes a run whose last, not-waited-for commit was
// lost.

let db: TestDatabase;
let redis: TestRedis;
let producer: Producer;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis('producer');
  producer = createProducer(redis.redis, redis.prefix);
  const tenant = await insertTenant(
    db.db,
    { name: 'Sweep', hostingType: 'online', aliasDomain: 'sweep.test' },
    {},
  );
  tenantId = tenant.id;
});

afterAll(async () => {
  await producer?.close();
  await redis?.close();
  await db?.drop();
});

let stored = 0;
async function storeMail(): Promise<RawInbound> {
  stored += 1;
  const raw = Buffer.from(`Subject: ${stored}\r\n\r\nbody ${stored}\r\n`);
  const { id } = await storeRawInbound(db.db, {
    tenantId,
    source: 'smtp',
    sourceKey: `smtp:test-${stored}`,
    raw,
    size: raw.length,
    sha256: `test-${stored}`,
    envelopeFrom: 'someone@elsewhere.test',
    envelopeTo: ['catchall@sweep.test'],
  });
  const row = await findRawInbound(db.db, tenantId, id);
  if (!row) {
    throw new Error('the stored mail is not there');
  }
  return row;
}

describe('the feedback-loop keys (R9.2)', () => {
  it('counts earlier mail of the same sender and content from the decision the router recorded', async () => {
    const first = await storeMail();
    const other = await storeMail();
    await markRawInbounds(
      db.db,
      [
        {
          id: first.id,
          state: 'ignored',
          decision: { action: 'refused', sender: 'Bot@Loop.test', fingerprint: 'f1' },
        },
      ],
      { relaxedCommit: true },
    );
    await markRawInbound(db.db, other.id, {
      state: 'ignored',
      decision: { action: 'refused', sender: 'someone@else.test', fingerprint: 'f1' },
    });
    const since = new Date(Date.now() - 60_000);
    const count = (
      senderEmail: string,
      fingerprint: string,
      exceptId = '00000000-0000-0000-0000-000000000000',
    ) => countSameContentSince(db.db, { tenantId, senderEmail, fingerprint, since, exceptId });
    expect(await count('bot@loop.test', 'f1')).toBe(1);
    expect(await count('bot@loop.test', 'f2')).toBe(0);
    expect(await count('bot@loop.test', 'f1', first.id)).toBe(0);
    // Mail older than the period does not count.
    expect(
      await countSameContentSince(db.db, {
        tenantId,
        senderEmail: 'bot@loop.test',
        fingerprint: 'f1',
        since: new Date(Date.now() + 60_000),
        exceptId: other.id,
      }),
    ).toBe(0);
    const [row] = (
      await db.pool.query<{ state: string }>('select state from raw_inbound_messages where id = $1', [
        first.id,
      ])
    ).rows;
    // The relaxed commit is a commit all the same: the state is there for every other session.
    expect(row?.state).toBe('ignored');
  });
});

describe('the router sweep', () => {
  it('routes again a mail still received whose job completed, and leaves routed mail alone', async () => {
    const lost = await storeMail();
    const done = await storeMail();
    const processed: string[] = [];
    const workerRedis = await createTestRedis();
    const worker = createWorker({
      queue: 'inbound',
      connection: workerRedis.redis,
      prefix: redis.prefix,
      logger: createLogger({ service: 'test', level: 'silent' }),
      handlers: {
        'route-inbound': async (payload) => {
          processed.push(payload.rawInboundId);
          // `done` is routed by its run; `lost` lost its last write (PostgreSQL crashed after the job).
          if (payload.rawInboundId === done.id) {
            await markRawInbound(db.db, done.id, { state: 'routed', decision: { action: 'reply' } });
          }
          return 'ok';
        },
        'route-inbound-batch': async () => {
          throw new Error('the sweep queues single jobs');
        },
      },
    });
    try {
      for (const raw of [lost, done]) {
        await producer.enqueue('route-inbound', { tenantId, rawInboundId: raw.id }, { jobId: raw.id });
      }
      const until = Date.now() + 10_000;
      while (processed.length < 2 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(processed.sort()).toEqual([lost.id, done.id].sort());

      // A plain enqueue under the same id would be a no-op while the completed job is kept.
      expect(await requeueUnrouted({ db: db.db, producer }, new Date(Date.now() + 1_000))).toBe(1);
      const again = Date.now() + 10_000;
      while (processed.length < 3 && Date.now() < again) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(processed).toHaveLength(3);
      expect(processed[2]).toBe(lost.id);
    } finally {
      await worker.close();
      workerRedis.redis.disconnect();
    }
  });

  it('writes the failure of a mail whose job gave up while the database was away, instead of leaving it received', async () => {
    await producer.queues.get('inbound')?.obliterate({ force: true });
    const stuck = await storeMail();
    const workerRedis = await createTestRedis();
    let failedJobs = 0;
    const worker = createWorker({
      queue: 'inbound',
      connection: workerRedis.redis,
      prefix: redis.prefix,
      logger: createLogger({ service: 'test', level: 'silent' }),
      handlers: {
        'route-inbound': async () => {
          throw new PermanentError('DB_DOWN', 'the database is unreachable');
        },
        'route-inbound-batch': async () => {
          throw new Error('the sweep queues single jobs');
        },
      },
    });
    // No failure handler: as when recording the failure failed too.
    worker.on('failed', () => {
      failedJobs++;
    });
    try {
      await producer.enqueue('route-inbound', { tenantId, rawInboundId: stuck.id }, { jobId: stuck.id });
      const until = Date.now() + 10_000;
      while (failedJobs < 1 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(failedJobs).toBe(1);
      expect((await findRawInbound(db.db, tenantId, stuck.id))?.state).toBe('received');

      // (Mail of the tests before is swept too.)
      expect(await requeueUnrouted({ db: db.db, producer }, new Date(Date.now() + 1_000))).toBeGreaterThan(0);
      const after = await findRawInbound(db.db, tenantId, stuck.id);
      expect(after?.state).toBe('failed');
      expect(after?.error).toMatch(/^routing failed \(tried once\): .*the database is unreachable$/);
      // Listed as failed now, it is no longer the sweep's: its failed job is not replaced by another.
      await requeueUnrouted({ db: db.db, producer }, new Date(Date.now() + 1_000));
      expect(await producer.queues.get('inbound')?.getJobState(stuck.id)).toBe('failed');
    } finally {
      await worker.close();
      workerRedis.redis.disconnect();
    }
  });

  it('leaves alone mail whose batch job is still waiting behind a backlog, and queues mail older than it', async () => {
    await producer.queues.get('inbound')?.obliterate({ force: true });
    const lost = await storeMail();
    const waiting = await storeMail();
    // `lost` arrived ten minutes ago and its job is gone; `waiting` is in a batch nobody has taken yet.
    await db.pool.query(
      `update raw_inbound_messages set received_at = now() - interval '10 minutes' where id = $1`,
      [lost.id],
    );
    await producer.enqueue(
      'route-inbound-batch',
      { tenantId, rawInboundIds: [waiting.id] },
      { jobId: `inbound-${waiting.id}` },
    );
    // Both are past the sweep's age as far as the caller knows.
    expect(await requeueUnrouted({ db: db.db, producer }, new Date(Date.now() + 60_000))).toBe(1);
    const jobs = (await producer.queues.get('inbound')?.getJobs(['waiting'])) ?? [];
    expect(jobs.filter((j) => j.name === 'route-inbound').map((j) => j.data.rawInboundId)).toEqual([lost.id]);
  });
});
