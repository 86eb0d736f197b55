import type { FetchableImapServer } from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import type { ImapSession } from './adapters/imap-session.js';
import type { Lease } from './adapters/redis-lease.js';

type Running = { fingerprint: string; session: ImapSession; lease: Lease; renewTimer: NodeJS.Timeout };

export type ImapSupervisor = { scan: () => Promise<void>; close: () => Promise<void> };

/**
 * Keeps one IMAP session per confirmed, active IMAP server across all fetcher instances (R7.2): every
 * scan takes the free leases and starts their sessions, and stops the sessions whose server was
 * deleted, deactivated or changed. A session runs only while its lease is renewed; a lease that cannot
 * be renewed stops it, and a dead instance's leases expire so another instance takes them over.
 */
export function startImapSupervisor(options: {
  listServers: () => Promise<FetchableImapServer[]>;
  fingerprint: (target: FetchableImapServer) => string;
  lease: (incomingServerId: string) => Lease;
  startSession: (target: FetchableImapServer) => ImapSession;
  scanIntervalMs: number;
  leaseTtlMs: number;
  logger: Logger;
}): ImapSupervisor {
  const { logger } = options;
  const running = new Map<string, Running>();
  const stopping = new Set<Promise<void>>();
  let closed = false;
  let scanning: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  function stop(id: string, reason: string): Promise<void> {
    const entry = running.get(id);
    if (!entry) {
      return Promise.resolve();
    }
    running.delete(id);
    clearInterval(entry.renewTimer);
    logger.info({ incomingServerId: id, reason }, 'imap.session_stopping');
    const stopped = entry.session
      .stop()
      .then(() => entry.lease.release())
      .catch((err: unknown) => logger.warn({ err, incomingServerId: id }, 'imap.stop_failed'))
      .finally(() => stopping.delete(stopped));
    stopping.add(stopped);
    return stopped;
  }

  function keepLease(id: string, lease: Lease): NodeJS.Timeout {
    let renewedAt = Date.now();
    const renewTimer = setInterval(
      () => {
        lease.renew().then(
          (ours) => {
            if (ours) {
              renewedAt = Date.now();
              return;
            }
            void stop(id, 'lease lost');
          },
          (err: unknown) => {
            // Redis away: keep working only while the lease cannot have expired yet.
            logger.warn({ err, incomingServerId: id }, 'imap.lease_renew_failed');
            if (Date.now() - renewedAt >= options.leaseTtlMs) {
              void stop(id, 'lease expired');
            }
          },
        );
      },
      Math.max(100, Math.floor(options.leaseTtlMs / 3)),
    );
    renewTimer.unref();
    return renewTimer;
  }

  async function scanOnce(): Promise<void> {
    const targets = await options.listServers();
    const wanted = new Map(targets.map((t) => [t.server.id, t]));
    for (const [id, entry] of running) {
      const target = wanted.get(id);
      if (!target) {
        await stop(id, 'no longer a confirmed active IMAP server');
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
      if (!(await lease.acquire())) {
        continue;
      }
      if (closed) {
        await lease.release();
        return;
      }
      logger.info({ incomingServerId: id, tenantId: target.server.tenantId }, 'imap.lease_taken');
      running.set(id, {
        fingerprint: options.fingerprint(target),
        session: options.startSession(target),
        lease,
        renewTimer: keepLease(id, lease),
      });
    }
  }

  function scan(): Promise<void> {
    if (!scanning) {
      scanning = scanOnce()
        .catch((err: unknown) => logger.warn({ err }, 'imap.scan_failed'))
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
