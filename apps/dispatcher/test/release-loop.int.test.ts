import { schema } from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { createProducer, type Producer } from '@sotamail/queues';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@sotamail/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReleaseLoop } from '../src/jobs/release-loop.js';

let db: TestDatabase;
let redis: TestRedis;
let producer: Producer;
beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis('producer');
  producer = createProducer(redis.redis, redis.prefix);
});
afterAll(async () => {
  await producer?.close();
  await redis?.close();
  await db?.drop();
});

async function mail(tenantId: string, values: Partial<typeof schema.outgoingMails.$inferInsert>) {
  const [row] = await db.db
    .insert(schema.outgoingMails)
    .values({ tenantId, lane: 'transactional', recipientEmail: 'someone@example.test', ...values })
    .returning();
  if (!row) {
    throw new Error('no row');
  }
  if (values.updatedAt) {
    await db.db
      .update(schema.outgoingMails)
      .set({ updatedAt: values.updatedAt })
      .where(eq(schema.outgoingMails.id, row.id));
  }
  return row;
}

const stateOf = async (id: string) =>
  (await db.db.select().from(schema.outgoingMails).where(eq(schema.outgoingMails.id, id)))[0];

describe('release loop', () => {
  it('re-queues stranded and due deferred mail, and fails a mail that never reaches an outcome', async () => {
    const [tenant] = await db.db
      .insert(schema.tenants)
      .values({ name: 'loop', hostingType: 'on_premise', aliasDomain: 'loop.test' })
      .returning();
    const tenantId = tenant?.id ?? '';
    const longAgo = new Date(Date.now() - 10 * 60_000);
    const stranded = await mail(tenantId, { state: 'sending', attempts: 2, updatedAt: longAgo });
    const hopeless = await mail(tenantId, { state: 'sending', attempts: 25, updatedAt: longAgo });
    const due = await mail(tenantId, { state: 'deferred', nextAttemptAt: new Date(Date.now() - 1000) });
    const recent = await mail(tenantId, { state: 'sending', attempts: 1 });

    const loop = startReleaseLoop({
      db: db.db,
      producer,
      logger: createLogger({ service: 'test', level: 'silent' }),
      now: () => new Date(),
      intervalMs: 3_600_000,
      maxAttempts: 8,
    });
    try {
      expect(await loop.runOnce()).toEqual({ released: 1, requeued: 2 });
    } finally {
      await loop.stop();
    }
    const queue = producer.queues.get('outbound');
    const jobIds = (await queue?.getJobs(['waiting', 'delayed', 'prioritized']))?.map((j) => j.id).sort();
    expect(jobIds).toEqual([stranded.id, due.id].sort());
    expect(await stateOf(due.id)).toMatchObject({ state: 'ready', nextAttemptAt: null });
    expect(await stateOf(hopeless.id)).toMatchObject({
      state: 'exception',
      failureType: 'internal_error',
      failureReason: expect.stringMatching(/^gave up: 25 attempts ended without an outcome/),
    });
    expect(await stateOf(recent.id)).toMatchObject({ state: 'sending' });
  });
});
