import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers (an API request that enqueues) fail fast when Redis is away, so the caller gets an error
 * instead of a hanging request. Workers wait for Redis forever (`maxRetriesPerRequest: null`), as
 * BullMQ requires for blocking commands.
 */
export function createRedisConnection(url: string, profile: 'producer' | 'worker'): Redis {
  const options: RedisOptions =
    profile === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000, lazyConnect: false }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true, connectTimeout: 5_000 };
  const redis = new Redis(url, options);
  // Errors surface through commands and readiness checks; an unhandled 'error' event would crash.
  redis.on('error', () => {});
  return redis;
}

/** Waits for the first connection (a producer has no offline queue, so commands before it fail). */
export async function whenRedisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') {
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') {
    throw new Error(`unexpected PING answer ${answer}`);
  }
}

/** Redis must never evict queue keys: an evicted job is a lost mail. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1];
  if (policy !== undefined && policy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${policy}"; it must be "noeviction" or queued mail can be lost`,
    );
  }
}
