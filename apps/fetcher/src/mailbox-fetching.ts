import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Db,
  type FetchableServer,
  findMailboxCheckpoint,
  listFetchableServers,
  recordFetchOutcome,
  saveMailboxCheckpoint,
  storeRawInbound,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import type { OAuthTokenSource } from '@sotamail/oauth';
import type { RouteBatcher } from '@sotamail/queues';
import type { Redis } from 'ioredis';
import { type ImapSessionPorts, startImapSession } from './adapters/imap-session.js';
import { mailboxCredentials } from './adapters/mailbox-credential.js';
import { createRedisLease } from './adapters/redis-lease.js';
import { fetchIntervalMs } from './domain/fetch-interval.js';
import { type MailboxSupervisor, startMailboxSupervisor } from './mailbox-supervisor.js';
import { type Pop3Ports, startPop3Session } from './pop3-fetching.js';

type Protocol = FetchableServer['server']['protocol'];

/**
 * What both protocols need from PostgreSQL, the routing queue and the OAuth2 provider: the credential
 * (password or access token), durable storage of a raw message (then its routing job), and the outcome
 * shown to the admin.
 */
export function mailboxStorage(options: {
  db: Db;
  /** Stored mail is handed to the router in batch jobs (route-batcher.ts). */
  routeBatcher: RouteBatcher;
  secretKey: Buffer;
  /** Access tokens for XOAUTH2 servers; without it they fail with a readable error. */
  tokenSource?: OAuthTokenSource;
  logger: Logger;
}) {
  const { db, routeBatcher } = options;
  const credentialsOf = mailboxCredentials(options);
  return (target: FetchableServer) => {
    const { server, aliasAddress } = target;
    const envelopeTo = [(aliasAddress ?? server.username).toLowerCase()];
    return {
      credential: credentialsOf(server),
      /** Commits `raw` under `sourceKey(sha256)`; a key already stored is a no-op, not a second row. */
      async store(raw: Buffer, sourceKey: (sha256: string) => string): Promise<void> {
        const sha256 = createHash('sha256').update(raw).digest('hex');
        const { id, created } = await storeRawInbound(db, {
          tenantId: server.tenantId,
          source: server.protocol,
          incomingServerId: server.id,
          sourceKey: sourceKey(sha256),
          raw,
          size: raw.length,
          sha256,
          envelopeFrom: null,
          envelopeTo,
        });
        if (created) {
          routeBatcher.add(server.tenantId, id);
        }
      },
      recordOutcome: (outcome: { ok: true } | { ok: false; error: string }) =>
        recordFetchOutcome(db, server.id, outcome),
    };
  };
}

/** The POP3 ports of one server. The key holds the UIDL and the content: see runPop3Cycle. */
export function pop3Ports(
  storage: ReturnType<ReturnType<typeof mailboxStorage>>,
  serverId: string,
): Pop3Ports {
  return {
    credential: storage.credential,
    store: (raw, uidl) => storage.store(raw, (sha256) => `pop3:${serverId}:${uidl}:${sha256}`),
    recordOutcome: storage.recordOutcome,
  };
}

/**
 * Wires the IMAP and POP3 sessions to PostgreSQL (raw mail, checkpoints, outcome) and the routing
 * queue, under one supervisor: one session per confirmed, active server across all instances.
 */
export function startMailboxFetching(options: {
  db: Db;
  /** Stored mail is handed to the router in batch jobs (route-batcher.ts). */
  routeBatcher: RouteBatcher;
  redis: Redis;
  queuePrefix: string;
  secretKey: Buffer;
  tokenSource?: OAuthTokenSource;
  protocols: Protocol[];
  scanIntervalMs: number;
  leaseTtlMs: number;
  reconnectMaxMs: number;
  pop3BatchSize: number;
  logger: Logger;
}): MailboxSupervisor {
  const { db, logger } = options;
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const storageOf = mailboxStorage(options);

  function imapPorts(target: FetchableServer): ImapSessionPorts {
    const { server } = target;
    const storage = storageOf(target);
    return {
      credential: storage.credential,
      // Content-based: a re-scan after a UIDVALIDITY change or a crash before \Seen stores nothing new.
      store: (raw) => storage.store(raw, (sha256) => `imap:${server.id}:${sha256}`),
      loadCheckpoint: () => findMailboxCheckpoint(db, server.id, server.folder),
      saveCheckpoint: (uidValidity, lastUid) =>
        saveMailboxCheckpoint(db, {
          incomingServerId: server.id,
          folder: server.folder,
          uidValidity,
          lastUid,
        }),
      recordOutcome: storage.recordOutcome,
    };
  }

  function startSession(target: FetchableServer) {
    const { server } = target;
    const pollIntervalMs = fetchIntervalMs(server.fetchIntervalSeconds, target.intervalParameter);
    const reconnect = { minMs: 1_000, maxMs: options.reconnectMaxMs };
    const endpoint = {
      incomingServerId: server.id,
      host: server.host,
      port: server.port,
      security: server.security,
      username: server.username,
      authType: server.authType,
    };
    if (server.protocol === 'pop3') {
      return startPop3Session({
        target: endpoint,
        ports: pop3Ports(storageOf(target), server.id),
        pollIntervalMs,
        batchSize: options.pop3BatchSize,
        reconnect,
        logger,
      });
    }
    return startImapSession({
      target: { ...endpoint, folder: server.folder },
      ports: imapPorts(target),
      pollIntervalMs,
      reconnect,
      logger,
    });
  }

  return startMailboxSupervisor({
    listServers: () => listFetchableServers(db, options.protocols),
    fingerprint: ({ server, aliasAddress, intervalParameter }) =>
      JSON.stringify([
        server.protocol,
        server.host,
        server.port,
        server.security,
        server.authType,
        server.username,
        server.passwordSealed,
        server.oauthProvider,
        server.oauthClientId,
        server.oauthClientSecretSealed,
        server.oauthRefreshTokenSealed,
        server.folder,
        aliasAddress,
        fetchIntervalMs(server.fetchIntervalSeconds, intervalParameter),
      ]),
    lease: (id) =>
      createRedisLease(options.redis, {
        key: `${options.queuePrefix}:fetch-lease:${id}`,
        owner,
        ttlMs: options.leaseTtlMs,
      }),
    startSession,
    scanIntervalMs: options.scanIntervalMs,
    leaseTtlMs: options.leaseTtlMs,
    logger,
  });
}
