import type { Logger } from '@sotamail/logging';
import { DelayedError, type Job, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { type JobPayload, type JobsOfQueue, jobCatalog, type QueueName } from './catalog.js';
import { PermanentError } from './errors.js';

/** `token` is the worker's lock on the job, needed to move it to delayed (a pause, not a failure). */
export type JobContext = { job: Job; logger: Logger; token: string | undefined };
export type JobHandler<N extends keyof typeof jobCatalog> = (
  payload: JobPayload<N>,
  context: JobContext,
) => Promise<unknown>;
/** One handler per job of the queue: the compiler rejects a missing one. */
export type QueueHandlers<Q extends QueueName> = { [N in JobsOfQueue<Q>]: JobHandler<N> };

export type CreateWorkerOptions<Q extends QueueName> = {
  queue: Q;
  connection: Redis;
  prefix: string;
  logger: Logger;
  handlers: QueueHandlers<Q>;
  concurrency?: number;
  workerOptions?: Partial<WorkerOptions>;
};

/**
 * A BullMQ worker that validates each payload against the catalog, gives the handler a child logger
 * bound to the job, and turns our PermanentError into BullMQ's UnrecoverableError (no retries).
 */
export function createWorker<Q extends QueueName>(options: CreateWorkerOptions<Q>): Worker {
  const handlers = options.handlers as Record<string, JobHandler<never> | undefined>;
  const worker = new Worker(
    options.queue,
    async (job, token) => {
      const logger = options.logger.child({
        queue: options.queue,
        job: job.name,
        jobId: job.id,
        attempt: job.attemptsMade + 1,
      });
      const definition = (jobCatalog as Record<string, { schema: { safeParse: (v: unknown) => unknown } }>)[
        job.name
      ];
      const handler = handlers[job.name];
      if (!definition || !handler) {
        throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${options.queue}"`);
      }
      const parsed = definition.schema.safeParse(job.data) as {
        success: boolean;
        data?: never;
        error?: Error;
      };
      if (!parsed.success) {
        throw new UnrecoverableError(
          `invalid payload for ${job.name}: ${parsed.error?.message ?? 'unknown'}`,
        );
      }
      try {
        return await handler(parsed.data as never, {
          job,
          token,
          logger: logger.child({ tenantId: job.data?.tenantId }),
        });
      } catch (err) {
        if (err instanceof PermanentError) {
          logger.warn({ err, code: err.code }, 'job.permanent_failure');
          throw new UnrecoverableError(`${err.code}: ${err.message}`);
        }
        if (err instanceof DelayedError) {
          throw err;
        }
        logger.warn({ err }, 'job.transient_failure');
        throw err;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 1,
      ...options.workerOptions,
    },
  );
  worker.on('error', (err) => options.logger.error({ err, queue: options.queue }, 'worker.error'));
  return worker;
}

/** Whether a failed job is done for good (a permanent error, or its last attempt), not to be retried. */
export function failedForGood(
  job: { attemptsMade: number; opts: { attempts?: number } },
  err: Error,
): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}
