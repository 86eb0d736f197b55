import { bootWorkerService } from '@sotamail/lifecycle';
import { createProducer, createRedisConnection, createWorker, whenRedisReady } from '@sotamail/queues';
import { createTokenSigner, parseSecretKey } from '@sotamail/secrets';
import { createContextCache } from './adapters/context-cache.js';
import { createResolveServer } from './adapters/resolve-server.js';
import { createServerThrottle } from './adapters/server-throttle.js';
import { createSmtpPools } from './adapters/smtp-pools.js';
import { dispatcherEnv } from './config.js';
import { startReleaseLoop } from './jobs/release-loop.js';
import { createSendMailHandler } from './jobs/send-mail.js';

const { config, logger, shutdown, handle, redis } = await bootWorkerService({
  service: 'dispatcher',
  defaultHealthPort: 8083,
  env: dispatcherEnv,
});

const secretKey = parseSecretKey(config.SOTAMAIL_SECRET_KEY);
const now = () => new Date(Date.now() + config.CLOCK_OFFSET_MS);

const producerRedis = createRedisConnection(config.REDIS_URL, 'producer');
shutdown.register({ name: 'producer-redis', close: () => void producerRedis.disconnect() });
await whenRedisReady(producerRedis);
const producer = createProducer(producerRedis, config.QUEUE_PREFIX);
shutdown.register({ name: 'producer', close: () => producer.close() });

const pools = createSmtpPools({
  logger,
  timeoutMs: config.SMTP_TIMEOUT_MS,
  rejectUnauthorized: config.SMTP_REJECT_UNAUTHORIZED,
});
shutdown.register({ name: 'smtp-pools', close: () => pools.close() });

const verp = createTokenSigner(secretKey, 'verp');
const handler = createSendMailHandler({
  db: handle.db,
  contexts: createContextCache(handle.db, 5_000),
  pools,
  throttle: createServerThrottle(producerRedis, config.QUEUE_PREFIX, config.SMTP_TIMEOUT_MS * 2),
  resolveServer: createResolveServer(secretKey, {
    host: config.PLATFORM_SMTP_HOST,
    port: config.PLATFORM_SMTP_PORT,
    security: config.PLATFORM_SMTP_SECURITY,
    auth: config.PLATFORM_SMTP_USER
      ? { type: 'password', user: config.PLATFORM_SMTP_USER, pass: config.PLATFORM_SMTP_PASSWORD ?? '' }
      : { type: 'none' },
    maxConnections: config.PLATFORM_SMTP_MAX_CONNECTIONS,
  }),
  signVerp: (id) => verp.sign(id),
  now,
  throttlePauseMs: config.THROTTLE_PAUSE_MS,
});

// Separate workers (and concurrency) per lane: a mailing of 100,000 never occupies the workers that
// send notifications (R5.1).
// A job stalls when its process dies or starves; it is taken again, a few times over, since the
// mail itself is safe to take again (see the README's crash safety).
const workerOptions = {
  lockDuration: config.JOB_LOCK_MS,
  stalledInterval: config.JOB_LOCK_MS,
  maxStalledCount: 5,
};
if (config.DISPATCH_LANES.includes('transactional')) {
  const worker = createWorker({
    queue: 'outbound',
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    logger,
    concurrency: config.TRANSACTIONAL_CONCURRENCY,
    workerOptions,
    handlers: { 'send-mail': handler },
  });
  shutdown.register({ name: 'outbound-worker', close: () => worker.close() });
}
if (config.DISPATCH_LANES.includes('mass')) {
  const worker = createWorker({
    queue: 'mass',
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    logger,
    concurrency: config.MASS_CONCURRENCY,
    workerOptions,
    handlers: { 'send-mass-mail': handler },
  });
  shutdown.register({ name: 'mass-worker', close: () => worker.close() });
}

const release = startReleaseLoop({
  db: handle.db,
  producer,
  logger,
  now,
  intervalMs: config.RELEASE_INTERVAL_MS,
});
shutdown.register({ name: 'release-loop', close: () => release.stop() });
logger.info({ lanes: config.DISPATCH_LANES }, 'dispatcher.ready');
