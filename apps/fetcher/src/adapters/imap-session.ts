import type { Logger } from '@sotamail/logging';
import { ImapFlow } from 'imapflow';
import { reconnectDelayMs } from '../domain/backoff.js';
import {
  describeFetchError,
  isPermanentFetchError,
  StoreFailedError,
} from '../domain/describe-fetch-error.js';
import { newUids } from '../domain/new-uids.js';
import { type CredentialOf, loginWithCredential, type MailboxCredential } from './mailbox-credential.js';

export type ImapTarget = {
  incomingServerId: string;
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'ssl';
  username: string;
  folder: string;
  authType?: 'password' | 'xoauth2';
};

/** What a session needs from the rest of the fetcher: storage, checkpoints and the admin-visible outcome. */
export type ImapSessionPorts = {
  /** The password or an OAuth2 access token; throws a readable error when there is none. */
  credential: CredentialOf;
  /** Commits the raw message (and queues its routing); resolves only once it is durable. */
  store: (raw: Buffer) => Promise<void>;
  loadCheckpoint: () => Promise<{ uidValidity: string; lastUid: number } | undefined>;
  saveCheckpoint: (uidValidity: string, lastUid: number) => Promise<void>;
  recordOutcome: (outcome: { ok: true } | { ok: false; error: string }) => Promise<void>;
};

export type ImapSession = { stop: () => Promise<void>; done: Promise<void> };

const logoutTimeoutMs = 3_000;

/**
 * One mailbox folder, read until stopped (R7.2, R7.3): connect, catch up on every UID above the
 * checkpoint, then IDLE until the server announces mail or the poll interval passes. Each message is
 * stored before it is flagged \Seen, and the checkpoint moves only after both; a crash in between
 * fetches it again, and its content-based source key makes the second store a no-op. Errors are
 * recorded on the server row and the session reconnects with backoff.
 */
