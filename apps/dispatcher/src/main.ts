import { bootWorkerService } from '@sotamail/lifecycle';
import {
  createProducer,
  createRedisConnection,
  createWorker,
  enqueueSendBatches,
  enqueueSendMail,
  whenRedisReady,
} from '@sotamail/queues';
import { createTokenSigner, parseSecretKey } from '@sotamail/secrets';
import { createContextCache } from './adapters/context-cache.js';
import { createResolveServer } from './adapters/resolve-server.js';
import { createSentRecorder } from './adapters/sent-recorder.js';
import { createServerThrottle } from './adapters/server-throttle.js';
import { createSmtpPools } from './adapters/smtp-pools.js';
import { dispatcherEnv } from './config.js';
import { startReleaseLoop } from './jobs/release-loop.js';
import { createSendBatchHandler } from './jobs/send-batch.js';
import { createSendMailHandler, type SendMailDeps } from './jobs/send-mail.js';
import { createSendNoticeHandler } from './jobs/send-notice.js';

const { config, logger, shutdown, handle, redis } = await bootWorkerService({
  service: 'dispatcher',
  defaultHealthPort: 8083,
  env: dispatcherEnv,
});

// A batch holds its claims for at most its slice (plus the sends in flight): a shorter lease would let
// another job take a mail the batch is about to send.
if (config.CLAIM_LEASE_MS <= config.BATCH_SLICE_MS + config.SMTP_TIMEOUT_MS) {
  process.stderr.write(
    `dispatcher: CLAIM_LEASE_MS (${config.CLAIM_LEASE_MS}) must be longer than BATCH_SLICE_MS + SMTP_TIMEOUT_MS (${config.BATCH_SLICE_MS + config.SMTP_TIMEOUT_MS})\n`,
  );
  process.exit(1);
}
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
// Reply-To thread tokens; the router checks them with the same key and purpose.
const replyTokens = createTokenSigner(secretKey, 'reply-to');
const deps: SendMailDeps = {
  db: handle.db,
  recorder: createSentRecorder(handle.db, { gatherMs: config.RECORD_GATHER_MS }),
  claimLeaseMs: config.CLAIM_LEASE_MS,
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
  signThread: (threadId) => replyTokens.sign(threadId),
  now,
  throttlePauseMs: config.THROTTLE_PAUSE_MS,
  maxAttempts: config.SEND_MAX_ATTEMPTS,
  onSmtpBounce: async (tenantId, email) => {
    await producer.enqueue('check-blacklist', { tenantId, email });
  },
};
const handler = createSendMailHandler(deps);
const batchHandler = createSendBatchHandler({
  ...deps,
  requeue: (mail, delayMs, attempts) =>
    enqueueSendMail(producer, mail, {
      delay: delayMs,
      ...(attempts
        ? // BullMQ's exponential backoff waits delay × 2^(n-1) before retry n; the first wait was ours.
          { attempts, backoff: { type: 'exponential', delay: 2 * config.SEND_RETRY_DELAY_MS, jitter: 0.3 } }
        : {}),
    }),
  continueBatch: (mails) => enqueueSendBatches(producer, mails),
  keepUnrecorded: (record, mail) =>
    enqueueSendMail(
      producer,
      { id: mail.id, tenantId: mail.tenantId, lane: mail.lane },
      // Recording only: it may wait out a long database outage, and it never sends.
      { attempts: 1_000, backoff: { type: 'fixed', delay: 30_000 } },
      record,
    ),
  sendsPerJob: config.SENDS_PER_JOB,
  claimSize: config.SENDS_PER_JOB,
  sliceMs: config.BATCH_SLICE_MS,
  retryDelayMs: config.SEND_RETRY_DELAY_MS,
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
    handlers: {
      'send-mail': handler,
      'send-mail-batch': batchHandler,
      'send-notice': createSendNoticeHandler(deps),
    },
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
    handlers: { 'send-mass-mail': handler, 'send-mass-mail-batch': batchHandler },
  });
  shutdown.register({ name: 'mass-worker', close: () => worker.close() });
}

const release = startReleaseLoop({
  db: handle.db,
  producer,
  logger,
  now,
  intervalMs: config.RELEASE_INTERVAL_MS,
  maxAttempts: config.SEND_MAX_ATTEMPTS,
});
shutdown.register({ name: 'release-loop', close: () => release.stop() });
logger.info({ lanes: config.DISPATCH_LANES }, 'dispatcher.ready');
