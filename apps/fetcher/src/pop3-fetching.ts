import type { Logger } from '@sotamail/logging';
import { type CredentialOf, loginWithCredential } from './adapters/mailbox-credential.js';
import { connectPop3, type Pop3Connection, type Pop3Security } from './adapters/pop3-client.js';
import { reconnectDelayMs } from './domain/backoff.js';
import {
  describeFetchError,
  isPermanentFetchError,
  StoreFailedError,
} from './domain/describe-fetch-error.js';

export type Pop3Target = {
  incomingServerId: string;
  host: string;
  port: number;
  security: Pop3Security;
  username: string;
  authType?: 'password' | 'xoauth2';
};

/** What a POP3 session needs from the rest of the fetcher. */
export type Pop3Ports = {
  /** The password or an OAuth2 access token; throws a readable error when there is none. */
  credential: CredentialOf;
  /** Commits the raw message (and queues its routing); resolves only once it is durable. */
  store: (raw: Buffer, uidl: string) => Promise<void>;
  recordOutcome: (outcome: { ok: true } | { ok: false; error: string }) => Promise<void>;
};

/** Test seam: runs after a message is stored and before its DELE (a dropped connection goes here). */
export type Pop3CycleFaults = { afterStore?: (uidl: string, connection: Pop3Connection) => Promise<void> };

export type Pop3CycleOptions = {
  target: Pop3Target;
  ports: Pick<Pop3Ports, 'credential' | 'store'>;
  /** Messages per connection: their DELEs are committed by the QUIT that ends it. */
  batchSize: number;
  timeoutMs?: number;
  logger: Logger;
  /** Checked between messages: a stopping fetcher ends the batch with QUIT. */
  stopping?: () => boolean;
  faults?: Pop3CycleFaults;
};

/**
 * One fetch of a POP3 mailbox (R7.3): per connection, up to `batchSize` messages are each
 * retrieved, stored (which queues their routing) and only then marked with DELE; QUIT commits the
 * DELEs. A connection that drops before QUIT deletes nothing, so the next cycle retrieves those
 * messages again, and their source key (server, UIDL, content hash) makes the second store a no-op
 * before the DELE. Returns how many messages were fetched and deleted.
 */
export async function runPop3Cycle(options: Pop3CycleOptions): Promise<number> {
  const { target, ports } = options;
  const stopping = options.stopping ?? (() => false);
  // UIDLs are stable across connections; message numbers are not.
  const handled = new Set<string>();
  let fetched = 0;
  while (!stopping()) {
    const connection = await connectPop3({
      host: target.host,
      port: target.port,
      security: target.security,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    let remaining: number;
    try {
      // XOAUTH2: an access token the server refuses is replaced once by a new one, on this connection.
      await loginWithCredential(
        ports.credential,
        (credential) =>
          credential.type === 'xoauth2'
            ? connection.loginXoauth2(target.username, credential.accessToken)
            : connection.login(target.username, credential.password),
        (err) => (err as { authenticationFailed?: boolean }).authenticationFailed === true,
      );
      const waiting = (await connection.uidl()).filter((m) => !handled.has(m.uid));
      const batch = waiting.slice(0, options.batchSize);
      remaining = waiting.length - batch.length;
      for (const message of batch) {
        if (stopping()) {
          remaining = 0;
          break;
        }
        const raw = await connection.retr(message.number);
        try {
          await ports.store(raw, message.uid);
        } catch (err) {
          // The messages stored before it are marked: commit their deletion, keep this one.
          await connection.quit().catch(() => undefined);
          throw new StoreFailedError(message.uid, err, 'pop3');
        }
        await options.faults?.afterStore?.(message.uid, connection);
        await connection.dele(message.number);
        handled.add(message.uid);
      }
      await connection.quit();
      fetched += batch.length;
    } catch (err) {
      connection.destroy();
      throw err;
    }
    if (remaining === 0) {
      break;
    }
  }
  if (fetched > 0) {
    options.logger.info({ count: fetched }, 'pop3.fetched');
  }
  return fetched;
}

export type Pop3Session = { stop: () => Promise<void>; done: Promise<void> };

/**
 * A POP3 mailbox read until stopped (R7.2): a cycle now, then one per poll interval (POP3 has no
 * IDLE). Errors are recorded on the server row in words an admin can act on, and the next cycle
 * comes after a backoff.
 */
export function startPop3Session(options: {
  target: Pop3Target;
  ports: Pop3Ports;
  pollIntervalMs: number;
  batchSize: number;
  reconnect: { minMs: number; maxMs: number };
  logger: Logger;
}): Pop3Session {
  const { target, ports } = options;
  const log = options.logger.child({ incomingServerId: target.incomingServerId, protocol: 'pop3' });
  let stopped = false;
  let wakeUp: (() => void) | null = null;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wakeUp = null;
        resolve();
      }, ms);
      wakeUp = () => {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      };
    });

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      try {
        await runPop3Cycle({
          target,
          ports,
          batchSize: options.batchSize,
          logger: log,
          stopping: () => stopped,
        });
        failures = 0;
        await ports.recordOutcome({ ok: true });
        await wait(options.pollIntervalMs);
      } catch (err) {
        if (stopped) {
          return;
        }
        failures += 1;
        const error = describeFetchError(err, { ...target, folder: 'INBOX' });
        const backoffMs = reconnectDelayMs(failures, options.reconnect);
        // Retrying a revoked refresh token every minute helps nobody: wait for the next poll.
        const delayMs = isPermanentFetchError(err) ? Math.max(backoffMs, options.pollIntervalMs) : backoffMs;
        log.warn({ err, error, failures, retryInMs: delayMs }, 'pop3.cycle_failed');
        await ports
          .recordOutcome({ ok: false, error })
          .catch((e: unknown) => log.warn({ err: e }, 'pop3.record_outcome_failed'));
        await wait(delayMs);
      }
    }
  }

  const done = run().catch((err: unknown) => log.error({ err }, 'pop3.session_crashed'));
  return {
    done,
    async stop() {
      stopped = true;
      wakeUp?.();
      await done;
      log.info('pop3.session_closed');
    },
  };
}
