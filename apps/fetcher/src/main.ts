import { cacheFound, findTenantByAliasDomain } from '@sotamail/db';
import { bootWorkerService } from '@sotamail/lifecycle';
import { createOAuthTokenSource, tokenEndpointsOf } from '@sotamail/oauth';
import { createProducer, createRedisConnection, createRouteBatcher, whenRedisReady } from '@sotamail/queues';
import { parseSecretKey } from '@sotamail/secrets';
import { groupedRawStore } from './adapters/grouped-raw-store.js';
import { startSmtpIngress } from './adapters/smtp-ingress.js';
import { fetcherEnv } from './config.js';
import { startMailboxFetching } from './mailbox-fetching.js';

// IMAP fetching (R7.2: leases, IDLE, checkpoints), POP3 fetching (polling, DELE after store) and the
// SMTP ingress for forwarded aliases (R7.4).
const { config, logger, shutdown, handle } = await bootWorkerService({
  service: 'fetcher',
  defaultHealthPort: 8081,
  env: fetcherEnv,
});

const producerRedis = createRedisConnection(config.REDIS_URL, 'producer');
shutdown.register({ name: 'producer-redis', close: () => void producerRedis.disconnect() });
await whenRedisReady(producerRedis);
const producer = createProducer(producerRedis, config.QUEUE_PREFIX);
shutdown.register({ name: 'producer', close: () => producer.close() });
// Stored mail goes to the router in batch jobs; shutdown queues what is gathered before Redis closes.
const routeBatcher = createRouteBatcher(producer, {
  windowMs: config.ROUTE_BATCH_WINDOW_MS,
  // After the commit: the router's sweep queues it later.
  onError: (err, rawInboundIds) => logger.warn({ err, rawInboundIds }, 'route.enqueue_deferred'),
});
shutdown.register({ name: 'route-batcher', close: () => routeBatcher.flush() });

const tenantIdOfDomain = cacheFound(
  async (domain) => (await findTenantByAliasDomain(handle.db, domain))?.id,
  { ttlMs: 5_000 },
);
const cachedTenantOfDomain = async (domain: string) => (await tenantIdOfDomain(domain)) ?? null;

if (config.SMTP_INGRESS_ENABLED) {
  // The mails of sessions finishing together are committed together.
  const storeRaw = groupedRawStore(handle.db);
  const ingress = await startSmtpIngress({
    host: config.SMTP_INGRESS_HOST,
    port: config.SMTP_INGRESS_PORT,
    hostname: config.SMTP_INGRESS_HOSTNAME,
    maxBytes: config.SMTP_INGRESS_MAX_BYTES,
    logger,
    // Every RCPT asks; a new database is found at once, a removed one is refused within 5 s.
    tenantOfDomain: cachedTenantOfDomain,
    async store(mail) {
      for (const [tenantId, recipients] of mail.recipientsByTenant) {
        // The same bytes delivered again (the sender did not see our 250) are the same message.
        const { id, created } = await storeRaw({
          tenantId,
          source: 'smtp',
          sourceKey: `smtp:${mail.sha256}`,
          raw: mail.raw,
          size: mail.raw.length,
          sha256: mail.sha256,
          envelopeFrom: mail.envelopeFrom,
          envelopeTo: recipients,
        });
        if (created) {
          routeBatcher.add(tenantId, id);
        }
      }
    },
  });
  shutdown.register({ name: 'smtp-ingress', close: () => ingress.close() });
  logger.info({ port: ingress.port }, 'ingress.listening');
}

const protocols = [
  ...(config.IMAP_FETCH_ENABLED ? (['imap'] as const) : []),
  ...(config.POP3_FETCH_ENABLED ? (['pop3'] as const) : []),
];
if (protocols.length === 0) {
  logger.info('fetch.disabled');
} else if (!config.SOTAMAIL_SECRET_KEY) {
  logger.warn('fetch.disabled: SOTAMAIL_SECRET_KEY is not set, so the servers’ passwords cannot be read');
} else {
  const fetching = startMailboxFetching({
    db: handle.db,
    routeBatcher,
    // Fails fast while Redis is away (the lease logic then decides), unlike the blocking worker connection.
    redis: producerRedis,
    queuePrefix: config.QUEUE_PREFIX,
    secretKey: parseSecretKey(config.SOTAMAIL_SECRET_KEY),
    // One cache for all sessions of this instance: a token is exchanged once per hour, not per connection.
    tokenSource: createOAuthTokenSource({ endpoints: tokenEndpointsOf(config) }),
    protocols,
    scanIntervalMs: config.FETCH_SCAN_INTERVAL_MS,
    leaseTtlMs: config.FETCH_LEASE_TTL_MS,
    reconnectMaxMs: config.FETCH_RECONNECT_MAX_MS,
    pop3BatchSize: config.POP3_BATCH_SIZE,
    logger,
  });
  // Registered after the producer, so it closes first: sessions log out, then leases are released.
  shutdown.register({ name: 'mailbox-fetching', close: () => fetching.close() });
}
