import {
  CheckBlacklistSchema,
  FetchMailboxSchema,
  ProcessBounceSchema,
  RouteInboundBatchSchema,
  RouteInboundSchema,
  SendMailBatchSchema,
  SendMailSchema,
  SendNoticeSchema,
  ThreadCreatedSchema,
} from '@sotamail/types';
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';

/**
 * Every queue and the jobs it carries. Transactional and mass mail have their own queues from the
 * start (R5.1), so a large mailing can never sit in front of a notification.
 */
export const queueNames = {
  fetch: 'fetch',
  inbound: 'inbound',
  outbound: 'outbound',
  mass: 'mass',
  bounce: 'bounce',
  events: 'events',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

// Retries: exponential from 10 s gives 10 s, 20 s, 40 s … 640 s; eight attempts span about 21
// minutes (± jitter), long enough to ride out a restart of Redis, PostgreSQL or a mail server.
const retried: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 10_000, jitter: 0.3 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  // Failed jobs stay visible in the dashboard for a week.
  removeOnFail: { age: 7 * 24 * 3600 },
};

type JobDefinition = { queue: QueueName; schema: z.ZodType; options: JobsOptions };

export const jobCatalog = {
  'fetch-mailbox': {
    queue: queueNames.fetch,
    schema: FetchMailboxSchema,
    options: { ...retried, attempts: 1 },
  },
  'route-inbound': { queue: queueNames.inbound, schema: RouteInboundSchema, options: retried },
  'route-inbound-batch': { queue: queueNames.inbound, schema: RouteInboundBatchSchema, options: retried },
  'send-mail': { queue: queueNames.outbound, schema: SendMailSchema, options: retried },
  'send-mass-mail': { queue: queueNames.mass, schema: SendMailSchema, options: retried },
  'send-mail-batch': { queue: queueNames.outbound, schema: SendMailBatchSchema, options: retried },
  'send-mass-mail-batch': { queue: queueNames.mass, schema: SendMailBatchSchema, options: retried },
  'send-notice': { queue: queueNames.outbound, schema: SendNoticeSchema, options: retried },
  'process-bounce': { queue: queueNames.bounce, schema: ProcessBounceSchema, options: retried },
  'check-blacklist': { queue: queueNames.bounce, schema: CheckBlacklistSchema, options: retried },
  'thread-created': { queue: queueNames.events, schema: ThreadCreatedSchema, options: retried },
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['schema']>;
export type JobsOfQueue<Q extends QueueName> = {
  [N in JobName]: (typeof jobCatalog)[N]['queue'] extends Q ? N : never;
}[JobName];