export function startImapSession(options: {
  target: ImapTarget;
  ports: ImapSessionPorts;
  pollIntervalMs: number;
  reconnect: { minMs: number; maxMs: number };
  logger: Logger;
}): ImapSession {
  const { target, ports } = options;
  const log = options.logger.child({ incomingServerId: target.incomingServerId, mailbox: target.folder });
  let stopped = false;
  let pending = false;
  let wakeUp: (() => void) | null = null;
  let client: ImapFlow | null = null;

  const signal = () => {
    pending = true;
    wakeUp?.();
  };

  /** Resolves after `ms`, or earlier on new mail, a closed connection or stop. */
  const waitForWake = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pending || stopped) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeUp = done;
    });

  async function sync(c: ImapFlow): Promise<void> {
    const mailbox = c.mailbox;
    if (!mailbox) {
      throw new Error('no folder is selected');
    }
    const uidValidity = String(mailbox.uidValidity);
    const checkpoint = await ports.loadCheckpoint();
    let lastUid = 0;
    if (checkpoint?.uidValidity === uidValidity) {
      lastUid = checkpoint.lastUid;
    } else {
      if (checkpoint) {
        // UIDs of the old validity mean nothing now: re-read the whole folder. Content-based source
        // keys make the messages already stored no-ops.
        log.warn({ from: checkpoint.uidValidity, to: uidValidity }, 'imap.uidvalidity_changed');
      }
      await ports.saveCheckpoint(uidValidity, 0);
    }
    const uids = newUids(await c.search({ uid: `${lastUid + 1}:*` }, { uid: true }), lastUid);
    for (const uid of uids) {
      if (stopped) {
        return;
      }
      const message = await c.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      const source = message ? message.source : undefined;
      if (source) {
        await ports.store(source).catch((err: unknown) => {
          throw new StoreFailedError(uid, err);
        });
        await c.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      }
      // Expunged before we read it: nothing to keep, move on.
      await ports.saveCheckpoint(uidValidity, uid);
    }
    if (uids.length > 0) {
      log.info({ count: uids.length, lastUid: uids.at(-1) }, 'imap.fetched');
    }
  }

  /** A client for one connection, with the events that wake the loop. */
  function createClient(credential: MailboxCredential): { c: ImapFlow; state: { closed: boolean } } {
    const c = new ImapFlow({
      host: target.host,
      port: target.port,
      secure: target.security === 'ssl',
      doSTARTTLS: target.security === 'starttls' ? true : target.security === 'none' ? false : undefined,
      auth:
        credential.type === 'xoauth2'
          ? { user: target.username, accessToken: credential.accessToken }
          : { user: target.username, pass: credential.password },
      logger: log.child({ component: 'imapflow' }),
      disableAutoIdle: true,
      // IDLE is restarted regularly: some servers and NATs drop a silent connection after a while.
      maxIdleTime: 120_000,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
    });
    const state = { closed: false };
    c.on('error', (err: Error) => log.warn({ err }, 'imap.connection_error'));
    // Only the current connection may wake the loop: a late event of a closed one would skip the backoff.
    c.on('exists', () => {
      if (client === c) {
        signal();
      }
    });
    c.on('close', () => {
      state.closed = true;
      if (client === c) {
        signal();
      }
    });
    return { c, state };
  }

  /** Connects and logs in; an access token the server refuses is replaced once by a new one. */
  function connect(): Promise<{ c: ImapFlow; state: { closed: boolean } }> {
    return loginWithCredential(
      ports.credential,
      async (credential) => {
        const opened = createClient(credential);
        client = opened.c;
        try {
          await opened.c.connect();
        } catch (err) {
          // Detached first: its close event must not cut the backoff short.
          client = null;
          opened.c.close();
          throw credential.type === 'xoauth2' ? oauthLoginError(err, opened.c) : err;
        }
        return opened;
      },
      (err) => (err as { authenticationFailed?: boolean }).authenticationFailed === true,
    );
  }

  async function serve(): Promise<void> {
    const { c, state } = await connect();
    try {
      await c.mailboxOpen(target.folder);
      log.info('imap.session_open');
      while (!stopped) {
        if (state.closed) {
          throw Object.assign(new Error('the server closed the connection'), { code: 'EConnectionClosed' });
        }
        pending = false;
        await sync(c);
        await ports.recordOutcome({ ok: true });
        if (stopped || pending) {
          continue;
        }
        // Not awaited: IDLE ends when the next command (the sync's SEARCH) is sent.
        c.idle().catch((err: unknown) => log.debug({ err }, 'imap.idle_ended'));
        await waitForWake(options.pollIntervalMs);
      }
    } finally {
      client = null;
      if (!state.closed) {
        await closeClient(c);
      }
    }
  }

  async function closeClient(c: ImapFlow): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.logout(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, logoutTimeoutMs);
        }),
      ]);
    } catch {
      // Closing anyway.
    } finally {
      clearTimeout(timer);
      c.close();
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      try {
        await serve();
        failures = 0;
      } catch (err) {
        if (stopped) {
          return;
        }
        failures += 1;
        const error = describeFetchError(err, target);
        const backoffMs = reconnectDelayMs(failures, options.reconnect);
        // Retrying a revoked refresh token every minute helps nobody: wait for the next poll.
        const delayMs = isPermanentFetchError(err) ? Math.max(backoffMs, options.pollIntervalMs) : backoffMs;
        log.warn({ err, error, failures, retryInMs: delayMs }, 'imap.session_failed');
        await ports
          .recordOutcome({ ok: false, error })
          .catch((e: unknown) => log.warn({ err: e }, 'imap.record_outcome_failed'));
        pending = false;
        await waitForWake(delayMs);
      }
    }
  }

  const done = run().catch((err: unknown) => log.error({ err }, 'imap.session_crashed'));
  return {
    done,
    async stop() {
      stopped = true;
      // Wakes the loop out of its wait; it sees `stopped` and logs out, which ends IDLE.
      signal();
      await done;
      log.info('imap.session_closed');
    },
  };
}

const oauthMechanisms = ['AUTH=XOAUTH2', 'AUTH=OAUTHBEARER', 'AUTH=XOAUTH'];

/**
 * imapflow reports a server without an OAuth2 mechanism as a bare "unsupported mechanism" error;
 * the capabilities it read say it better, and classifiably.
 */
function oauthLoginError(err: unknown, c: ImapFlow): unknown {
  const e = err as { code?: string; authenticationFailed?: boolean; tlsFailed?: boolean };
  const offered = oauthMechanisms.some((m) => c.capabilities.has(m));
  if (!e.code && !e.authenticationFailed && !e.tlsFailed && c.capabilities.size > 0 && !offered) {
    return Object.assign(new Error('the server offers no OAuth2 login mechanism'), {
      code: 'EXOAUTH2_UNSUPPORTED',
      protocol: 'imap',
    });
  }
  return err;
}
