import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renew and release only while the lease is still ours: another instance may hold it since it expired.
const renewScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export type Lease = {
  key: string;
  /** true once taken, false when another instance holds it. */
  acquire: () => Promise<boolean>;
  /** true while still ours (its ttl starts again), false when it expired and may be someone else's. */
  renew: () => Promise<boolean>;
  release: () => Promise<void>;
};

/**
 * A lease on one resource across all instances (`SET key owner NX PX ttl`): the holder renews it while
 * it works; when the holder dies, the lease expires and another instance takes it. `owner` names the
 * instance; the value stored adds a token of this lease object.
 */
export function createRedisLease(
  redis: Redis,
  options: { key: string; owner: string; ttlMs: number },
): Lease {
  const { key, ttlMs } = options;
  // Each lease its own token, not only its instance's: a session still stopping after its lease was
  // lost must not release the lease a new session of the same instance has taken since.
  const owner = `${options.owner}:${randomBytes(4).toString('hex')}`;
  return {
    key,
    async acquire() {
      return (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async renew() {
      return Number(await redis.eval(renewScript, 1, key, owner, String(ttlMs))) === 1;
    },
    async release() {
      await redis.eval(releaseScript, 1, key, owner);
    },
  };
}
