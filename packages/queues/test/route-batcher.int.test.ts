import { randomUUID } from 'node:crypto';
import { createTestRedis, type TestRedis } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, createRouteBatcher, type Producer, routeBatchSize } from '../src/index.js';

// The fetcher hands stored mail to the router in batch jobs (R7.3: after the commit). Against a real
// Redis: what a job holds, when it leaves, and what happens when it cannot.

let redis: TestRedis;
let producer: Producer;

beforeAll(async () => {
  redis = await createTestRedis('producer');
  producer = createProducer(redis.redis, redis.prefix);
});

afterAll(async () => {
  await producer?.close();
  await redis?.close();
});

async function batchJobs() {
  const jobs = (await producer.queues.get('inbound')?.getJobs(['waiting', 'prioritized'])) ?? [];
  return jobs
    .filter((j) => j.name === 'route-inbound-batch')
    .map((j) => ({ id: j.id, data: j.data as { tenantId: string; rawInboundIds: string[] } }));
}

async function clearInbound() {
  await producer.queues.get('inbound')?.obliterate({ force: true });
}

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('the route batcher', () => {
  it('gathers the mails of a window into one job per database, in the order they were stored', async () => {
    await clearInbound();
    const errors: unknown[] = [];
    const batcher = createRouteBatcher(producer, { windowMs: 50, onError: (err) => errors.push(err) });
    const [a, b] = [randomUUID(), randomUUID()];
    const ofA = ids(3);
    const ofB = ids(2);
    batcher.add(a, ofA[0] as string);
    batcher.add(b, ofB[0] as string);
    batcher.add(a, ofA[1] as string);
    batcher.add(b, ofB[1] as string);
    batcher.add(a, ofA[2] as string);
    expect(await batchJobs()).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    await batcher.flush();
    const jobs = await batchJobs();
    expect(jobs.map((j) => j.data).sort((x, y) => x.rawInboundIds.length - y.rawInboundIds.length)).toEqual([
      { tenantId: b, rawInboundIds: ofB },
      { tenantId: a, rawInboundIds: ofA },
    ]);
    // Named after the first mail: the same batch queued twice is one job.
    expect(jobs.map((j) => j.id).sort()).toEqual([`inbound-${ofA[0]}`, `inbound-${ofB[0]}`].sort());
    expect(errors).toEqual([]);
  });

  it(`sends a full batch of ${routeBatchSize} at once, without waiting for the window`, async () => {
    await clearInbound();
    const batcher = createRouteBatcher(producer, { windowMs: 60_000, onError: () => {} });
    const tenant = randomUUID();
    const full = ids(routeBatchSize + 1);
    for (const id of full) {
      batcher.add(tenant, id);
    }
    const until = Date.now() + 5_000;
    let jobs = await batchJobs();
    while (jobs.length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      jobs = await batchJobs();
    }
    expect(jobs.map((j) => j.data.rawInboundIds)).toEqual([full.slice(0, routeBatchSize)]);
    // The one left over waits for its window, or for flush (shutdown).
    await batcher.flush();
    expect((await batchJobs()).map((j) => j.data.rawInboundIds.length).sort()).toEqual([1, routeBatchSize]);
  });

  it('reports a batch it cannot queue instead of throwing from its timer, and goes on', async () => {
    await clearInbound();
    const failed: string[][] = [];
    const batcher = createRouteBatcher(producer, {
      windowMs: 10,
      onError: (_err, rawInboundIds) => failed.push(rawInboundIds),
    });
    // Not an id a database would give: the payload check refuses the job.
    batcher.add(randomUUID(), 'not-a-stored-mail');
    await new Promise((r) => setTimeout(r, 50));
    const good = ids(1);
    const tenant = randomUUID();
    batcher.add(tenant, good[0] as string);
    await batcher.flush();
    expect(failed).toEqual([['not-a-stored-mail']]);
    expect((await batchJobs()).map((j) => j.data)).toEqual([{ tenantId: tenant, rawInboundIds: good }]);
  });
});
