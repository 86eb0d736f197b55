import { ConfigError, commonEnv, parseEnv, portEnv } from '@sotamail/config';
import { createDb, type DbHandle, pingDb } from '@sotamail/db';
import { createLogger, type Logger } from '@sotamail/logging';
import { assertNoEviction, createRedisConnection, pingRedis } from '@sotamail/queues';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { startHealthServer } from './health-server.js';
import { createShutdown, handleProcessSignals, type Shutdown } from './shutdown.js';

export type WorkerServiceContext<E> = {
  config: E & { QUEUE_PREFIX: string; REDIS_URL: string; DATABASE_URL: string };
  logger: Logger;
  shutdown: Shutdown;
  handle: DbHandle;
  /** The connection for BullMQ workers (blocking commands, waits for Redis to come back). */
  redis: Redis;
};

/**
 * The start of every queue-consuming service: validate the environment (printing every problem and
 * exiting 1), connect to PostgreSQL and Redis, serve /health and /health/ready, and wire SIGTERM to a
 * shutdown with a deadline. The service's main.ts then registers its workers on the shutdown, which
 * closes them first.
 */
export async function bootWorkerService<S extends z.ZodRawShape>(options: {
  service: string;
  defaultHealthPort: number;
  env?: S;
  source?: Record<string, string | undefined>;
}): Promise<WorkerServiceContext<z.infer<z.ZodObject<S>>>> {
  const baseSchema = z.object({
    ...commonEnv,
    HEALTH_HOST: z.string().default('127.0.0.1'),
    HEALTH_PORT: portEnv(options.defaultHealthPort),
  });
  // One parse of the whole schema, so every problem is listed at once.
  const schema = baseSchema.extend(options.env ?? {});
  let config: z.infer<typeof baseSchema> & z.infer<z.ZodObject<S>>;
  try {
    config = parseEnv(schema, options.source ?? process.env) as typeof config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${options.service}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const logger = createLogger({ service: options.service, level: config.LOG_LEVEL });
  const shutdown = createShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  handleProcessSignals(shutdown, logger);

  const handle = createDb({
    url: config.DATABASE_URL,
    applicationName: options.service,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  shutdown.register({ name: 'postgres', close: () => handle.close() });
  const redis = createRedisConnection(config.REDIS_URL, 'worker');
  shutdown.register({ name: 'redis', close: () => void redis.disconnect() });

  try {
    await Promise.all([pingDb(handle), pingRedis(redis).then(() => assertNoEviction(redis))]);
  } catch (err) {
    logger.fatal({ err }, 'startup.dependency_unavailable');
    await shutdown.run('startup failed', 1);
  }

  const health = await startHealthServer({
    host: config.HEALTH_HOST,
    port: config.HEALTH_PORT,
    service: options.service,
    checks: [
      { name: 'postgres', check: () => pingDb(handle) },
      { name: 'redis', check: () => pingRedis(redis) },
    ],
  });
  shutdown.register({ name: 'health', close: () => health.close() });
  logger.info({ healthPort: health.port, queuePrefix: config.QUEUE_PREFIX }, 'service.started');

  return { config: config as never, logger, shutdown, handle, redis };
}
