import { type Db, failUnrouted } from '@sotamail/db';
import { failedForGood } from '@sotamail/queues';

type FailedJob = {
  name: string;
  data: { tenantId?: string; rawInboundId?: string; rawInboundIds?: string[] };
  attemptsMade: number;
  opts: { attempts?: number };
};

/**
 * A routing job that failed for good (its last attempt, or a permanent error) leaves its mails
 * `failed` with the reason instead of `received` forever: the admin sees them
 * (`GET …/inbound?state=failed`) and can re-process them, and the sweep stops picking them up.
 * Returns how many mails the job named (0 for a job that will be retried).
 */
export async function recordRoutingFailure(db: Db, job: FailedJob, err: Error): Promise<number> {
  const ids = job.data.rawInboundIds ?? (job.data.rawInboundId ? [job.data.rawInboundId] : []);
  if (!failedForGood(job, err) || !job.data.tenantId || ids.length === 0) {
    return 0;
  }
  const attempts = job.attemptsMade === 1 ? 'once' : `${job.attemptsMade} times`;
  await failUnrouted(db, job.data.tenantId, ids, `routing failed (tried ${attempts}): ${err.message}`);
  return ids.length;
}
