// The floor of the inbound path, for `npm run bench:inbound:floor`: started in place of the router,
// it consumes the same `inbound` jobs and does only what any routing must do with a stored mail,
// with the router's own code for each step: read the batch's stored mails (findRawInbounds), parse
// each (parseMail, the router's mailparser options), and record an outcome for the batch in one
// statement (markRawInbounds, relaxed commit, as routing-effects.ts does). No lookups, no thread, no
// message, no followers' mails. What the benchmark measures with it is what the architecture (SMTP
// ingress, PostgreSQL before 250, BullMQ, a separate router process) costs before any routing.
// Not a service: it lives here so that no production code has a mode that routes nothing.

import { findRawInbound, findRawInbounds, markRawInbounds } from '@sotamail/db';
import { parseMail } from '@sotamail/inbound-routing';
import { bootWorkerService } from '@sotamail/lifecycle';
import { createWorker } from '@sotamail/queues';
import { routerEnv } from '../apps/router/src/config.js';

// The router's own settings (ROUTER_CONCURRENCY, JOB_LOCK_MS and their defaults).
const { config, logger, shutdown, handle, redis } = await bootWorkerService({
  service: 'inbound-floor',
  defaultHealthPort: 8082,
  env: routerEnv,
});

async function floorRoute(tenantId: string, ids: readonly string[]): Promise<number> {
  const rows = await findRawInbounds(handle.db, tenantId, ids);
  const marks = [];
  for (const row of rows) {
    if (row.state !== 'received') {
      continue;
    }
    // A mail over the batch's inline size is read on its own, as the router reads it.
    const raw = row.raw ?? (await findRawInbound(handle.db, tenantId, row.id))?.raw;
    if (!raw) {
      continue;
    }
    let action = 'parsed';
    try {
      await parseMail(raw);
    } catch {
      action = 'unparsable';
    }
    marks.push({ id: row.id, state: 'routed' as const, decision: { action, reasons: ['floor run'] } });
  }
  await markRawInbounds(handle.db, marks, { relaxedCommit: true });
  return marks.length;
}

const worker = createWorker({
  queue: 'inbound',
  connection: redis,
  prefix: config.QUEUE_PREFIX,
  logger,
  concurrency: config.ROUTER_CONCURRENCY,
  workerOptions: {
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 5,
  },
  handlers: {
    'route-inbound': async (payload) => ({
      routed: await floorRoute(payload.tenantId, [payload.rawInboundId]),
    }),
    'route-inbound-batch': async (payload) => ({
      routed: await floorRoute(payload.tenantId, payload.rawInboundIds),
    }),
  },
});
shutdown.register({ name: 'inbound-worker', close: () => worker.close() });
