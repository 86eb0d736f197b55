import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Db,
  type FetchableImapServer,
  findMailboxCheckpoint,
  listFetchableImapServers,
  recordFetchOutcome,
  saveMailboxCheckpoint,
  storeRawInbound,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import type { Producer } from '@sotamail/queues';
import { createSecretBox, serverSecretContext } from '@sotamail/secrets';
import type { Redis } from 'ioredis';
import { type ImapSessionPorts, startImapSession } from './adapters/imap-session.js';
import { createRedisLease } from './adapters/redis-lease.js';
import { UnsupportedAuthError } from './domain/describe-fetch-error.js';
import { fetchIntervalMs } from './domain/fetch-interval.js';
import { type ImapSupervisor, startImapSupervisor } from './imap-supervisor.js';

/** Wires the IMAP sessions to PostgreSQL (raw mail, checkpoints, outcome) and the routing queue. */
export function startImapFetching(options: {
  db: Db;
  producer: Producer;
  redis: Redis;
  queuePrefix: string;
  secretKey: Buffer;
  scanIntervalMs: number;
  leaseTtlMs: number;
  reconnectMaxMs: number;
  logger: Logger;
}): ImapSupervisor {
  const { db, producer, logger } = options;
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  function ports({ server, aliasAddress }: FetchableImapServer): ImapSessionPorts {
    const envelopeTo = [(aliasAddress ?? server.username).toLowerCase()];
    return {
      password() {
        if (server.authType !== 'password') {
          throw new UnsupportedAuthError(
            'OAuth2 (XOAUTH2) is not supported for fetching yet: use a password for this server.',
          );
        }
        if (!server.passwordSealed) {
          throw new UnsupportedAuthError('This server has no password.');
        }
        return createSecretBox(options.secretKey, serverSecretContext('incoming', server.id)).open(
          server.passwordSealed,
        );
      },
      async store(raw) {
        const sha256 = createHash('sha256').update(raw).digest('hex');
        // Content-based: a re-scan after a UIDVALIDITY change or a crash before \Seen stores nothing new.
        const { row, created } = await storeRawInbound(db, {
          tenantId: server.tenantId,
          source: 'imap',
          incomingServerId: server.id,
          sourceKey: `imap:${server.id}:${sha256}`,
          raw,
          size: raw.length,
          sha256,
          envelopeFrom: null,
          envelopeTo,
        });
        if (created) {
          // After the commit; if Redis is away, the router's sweep queues it later.
          await producer
            .enqueue('route-inbound', { tenantId: server.tenantId, rawInboundId: row.id }, { jobId: row.id })
            .catch((err: unknown) => logger.warn({ err, rawInboundId: row.id }, 'imap.enqueue_deferred'));
        }
      },
      loadCheckpoint: () => findMailboxCheckpoint(db, server.id, server.folder),
      saveCheckpoint: (uidValidity, lastUid) =>
        saveMailboxCheckpoint(db, {
          incomingServerId: server.id,
          folder: server.folder,
          uidValidity,
          lastUid,
        }),
      recordOutcome: (outcome) => recordFetchOutcome(db, server.id, outcome),
    };
  }

  return startImapSupervisor({
    listServers: () => listFetchableImapServers(db),
    fingerprint: ({ server, aliasAddress, intervalParameter }) =>
      JSON.stringify([
        server.host,
        server.port,
        server.security,
        server.authType,
        server.username,
        server.passwordSealed,
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
    startSession: (target) =>
      startImapSession({
        target: {
          incomingServerId: target.server.id,
          host: target.server.host,
          port: target.server.port,
          security: target.server.security,
          username: target.server.username,
          folder: target.server.folder,
        },
        ports: ports(target),
        pollIntervalMs: fetchIntervalMs(target.server.fetchIntervalSeconds, target.intervalParameter),
        reconnect: { minMs: 1_000, maxMs: options.reconnectMaxMs },
        logger,
      }),
    scanIntervalMs: options.scanIntervalMs,
    leaseTtlMs: options.leaseTtlMs,
    logger,
  });
}
