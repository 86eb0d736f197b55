import { type Db, findUnroutedRaw } from '@sotamail/db';
import type { Producer } from '@sotamail/queues';

/**
 * Queues again stored mail still `received` after a while: its job was lost (Redis away when it
 * arrived), or its job completed but the last write of the run did not survive a crash of
 * PostgreSQL (it is committed without waiting for the disk, see route-inbound.ts). A completed job
 * under the mail's id would make the new one a no-op, so it is removed first; a failed job stays,
 * visible in the dashboard, rather than retried forever.
 */
export async function requeueUnrouted(
  deps: { db: Db; producer: Producer },
  receivedBefore: Date,
): Promise<number> {
  const rows = await findUnroutedRaw(deps.db, receivedBefore);
  const queue = deps.producer.queues.get('inbound');
  for (const r of rows) {
    const previous = await queue?.getJob(r.id);
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
