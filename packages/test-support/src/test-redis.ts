import { randomBytes } from 'node:crypto';
import { createRedisConnection, whenRedisReady } from '@sotamail/queues';
import type { Redis } from 'ioredis';
import { testEnv } from './env.js';

export type TestRedis = { redis: Redis; url: string; prefix: string; close: () => Promise<void> };

/** A Redis connection and a queue prefix of this test's own; close() removes its keys. */
export async function createTestRedis(profile: 'producer' | 'worker' = 'worker'): Promise<TestRedis> {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  const redis = createRedisConnection(testEnv.redisUrl, profile);
  await whenRedisReady(redis);
  return {
    redis,
    url: testEnv.redisUrl,
    prefix,
    async close() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) {
        await redis.del(...keys);
      }
      redis.disconnect();
    },
  };
}
