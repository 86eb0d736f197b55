import type { FetchableServer } from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from './adapters/redis-lease.js';
import { startMailboxSupervisor } from './mailbox-supervisor.js';

// The supervisor against a lease of our own making (its narrow port), on fake timers: whatever Redis
// answers to a renewal, or if it never answers, the session stops before the lease can expire.

const ttl = 30_000;
const server = { server: { id: 'srv-1', protocol: 'imap', tenantId: 't-1' } } as unknown as FetchableServer;

type Renewal = 'ours' | 'lost' | 'fails' | 'hangs';

function supervise(renewal: () => Renewal) {
  const events = { renewals: 0, stopped: null as number | null, releases: 0 };
  const lease: Lease = {
    key: 'lease',
    acquire: async () => true,
    renew: () => {
      events.renewals++;
      const answer = renewal();
      if (answer === 'hangs') {
        return new Promise<boolean>(() => {});
      }
      return answer === 'fails'
        ? Promise.reject(new Error('connection lost'))
        : Promise.resolve(answer === 'ours');
    },
    release: async () => {
      events.releases++;
    },
  };
  const started = Date.now();
  const supervisor = startMailboxSupervisor({
    listServers: async () => [server],
    fingerprint: () => 'same',
    lease: () => lease,
    startSession: () => ({
      stop: async () => {
        events.stopped ??= Date.now() - started;
      },
      done: Promise.resolve(),
    }),
    scanIntervalMs: 3_600_000,
    leaseTtlMs: ttl,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  return { events, supervisor };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the lease of a mailbox session', () => {
  it('keeps the session for as long as each renewal succeeds', async () => {
    const { events, supervisor } = supervise(() => 'ours');
    await vi.advanceTimersByTimeAsync(5 * ttl);
    expect(events.stopped).toBeNull();
    expect(events.renewals).toBeGreaterThanOrEqual(14);
    await supervisor.close();
    expect(events.releases).toBe(1);
  });

  it.each<[string, Renewal]>([
    ['says the lease is no longer ours', 'lost'],
    ['fails to renew it', 'fails'],
    ['never answers (a half-open connection)', 'hangs'],
  ])('stops the session before the lease can expire when Redis %s', async (_, answer) => {
    let calls = 0;
    // Renewed once, then the trouble starts.
    const { events, supervisor } = supervise(() => (++calls === 1 ? 'ours' : answer));
    await vi.advanceTimersByTimeAsync(3 * ttl);
    expect(events.stopped).not.toBeNull();
    // The last renewal that succeeded was asked at a third of a ttl, so the lease lasts until at least
    // a ttl after that; the session is gone with a third of a ttl to spare.
    expect(events.stopped).toBeLessThanOrEqual(ttl);
    if (answer === 'lost') {
      // Told at once that it is no longer ours: stopped at the next renewal's answer.
      expect(events.stopped).toBeLessThanOrEqual((2 * ttl) / 3);
    }
    await supervisor.close();
  });

  it('does not pile up renewals while one is pending', async () => {
    let calls = 0;
    const { events, supervisor } = supervise(() => (++calls === 1 ? 'ours' : 'hangs'));
    await vi.advanceTimersByTimeAsync(3 * ttl);
    expect(events.renewals).toBe(2);
    await supervisor.close();
  });
});
