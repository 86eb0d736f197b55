import type { FetchableServer } from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import type { Lease } from './adapters/redis-lease.js';

/** A running IMAP or POP3 session of one server. */
export type MailboxSession = { stop: () => Promise<void>; done: Promise<void> };

type Running = { fingerprint: string; session: MailboxSession; lease: Lease; renewTimer: NodeJS.Timeout };

export type MailboxSupervisor = { scan: () => Promise<void>; close: () => Promise<void> };

/**
 * Keeps one session per confirmed, active incoming server (IMAP or POP3) across all fetcher instances (R7.2): every
 * scan takes the free leases and starts their sessions, and stops the sessions whose server was
 * deleted, deactivated or changed. A session runs only while its lease is renewed; a lease that cannot
 * be renewed stops it, and a dead instance's leases expire so another instance takes them over.
 */
export function startMailboxSupervisor(options: {
  listServers: () => Promise<FetchableServer[]>;
  fingerprint: (target: FetchableServer) => string;
  lease: (incomingServerId: string) => Lease;
  startSession: (target: FetchableServer) => MailboxSession;
  scanIntervalMs: number;
  leaseTtlMs: number;
  logger: Logger;
}): MailboxSupervisor {
  const { logger } = options;
  const running = new Map<string, Running>();
  const stopping = new Set<Promise<void>>();
  let closed = false;
  let scanning: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  // Log events keep the protocol as their prefix (imap.session_stopping, pop3.lease_taken…).
  const protocolOf = new Map<string, string>();
  const event = (id: string, name: string) => `${protocolOf.get(id) ?? 'fetch'}.${name}`;

  function stop(id: string, reason: string): Promise<void> {
    const entry = running.get(id);
    if (!entry) {
      return Promise.resolve();
    }
    running.delete(id);
    clearInterval(entry.renewTimer);
    logger.info({ incomingServerId: id, reason }, event(id, 'session_stopping'));
    const stopped = entry.session
      .stop()
      .then(() => entry.lease.release())
      .catch((err: unknown) => logger.warn({ err, incomingServerId: id }, event(id, 'stop_failed')))
      .finally(() => stopping.delete(stopped));
    stopping.add(stopped);
    return stopped;
  }

  /**
   * Renews the lease every third of its ttl while the session runs. The lease lasts a ttl from a
   * moment after its last renewal that succeeded was asked (`renewedAt`, first the acquisition): once
   * half a ttl has passed without one, the session is stopped, with a third of a ttl to spare before
   * another instance may take the mailbox. That holds whether Redis answers that the lease is lost,
   * fails, or never answers at all (a half-open connection leaves a command pending forever).
   */
  function keepLease(id: string, lease: Lease, renewedSince: number): NodeJS.Timeout {
    const everyMs = Math.max(100, Math.floor(options.leaseTtlMs / 3));
    let renewedAt = renewedSince;
    let renewing = false;
    const renewTimer = setInterval(() => {
      if (Date.now() - renewedAt > options.leaseTtlMs / 2) {
        void stop(id, 'lease not renewed in time');
        return;
      }
      if (renewing) {
        return;
      }
      renewing = true;
      const askedAt = Date.now();
      lease.renew().then(
        (ours) => {
          renewing = false;
          if (ours) {
            renewedAt = askedAt;
            return;
          }
          void stop(id, 'lease lost');
        },
        (err: unknown) => {
          renewing = false;
          logger.warn({ err, incomingServerId: id }, event(id, 'lease_renew_failed'));
        },
      );
    }, everyMs);
    renewTimer.unref();
    return renewTimer;
  }

  async function scanOnce(): Promise<void> {
    const targets = await options.listServers();
    const wanted = new Map(targets.map((t) => [t.server.id, t]));
    for (const [id, entry] of running) {
      const target = wanted.get(id);
      if (!target) {
        await stop(id, 'no longer a confirmed active server');
      } else if (options.fingerprint(target) !== entry.fingerprint) {
        await stop(id, 'settings changed');
      }
    }
    for (const target of targets) {
      const id = target.server.id;
      if (closed || running.has(id)) {
        continue;
      }
      const lease = options.lease(id);
      const askedAt = Date.now();
      if (!(await lease.acquire())) {
        continue;
      }
      if (closed) {
        await lease.release();
        return;
      }
      protocolOf.set(id, target.server.protocol);
      logger.info({ incomingServerId: id, tenantId: target.server.tenantId }, event(id, 'lease_taken'));
      running.set(id, {
        fingerprint: options.fingerprint(target),
        session: options.startSession(target),
        lease,
        renewTimer: keepLease(id, lease, askedAt),
      });
    }
  }

  function scan(): Promise<void> {
    if (!scanning) {
      scanning = scanOnce()
        .catch((err: unknown) => logger.warn({ err }, 'fetch.scan_failed'))
        .finally(() => {
          scanning = null;
        });
    }
    return scanning;
  }

  const loop = () => {
    void scan().finally(() => {
      if (!closed) {
        timer = setTimeout(loop, options.scanIntervalMs);
      }
    });
  };
  loop();

  return {
    scan,
    async close() {
      closed = true;
      clearTimeout(timer);
      await scanning;
      await Promise.all([...running.keys()].map((id) => stop(id, 'shutdown')));
      await Promise.all([...stopping]);
    },
  };
}
