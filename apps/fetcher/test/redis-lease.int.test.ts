import { createTestRedis, type TestRedis } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLease } from '../src/adapters/redis-lease.js';

// Against real Redis: a lease is its holder's alone, down to the session. Two sessions of one fetcher
// instance (one stopping after its lease was lost, one that took the lease again since) hold two
// different leases, and the first one's release leaves the second's alone.

let r: TestRedis;

beforeAll(async () => {
  r = await createTestRedis('producer');
});

afterAll(async () => {
  await r?.close();
});

describe('createRedisLease', () => {
  it("releases only its own lease, not a later session's of the same instance", async () => {
    const key = `${r.prefix}:fetch-lease:one`;
    const options = { key, owner: 'host:123:abcd', ttlMs: 10_000 };
    const first = createRedisLease(r.redis, options);
    expect(await first.acquire()).toBe(true);
    // The lease is lost (Redis restarted without its data, say): the same instance takes it again.
    await r.redis.del(key);
    const second = createRedisLease(r.redis, options);
    expect(await second.acquire()).toBe(true);
    await first.release();
    expect(await r.redis.get(key)).toMatch(/^host:123:abcd:/);
    expect(await first.renew()).toBe(false);
    expect(await second.renew()).toBe(true);
    // Held: nobody else takes it, not even another lease of the same instance.
    expect(await createRedisLease(r.redis, options).acquire()).toBe(false);
    await second.release();
    expect(await r.redis.get(key)).toBeNull();
  });
});
