import { findTenantByAliasDomain, storeRawInbound } from '@sotamail/db';
import { bootWorkerService } from '@sotamail/lifecycle';
import { createProducer, createRedisConnection, whenRedisReady } from '@sotamail/queues';
import { startSmtpIngress } from './adapters/smtp-ingress.js';
import { fetcherEnv } from './config.js';

// IMAP and POP3 fetching (IDLE, checkpoints, leases) come with the rest of the inbound issue; the
// SMTP ingress for forwarded aliases (R7.4) runs here now.
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

if (config.SMTP_INGRESS_ENABLED) {
  const ingress = await startSmtpIngress({
    host: config.SMTP_INGRESS_HOST,
    port: config.SMTP_INGRESS_PORT,
    hostname: config.SMTP_INGRESS_HOSTNAME,
    maxBytes: config.SMTP_INGRESS_MAX_BYTES,
    logger,
    tenantOfDomain: async (domain) => (await findTenantByAliasDomain(handle.db, domain))?.id ?? null,
    async store(mail) {
      for (const [tenantId, recipients] of mail.recipientsByTenant) {
        // The same bytes delivered again (the sender did not see our 250) are the same message.
        const { row, created } = await storeRawInbound(handle.db, {
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
          // After the commit; if Redis is away, the router's sweep queues it later.
          await producer
            .enqueue('route-inbound', { tenantId, rawInboundId: row.id }, { jobId: row.id })
            .catch((err: unknown) => logger.warn({ err, rawInboundId: row.id }, 'ingress.enqueue_deferred'));
        }
      }
    },
  });
  shutdown.register({ name: 'smtp-ingress', close: () => ingress.close() });
  logger.info({ port: ingress.port }, 'ingress.listening');
}
