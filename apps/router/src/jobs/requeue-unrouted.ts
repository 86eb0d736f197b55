import { type Db, failUnrouted, findUnroutedRaw } from '@sotamail/db';
import type { Producer } from '@sotamail/queues';

/**
 * Queues again stored mail still `received` after a while and older than any waiting job: its job
 * was lost (Redis away when it arrived, the fetcher killed before its batch was queued), or its job completed but the last write of the run did not survive a crash of
 * PostgreSQL (it is committed without waiting for the disk, see route-inbound.ts). A completed job
 * under the mail's id would make the new one a no-op, so it is removed first; a failed job stays,
 * visible in the dashboard, rather than retried forever. A mail still `received` under a failed job
 * is one whose failure could not be written when its job gave up (the database was away too): it is
 * written now, so the mail is listed for re-processing instead of waiting out the job's retention.
 */
export async function requeueUnrouted(
  deps: { db: Db; producer: Producer },
  receivedBefore: Date,
): Promise<number> {
  const queue = deps.producer.queues.get('inbound');
  // Mail in a batch job still waiting, running or due for a retry is late, not lost: only mail
  // received before the oldest of those jobs can have lost its job. (The oldest waiting job is the
  // next one out, the right end of the list.) Queueing the rest again would only lengthen a backlog;
  // when it happens anyway, two runs of one mail are safe (route-inbound.ts).
  const live = [
    ...((await queue?.getJobs(['waiting'], 0, 0, true)) ?? []),
    ...((await queue?.getJobs(['active', 'delayed'], 0, 199, true)) ?? []),
  ];
  const oldestLive = Math.min(...live.map((j) => j.timestamp));
  const cutoff = oldestLive < receivedBefore.getTime() ? new Date(oldestLive - 60_000) : receivedBefore;
  const rows = await findUnroutedRaw(deps.db, cutoff);
  for (const r of rows) {
    const previous = await queue?.getJob(r.id);
    if (previous && (await previous.isFailed())) {
      const attempts = previous.attemptsMade === 1 ? 'once' : `${previous.attemptsMade} times`;
      await failUnrouted(
        deps.db,
        r.tenantId,
        [r.id],
        `routing failed (tried ${attempts}): ${previous.failedReason || 'no reason was recorded'}`,
      );
      continue;
    }
    if (previous && (await previous.isCompleted())) {
      // Another router's sweep may have removed it first.
      await previous.remove().catch(() => {});
    }
    await deps.producer.enqueue(
      'route-inbound',
      { tenantId: r.tenantId, rawInboundId: r.id },
      { jobId: r.id },
    );
  }
  return rows.length;
}
