import { enqueueSendBatches, type Producer } from '@sotamail/queues';

export type CreatedThread = { id: string; model: string; recordId: string; aliasId: string };

/**
 * Queues what a stored message sets off: its followers' mails (R6.1), in batch jobs of one round
 * trip, and, for a record an alias
 * created, the event the ERP consumes. Every job id is derived from what it is about, so running this
 * again (a re-run after a crash) queues nothing twice.
 */
export async function announcePosted(
  producer: Producer,
  posted: { tenantId: string; mailIds: readonly string[]; createdThread: CreatedThread | null },
): Promise<void> {
  await enqueueSendBatches(producer, {
    tenantId: posted.tenantId,
    lane: 'transactional',
    ids: posted.mailIds,
  });
  const thread = posted.createdThread;
  if (thread) {
    await producer.enqueue(
      'thread-created',
      {
        tenantId: posted.tenantId,
        threadId: thread.id,
        model: thread.model,
        recordId: thread.recordId,
        aliasId: thread.aliasId,
      },
      { jobId: `thread-created-${thread.id}` },
    );
  }
}
