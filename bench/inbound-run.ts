import type { TestDatabase } from '@sotamail/test-support';
import type { BenchMail } from './inbound-mail-mix.js';
import { sendAll, wireMail } from './smtp-load.js';

export type RouterSettings = {
  /** Fail when nothing was routed for this long (a stuck service), rather than wait forever. */
  stallMs: number;
  progressEveryMs: number;
};

type Progress = { stored: number; done: number };

/**
 * Stored mail still waiting to be routed. Read through the (tenant, state) index, but every mail
 * routed leaves a dead entry there until vacuum, so each count costs more as the run goes on (about
 * 4 ms near the end of a 5,000-mail run): it is asked only every two seconds, and when the queue says
 * the run may be over, never in a tight loop on the database being measured.
 */
async function waitingOf(db: TestDatabase, tenantIds: string[]): Promise<number> {
  const { rows } = await db.pool.query<{ waiting: string }>(
    `select count(*) as waiting from raw_inbound_messages
      where tenant_id = any($1::uuid[]) and state = 'received'`,
    [tenantIds],
  );
  return Number(rows[0]?.waiting ?? 0);
}

/** Routing jobs not yet finished: a few counters in Redis, cheap enough to read every 50 ms. */
export type UnfinishedJobs = () => Promise<number>;

/**
 * Sends every mail through the SMTP ingress with `clients` concurrent connections and waits until the
 * router has processed them all (no stored mail left `received`). The clock runs from the first
 * MAIL FROM to the moment the queue held no routing job any more and PostgreSQL then confirmed that
 * every mail was routed.
 */
export async function sendAndWaitRouted(options: {
  db: TestDatabase;
  tenantIds: string[];
  mails: BenchMail[];
  ingressPort: number;
  clients: number;
  settings: RouterSettings;
  unfinishedJobs: UnfinishedJobs;
}): Promise<{ seconds: number; summary: string }> {
  const { db, tenantIds, mails, clients, settings, unfinishedJobs } = options;
  // On the wire before the clock starts: preparing them is the senders' work, not the system's.
  const wire = mails.map((m) => wireMail(m.raw, m.envelopeFrom, m.envelopeTo, m.kind));
  const started = performance.now();
  let sentAt = 0;
  let sendFailure: Error | null = null;
  // Every mail the ingress accepted is stored: it answers 250 only after the commit.
  const sent = { accepted: 0 };
  const sending = sendAll(options.ingressPort, wire, clients, sent).then(
    () => {
      sentAt = performance.now();
    },
    (err: Error) => {
      sendFailure = new Error(`the ingress refused a mail: ${err.message}`);
    },
  );

  let last: Progress = { stored: 0, done: 0 };
  let lastChange = Date.now();
  let lastCount = 0;
  let lastReport = Date.now();
  const count = async () => {
    lastCount = Date.now();
    const stored = sent.accepted;
    const now = { stored, done: Math.max(0, stored - (await waitingOf(db, tenantIds))) };
    if (now.done !== last.done || now.stored !== last.stored) {
      lastChange = Date.now();
    }
    last = now;
  };
  while (last.done < mails.length) {
    if (sendFailure) {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
    // A batch reaches the queue up to the fetcher's window after its mails' 250: an empty queue
    // right after the last one is not the end, which the count then shows.
    const mayBeDone = sent.accepted === mails.length && (await unfinishedJobs()) === 0;
    if (mayBeDone || Date.now() - lastCount >= 2_000) {
      await count();
    }
    if (Date.now() - lastReport >= settings.progressEveryMs) {
      lastReport = Date.now();
      process.stdout.write(`  … ${last.stored} stored, ${last.done} routed\n`);
    }
    if (Date.now() - lastChange > settings.stallMs) {
      throw new Error(
        `no progress for ${settings.stallMs / 1000} s: ${last.stored} of ${mails.length} stored, ${last.done} routed`,
      );
    }
  }
  const routedAt = performance.now();
  await sending;
  if (sendFailure) {
    throw sendFailure;
  }
  const seconds = (routedAt - started) / 1000;
  const ingressSeconds = (sentAt - started) / 1000;
  const latency = await latencyOf(db, tenantIds);
  return {
    seconds,
    summary:
      `  ingress: ${mails.length} accepted (250 after commit) in ${ingressSeconds.toFixed(1)} s = ${(mails.length / ingressSeconds).toFixed(1)} msg/s; ` +
      `all routed after ${seconds.toFixed(1)} s\n` +
      `  stored → routed per mail: median ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms`,
  };
}

async function latencyOf(db: TestDatabase, tenantIds: string[]) {
  const { rows } = await db.pool.query<{ p50: number; p95: number; max: number }>(
    `select round(percentile_cont(0.5) within group (order by ms)) as p50,
            round(percentile_cont(0.95) within group (order by ms)) as p95,
            round(max(ms)) as max
       from (select extract(epoch from processed_at - received_at) * 1000 as ms
               from raw_inbound_messages where tenant_id = any($1::uuid[])) t`,
    [tenantIds],
  );
  return { p50: Number(rows[0]?.p50 ?? 0), p95: Number(rows[0]?.p95 ?? 0), max: Number(rows[0]?.max ?? 0) };
}
