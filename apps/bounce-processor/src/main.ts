import { bootWorkerService } from '@sotamail/lifecycle';
import { createWorker } from '@sotamail/queues';
import { createTokenSigner, parseSecretKey } from '@sotamail/secrets';
import { bounceProcessorEnv } from './config.js';
import { createCheckBlacklistHandler } from './jobs/check-blacklist.js';
import { createProcessBounceHandler } from './jobs/process-bounce.js';

const { config, logger, shutdown, handle, redis } = await bootWorkerService({
  service: 'bounce-processor',
  defaultHealthPort: 8084,
  env: bounceProcessorEnv,
});

// The same key and purpose as the dispatcher's signer: only tokens it made verify.
const verp = createTokenSigner(parseSecretKey(config.SOTAMAIL_SECRET_KEY), 'verp');

const worker = createWorker({
  queue: 'bounce',
  connection: redis,
  prefix: config.QUEUE_PREFIX,
  logger,
  concurrency: config.BOUNCE_CONCURRENCY,
  handlers: {
    'process-bounce': createProcessBounceHandler({
      db: handle.db,
      verifyVerp: (token) => verp.verify(token),
      now: () => new Date(),
    }),
    'check-blacklist': createCheckBlacklistHandler({ db: handle.db, now: () => new Date() }),
  },
});
shutdown.register({ name: 'bounce-worker', close: () => worker.close() });
