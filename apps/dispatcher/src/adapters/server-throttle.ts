import type { Redis } from 'ioredis';

export type ServerLimits = { maxPerMinute: number | null; maxConnections: number | null };
export type Permit = { ok: true; release: () => Promise<void> } | { ok: false; waitMs: number };

export type ServerThrottle = {
  /** A permit to send one mail through a server now, or how long to wait for one. */
  acquire: (serverKey: string, limits: ServerLimits) => Promise<Permit>;
  /** The server said it is busy: nobody sends through it for `ms`. */
  pause: (serverKey: string, ms: number) => Promise<void>;
};

// One atomic step across every dispatcher instance: a pause set by a busy answer, then a connection
// slot (a sorted set of holders, each expiring so a dead process cannot hold one forever), then the
// per-minute rate as a sliding window (exact: never more than N in any 60 s). Time comes from Redis,
// so instances with skewed clocks agree.
const acquireScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pause = redis.call('PTTL', KEYS[1])
if pause > 0 then return pause end
local maxConn = tonumber(ARGV[1])
local maxRate = tonumber(ARGV[2])
local member = ARGV[3]
local holdMs = tonumber(ARGV[4])
if maxConn > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= maxConn then
    local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return math.min(math.max(tonumber(first[2]) - now, 50), 1000)
  end
end
if maxRate > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
  if redis.call('ZCARD', KEYS[3]) >= maxRate then
    local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return math.max(tonumber(oldest[2]) + 60000 - now, 1)
  end
  redis.call('ZADD', KEYS[3], now, member)
  redis.call('PEXPIRE', KEYS[3], 61000)
end
if maxConn > 0 then
  redis.call('ZADD', KEYS[2], now + holdMs, member)
  redis.call('PEXPIRE', KEYS[2], holdMs + 1000)
end
return 0
`;

/** How long this process trusts what it last read of a server's pause, for servers without limits. */
const pauseCacheMs = 250;

export function createServerThrottle(redis: Redis, prefix: string, holdMs: number): ServerThrottle {
  const keys = (server: string) => [
    `${prefix}:throttle:${server}:pause`,
    `${prefix}:throttle:${server}:conn`,
    `${prefix}:throttle:${server}:rate`,
  ];
  let sequence = 0;
  // A server without limits is only ever paused: the pause is read from Redis at most every
  // pauseCacheMs per server, not once per mail (a busy answer here sets it at once).
  const pauses = new Map<string, { readAt: number; until: number }>();
  // Slots this process holds per capped server: never ask Redis for more than the cap allows.
  const localHolders = new Map<string, number>();

  const pausedFor = async (serverKey: string): Promise<number> => {
    const now = Date.now();
    const cached = pauses.get(serverKey);
    if (cached && now - cached.readAt < pauseCacheMs) {
      return Math.max(cached.until - now, 0);
    }
    const pttl = await redis.pttl(keys(serverKey)[0] ?? '');
    pauses.set(serverKey, { readAt: now, until: pttl > 0 ? now + pttl : 0 });
    return Math.max(pttl, 0);
  };

  return {
    async acquire(serverKey, limits) {
      if (!limits.maxConnections && !limits.maxPerMinute) {
        const pause = await pausedFor(serverKey);
        return pause > 0 ? { ok: false, waitMs: pause } : { ok: true, release: async () => {} };
      }
      const held = localHolders.get(serverKey) ?? 0;
      if (limits.maxConnections && held >= limits.maxConnections) {
        return { ok: false, waitMs: 50 };
      }
      const member = `${process.pid}:${Date.now()}:${sequence++}:${Math.random().toString(36).slice(2)}`;
      const [pauseKey, connKey, rateKey] = keys(serverKey);
      localHolders.set(serverKey, held + 1);
      let wait: number;
      try {
        wait = Number(
          await redis.eval(
            acquireScript,
            3,
            pauseKey ?? '',
            connKey ?? '',
            rateKey ?? '',
            limits.maxConnections ?? 0,
            limits.maxPerMinute ?? 0,
            member,
            holdMs,
          ),
        );
      } catch (err) {
        localHolders.set(serverKey, (localHolders.get(serverKey) ?? 1) - 1);
        throw err;
      }
      if (wait > 0) {
        localHolders.set(serverKey, (localHolders.get(serverKey) ?? 1) - 1);
        return { ok: false, waitMs: wait };
      }
      let released = false;
      return {
        ok: true,
        release: async () => {
          if (released) {
            return;
          }
          released = true;
          localHolders.set(serverKey, (localHolders.get(serverKey) ?? 1) - 1);
          if (limits.maxConnections) {
            await redis.zrem(connKey ?? '', member);
          }
        },
      };
    },
    async pause(serverKey, ms) {
      pauses.set(serverKey, { readAt: Date.now(), until: Date.now() + ms });
      await redis.set(keys(serverKey)[0] ?? '', '1', 'PX', ms);
    },
  };
}
