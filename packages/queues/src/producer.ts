import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type JobName, type JobPayload, jobCatalog, type QueueName, queueNames } from './catalog.js';
import { PermanentError } from './errors.js';

export type Producer = {
  enqueue: <N extends JobName>(name: N, payload: JobPayload<N>, options?: JobsOptions) => Promise<string>;
  /** Many jobs of one kind in one round trip, each under the id of what it is about. */
  enqueueBulk: <N extends JobName>(
    name: N,
    jobs: readonly { payload: JobPayload<N>; jobId: string }[],
  ) => Promise<void>;
  queues: Map<QueueName, Queue>;
  /** The producer's own connection and key prefix, for the little bookkeeping beside the queues. */
  connection: Redis;
  prefix: string;
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
  const validated = <N extends JobName>(name: N, payload: JobPayload<N>) => {
    const definition = jobCatalog[name];
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) {
      throw new PermanentError('JOB_PAYLOAD_INVALID', `invalid ${name} payload: ${parsed.error.message}`);
    }
    const queue = queues.get(definition.queue);
    if (!queue) {
      throw new Error(`no queue ${definition.queue}`);
    }
    return { queue, data: parsed.data, options: definition.options };
  };
  return {
    queues,
    connection,
    prefix,
    async enqueue(name, payload, options) {
      const { queue, data, options: defaults } = validated(name, payload);
      const job = await queue.add(name, data, { ...defaults, ...options });
      return job.id ?? '';
    },
    async enqueueBulk(name, jobs) {
      const first = jobs[0];
      if (!first) {
        return;
      }
      const { queue } = validated(name, first.payload);
      await queue.addBulk(
        jobs.map((j) => {
          const { data, options } = validated(name, j.payload);
          return { name, data, opts: { ...options, jobId: j.jobId } };
        }),
      );
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

/**
 * Queues the sending of one outgoing mail on its lane; the job id is the mail id. With `sentRecord`
 * the job only records a send that went out but could not be recorded (it never sends again).
 */
export function enqueueSendMail(
  producer: Producer,
  mail: { id: string; tenantId: string; lane: 'transactional' | 'mass' },
  options?: JobsOptions,
  sentRecord?: SendMailPayload['sentRecord'],
): Promise<void> {
  const name = mail.lane === 'mass' ? 'send-mass-mail' : 'send-mail';
  const payload: SendMailPayload = {
    tenantId: mail.tenantId,
    outgoingMailId: mail.id,
    ...(sentRecord ? { sentRecord } : {}),
  };
  return enqueueOnce(producer, name, payload, mail.id, options);
}

type SendMailPayload = JobPayload<'send-mail'>;

/** Recipients per batch job: big enough to spare the queue, small enough that a batch finishes in seconds. */
export const sendBatchSize = 50;

/**
 * Queues the mails of one posted message as batch jobs of up to `sendBatchSize` mails, in one round
 * trip. Each job's id is derived from its first mail, so queueing the same mails again while the
 * job exists is a no-op. A mail sent by a batch is not claimable again, so a mail that also gets a
 * job of its own (a retry, the release loop) is still sent once.
 */
export async function enqueueSendBatches(
  producer: Producer,
  mails: { tenantId: string; lane: 'transactional' | 'mass'; ids: readonly string[] },
): Promise<void> {
  if (mails.ids.length === 0) {
    return;
  }
  const name = mails.lane === 'mass' ? 'send-mass-mail-batch' : 'send-mail-batch';
  const definition = jobCatalog[name];
  const queue = producer.queues.get(definition.queue);
  if (!queue) {
    throw new Error(`no queue ${definition.queue}`);
  }
  const rank = await fairRank(producer, mails.tenantId, Math.ceil(mails.ids.length / sendBatchSize));
  const jobs = [];
  for (let i = 0; i < mails.ids.length; i += sendBatchSize) {
    const ids = mails.ids.slice(i, i + sendBatchSize);
    const parsed = definition.schema.safeParse({ tenantId: mails.tenantId, outgoingMailIds: ids });
    if (!parsed.success) {
      throw new PermanentError('JOB_PAYLOAD_INVALID', `invalid ${name} payload: ${parsed.error.message}`);
    }
    jobs.push({
      name,
      data: parsed.data,
      opts: { ...definition.options, jobId: `batch-${ids[0]}`, priority: rank(jobs.length) },
    });
  }
  if (jobs.length > 0) {
    await queue.addBulk(jobs);
  }
}

// BullMQ's largest priority (2^21 - 1).
const lowestPriority = 2_097_151;

/**
 * Fairness between databases on one queue: the more batches a database queued this minute, the
 * lower its next ones rank (BullMQ serves smaller priority numbers first, in order within one
 * number). A database posting to thousands of followers cannot hold back another's single
 * notification by more than the batches that share its rank. Within a minute a database's mail keeps
 * its order. Returns the priority of the n-th batch of this call.
 */
async function fairRank(
  producer: Producer,
  tenantId: string,
  batches: number,
): Promise<(n: number) => number> {
  const key = `${producer.prefix}:fair:${tenantId}:${Math.floor(Date.now() / 60_000)}`;
  const [[, queued]] = (await producer.connection
    .multi()
    .incrby(key, batches)
    .pexpire(key, 120_000)
    .exec()) as [[Error | null, number]];
  const before = queued - batches;
  // Four batches (200 mails) a minute rank first; each further four rank one lower.
  return (n) => Math.min(1 + Math.floor((before + n) / 4), lowestPriority);
}
