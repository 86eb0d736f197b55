import { jobCatalog } from './catalog.js';
import { PermanentError } from './errors.js';
import type { Producer } from './producer.js';

/** Stored mails per routing job: a batch is read, planned and recorded in a handful of statements. */
export const routeBatchSize = 50;

export type RouteBatcher = {
  /** Queues a committed mail for routing; it leaves in a batch job within the window. */
  add: (tenantId: string, rawInboundId: string) => void;
  /** Queues everything gathered so far and waits for every batch still on its way to Redis. */
  flush: () => Promise<void>;
};

/**
 * Gathers stored mails into `route-inbound-batch` jobs, one per database for every `windowMs` (or
 * every `routeBatchSize` mails), instead of a job per mail: under load the router then reads, plans
 * and records many mails per round trip. Mails are added after their commit, so a batch that cannot be
 * queued (Redis away, the process killed within the window) loses nothing: the router's sweep queues
 * mail still unrouted after a while (requeue-unrouted.ts).
 */
export function createRouteBatcher(
  producer: Producer,
  options: { windowMs: number; onError: (err: unknown, rawInboundIds: string[]) => void },
): RouteBatcher {
  const definition = jobCatalog['route-inbound-batch'];
  const queue = producer.queues.get(definition.queue);
  if (!queue) {
    throw new Error(`no queue ${definition.queue}`);
  }
  const pending = new Map<string, string[]>();
  const sending = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;

  const send = (batches: [string, string[]][]) => {
    const ids = batches.flatMap(([, batch]) => batch);
    const sent: Promise<void> = Promise.resolve()
      .then(() =>
        queue.addBulk(
          batches.map(([tenantId, batch]) => {
            const parsed = definition.schema.safeParse({ tenantId, rawInboundIds: batch });
            if (!parsed.success) {
              throw new PermanentError(
                'JOB_PAYLOAD_INVALID',
                `invalid route-inbound-batch: ${parsed.error.message}`,
              );
            }
            // Derived from its first mail: queueing the same batch again while it waits is a no-op.
            return {
              name: 'route-inbound-batch' as const,
              data: parsed.data,
              opts: { ...definition.options, jobId: `inbound-${batch[0]}` },
            };
          }),
        ),
      )
      .then(
        () => undefined,
        (err: unknown) => options.onError(err, ids),
      )
      .finally(() => sending.delete(sent));
    sending.add(sent);
  };

  const sendAll = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (pending.size > 0) {
      const batches = [...pending];
      pending.clear();
      send(batches);
    }
  };

  return {
    add(tenantId, rawInboundId) {
      const ids = pending.get(tenantId) ?? [];
      ids.push(rawInboundId);
      pending.set(tenantId, ids);
      if (ids.length >= routeBatchSize) {
        pending.delete(tenantId);
        send([[tenantId, ids]]);
      } else if (!timer) {
        timer = setTimeout(sendAll, options.windowMs);
      }
    },
    async flush() {
      sendAll();
      await Promise.all([...sending]);
    },
  };
}
