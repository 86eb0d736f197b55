import { findUnroutedRaw } from '@sotamail/db';
import { bootWorkerService } from '@sotamail/lifecycle';
import { createProducer, createRedisConnection, createWorker, whenRedisReady } from '@sotamail/queues';
import { routerEnv } from './config.js';
import { createRouteInboundHandler } from './jobs/route-inbound.js';

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

const worker = createWorker({
  queue: 'inbound',
  connection: redis,
  prefix: config.QUEUE_PREFIX,
  logger,
  concurrency: config.ROUTER_CONCURRENCY,
  handlers: {
    'route-inbound': createRouteInboundHandler({ db: handle.db, producer, now: () => new Date() }),
  },
});
shutdown.register({ name: 'inbound-worker', close: () => worker.close() });

// Stored mail whose routing job was lost (Redis away when it arrived) is queued again: stored mail
// is never left unrouted.
const sweep = setInterval(() => {
  findUnroutedRaw(handle.db, new Date(Date.now() - 5 * 60_000))
    .then((rows) =>
      Promise.all(
        rows.map((r) =>
          producer.enqueue('route-inbound', { tenantId: r.tenantId, rawInboundId: r.id }, { jobId: r.id }),
        ),
      ),
    )
    .catch((err: unknown) => logger.warn({ err }, 'sweep.failed'));
}, config.SWEEP_INTERVAL_MS);
sweep.unref();
shutdown.register({ name: 'sweep', close: () => clearInterval(sweep) });
