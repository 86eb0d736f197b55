import { cacheFound, findPendingNotices } from '@sotamail/db';
import { bootWorkerService } from '@sotamail/lifecycle';
import {
  createProducer,
  createRedisConnection,
  createWorker,
  enqueueOnce,
  whenRedisReady,
} from '@sotamail/queues';
import { createTokenSigner, parseSecretKey } from '@sotamail/secrets';
import { tenantContextLoader } from './adapters/tenant-context.js';
import { routerEnv } from './config.js';
import { recordRoutingFailure } from './jobs/record-routing-failure.js';
import { requeueUnrouted } from './jobs/requeue-unrouted.js';
import { createRouteInboundHandlers } from './jobs/route-inbound.js';

const { config, logger, shutdown, handle, redis } = await bootWorkerService({
  service: 'router',
  defaultHealthPort: 8082,
  env: routerEnv,
});

const producerRedis = createRedisConnection(config.REDIS_URL, 'producer');
shutdown.register({ name: 'producer-redis', close: () => void producerRedis.disconnect() });
await whenRedisReady(producerRedis);
const producer = createProducer(producerRedis, config.QUEUE_PREFIX);
shutdown.register({ name: 'producer', close: () => producer.close() });

// The dispatcher signs Reply-To thread tokens with the purpose 'reply-to'; the same key and purpose
// check them here.
const threadTokens = config.SOTAMAIL_SECRET_KEY
  ? createTokenSigner(parseSecretKey(config.SOTAMAIL_SECRET_KEY), 'reply-to')
  : null;
if (!threadTokens) {
  logger.warn('router.thread_tokens_unchecked');
}

const worker = createWorker({
  queue: 'inbound',
  connection: redis,
  prefix: config.QUEUE_PREFIX,
  logger,
  concurrency: config.ROUTER_CONCURRENCY,
  workerOptions: {
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 5,
  },
  handlers: createRouteInboundHandlers({
    db: handle.db,
    producer,
    now: () => new Date(),
    verifyThreadToken: threadTokens ? (token) => threadTokens.verify(token) : null,
    loadTenant: cacheFound(tenantContextLoader(handle.db), { ttlMs: config.ROUTER_TENANT_CACHE_MS }),
  }),
});
worker.on('failed', (job, err) => {
  if (job) {
    recordRoutingFailure(handle.db, job, err).catch((failure: unknown) =>
      logger.warn({ err: failure, jobId: job.id }, 'inbound.failure_not_recorded'),
    );
  }
});
shutdown.register({ name: 'inbound-worker', close: () => worker.close() });

// Stored mail whose routing job was lost (Redis away when it arrived) is queued again: stored mail
// is never left unrouted. Likewise a notice committed with its refusal whose job never made it.
const sweep = setInterval(() => {
  const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
  requeueUnrouted({ db: handle.db, producer }, fiveMinutesAgo).catch((err: unknown) =>
    logger.warn({ err }, 'sweep.failed'),
  );
  findPendingNotices(handle.db, fiveMinutesAgo, new Date())
    .then((rows) =>
      Promise.all(
        rows.map((r) => enqueueOnce(producer, 'send-notice', { tenantId: r.tenantId, noticeId: r.id }, r.id)),
      ),
    )
    .catch((err: unknown) => logger.warn({ err }, 'sweep.notices_failed'));
}, config.SWEEP_INTERVAL_MS);
sweep.unref();
shutdown.register({ name: 'sweep', close: () => clearInterval(sweep) });
