import { ConfigError } from '@sotamail/config';
import { createDb } from '@sotamail/db';
import { createShutdown, handleProcessSignals } from '@sotamail/lifecycle';
import { createLogger } from '@sotamail/logging';
import { createOAuthTokenSource, loadTokenEndpoints, type TokenEndpoints } from '@sotamail/oauth';
import {
  assertNoEviction,
  createProducer,
  createRedisConnection,
  pingRedis,
  whenRedisReady,
} from '@sotamail/queues';
import { parseSecretKey } from '@sotamail/secrets';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { probeSmtpServer } from './smtp-probe/index.js';

const service = 'config-api';

let config: ReturnType<typeof loadConfig>;
let tokenEndpoints: TokenEndpoints;
try {
  config = loadConfig(process.env);
  tokenEndpoints = loadTokenEndpoints(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${service}: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger({ service, level: config.LOG_LEVEL });
const shutdown = createShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
handleProcessSignals(shutdown, logger);

const handle = createDb({
  url: config.DATABASE_URL,
  applicationName: service,
  statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
});
shutdown.register({ name: 'postgres', close: () => handle.close() });
const redis = createRedisConnection(config.REDIS_URL, 'producer');
shutdown.register({ name: 'redis', close: () => void redis.disconnect() });
const producer = createProducer(redis, config.QUEUE_PREFIX);
shutdown.register({ name: 'queues', close: () => producer.close() });

try {
  await Promise.all([
    handle.pool.query('select 1'),
    whenRedisReady(redis).then(() => assertNoEviction(redis)),
  ]);
} catch (err) {
  logger.fatal({ err }, 'startup.dependency_unavailable');
  await shutdown.run('startup failed', 1);
}

const app = await buildApp({
  logger,
  pingRedis: () => pingRedis(redis),
  deps: {
    handle,
    producer,
    secretKey: parseSecretKey(config.SOTAMAIL_SECRET_KEY),
    operatorToken: config.SOTAMAIL_OPERATOR_TOKEN,
    platformMailDomain: config.SOTAMAIL_PLATFORM_MAIL_DOMAIN,
    probeSmtp: (options) => probeSmtpServer({ logger, ...options }),
    oauthAccessToken: createOAuthTokenSource({ endpoints: tokenEndpoints }),
  },
});
// Registered last so it runs first: stop taking requests, then close the clients.
shutdown.register({ name: 'http', close: () => app.close() });
await app.listen({ host: config.HOST, port: config.PORT });
logger.info(
  { host: config.HOST, port: config.PORT, docs: '/docs', dashboard: '/admin/queues' },
  'config-api.listening',
);
