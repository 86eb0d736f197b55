import { type Db, markRawInbounds, type RawInboundMark } from '@sotamail/db';
import { enqueueSendBatches, type Producer } from '@sotamail/queues';

export type CreatedThread = { id: string; model: string; recordId: string; aliasId: string };

/**
 * What routing a batch of stored mails sets off, held until every mail of the batch is decided:
 * then the followers' mails, new-record events and bounces go to Redis in a few round trips, and the
 * mails are marked in one statement. Each mail keeps the order a lone mail has: it is marked only
 * after its jobs are queued, so a crash in between leaves it `received`, and the re-run finishes it
 * (finish-interrupted.ts). Every job id is derived from what it is about, so a re-run queues nothing
 * twice.
 */
export class RoutingEffects {
  private readonly mailIds: string[] = [];
  private readonly threads: CreatedThread[] = [];
  private readonly bounces: string[] = [];
  private readonly marks: RawInboundMark[] = [];

  /** A stored message's followers' mails (R6.1) and, for a record an alias created, its event. */
  posted(mailIds: readonly string[], createdThread: CreatedThread | null): void {
    this.mailIds.push(...mailIds);
    if (createdThread) {
      this.threads.push(createdThread);
    }
  }

  /** A delivery report for the bounce processor; the stored mail is its payload. */
  bounce(rawInboundId: string): void {
    this.bounces.push(rawInboundId);
  }

  /** The outcome recorded on the stored mail once the jobs above are queued. */
  mark(mark: RawInboundMark): void {
    this.marks.push(mark);
  }

  async flush(deps: { db: Db; producer: Producer }, tenantId: string): Promise<void> {
    await Promise.all([
      enqueueSendBatches(deps.producer, { tenantId, lane: 'transactional', ids: this.mailIds }),
      deps.producer.enqueueBulk(
        'thread-created',
        this.threads.map((t) => ({
          payload: { tenantId, threadId: t.id, model: t.model, recordId: t.recordId, aliasId: t.aliasId },
          jobId: `thread-created-${t.id}`,
        })),
      ),
      deps.producer.enqueueBulk(
        'process-bounce',
        this.bounces.map((id) => ({ payload: { tenantId, rawInboundId: id }, jobId: id })),
      ),
    ]);
    // The last write of a run: nothing after it depends on it, and a re-run redoes it from the stored
    // mail, so its commit need not wait for the disk (see markRawInbounds).
    await markRawInbounds(deps.db, this.marks, { relaxedCommit: true });
  }
}
