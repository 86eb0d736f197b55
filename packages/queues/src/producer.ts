import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type JobName, type JobPayload, jobCatalog, type QueueName, queueNames } from './catalog.js';
import { PermanentError } from './errors.js';

export type Producer = {
  enqueue: <N extends JobName>(name: N, payload: JobPayload<N>, options?: JobsOptions) => Promise<string>;
  queues: Map<QueueName, Queue>;
  close: () => Promise<void>;
};

/**
 * Typed enqueue: the payload is validated against the catalog before it reaches Redis, so a
 * malformed job never exists.
 */
export function createProducer(connection: Redis, prefix: string): Producer {
  const queues = new Map<QueueName, Queue>();
  for (const name of Object.values(queueNames)) {
    queues.set(name, new Queue(name, { connection, prefix }));
  }
  return {
    queues,
    async enqueue(name, payload, options) {
      const definition = jobCatalog[name];
      const parsed = definition.schema.safeParse(payload);
      if (!parsed.success) {
        throw new PermanentError('JOB_PAYLOAD_INVALID', `invalid ${name} payload: ${parsed.error.message}`);
      }
      const queue = queues.get(definition.queue);
      if (!queue) {
        throw new Error(`no queue ${definition.queue}`);
      }
      const job = await queue.add(name, parsed.data, { ...definition.options, ...options });
      return job.id ?? '';
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

/**
 * Queues a job whose id is the id of the thing it works on (a mail, a stored message), so that thing
 * has at most one job: enqueueing again while one waits is a no-op, and a finished job is removed
 * first so that work put back (a window opened, a retry asked) gets a new one.
 */
export async function enqueueOnce<N extends JobName>(
  producer: Producer,
  name: N,
  payload: JobPayload<N>,
  jobId: string,
  options?: JobsOptions,
): Promise<void> {
  const queue = producer.queues.get(jobCatalog[name].queue);
  const previous = await queue?.getJob(jobId);
  if (previous && ((await previous.isCompleted()) || (await previous.isFailed()))) {
    await previous.remove().catch(() => {});
  }
  await producer.enqueue(name, payload, { jobId, ...options });
}

/** Queues the sending of one outgoing mail on its lane; the job id is the mail id. */
export function enqueueSendMail(
  producer: Producer,
  mail: { id: string; tenantId: string; lane: 'transactional' | 'mass' },
  options?: JobsOptions,
): Promise<void> {
  const name = mail.lane === 'mass' ? 'send-mass-mail' : 'send-mail';
  return enqueueOnce(producer, name, { tenantId: mail.tenantId, outgoingMailId: mail.id }, mail.id, options);
}
