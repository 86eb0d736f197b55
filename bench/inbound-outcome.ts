import type { TestDatabase } from '@sotamail/test-support';
import type { BenchMail } from './inbound-mail-mix.js';

/**
 * What the router did with each mail, against what the mix says it must do: a fast run that lost,
 * failed or misrouted mail is no result, so the benchmark fails then.
 */
export async function checkOutcome(
  db: TestDatabase,
  tenantIds: string[],
  mails: BenchMail[],
): Promise<{ ok: boolean; summary: string; problem: string }> {
  const { rows } = await db.pool.query<{
    message_id: string | null;
    action: string | null;
    state: string;
    error: string | null;
  }>(
    `select decision->>'messageId' as message_id, decision->>'action' as action, state, error
       from raw_inbound_messages where tenant_id = any($1::uuid[])`,
    [tenantIds],
  );
  const byMessageId = new Map(rows.map((r) => [(r.message_id ?? '').toLowerCase(), r]));
  const actions = new Map<string, number>();
  for (const r of rows) {
    const key = r.state === 'failed' ? `failed (${r.error})` : (r.action ?? r.state);
    actions.set(key, (actions.get(key) ?? 0) + 1);
  }
  const wrong: string[] = [];
  for (const mail of mails) {
    const row = byMessageId.get(mail.messageId.toLowerCase());
    if (row?.action !== mail.expected) {
      wrong.push(
        `${mail.kind} <${mail.messageId}>: expected ${mail.expected}, got ${row?.action ?? row?.state ?? 'nothing stored'}`,
      );
    }
  }
  const { rows: made } = await db.pool.query<{ threads: string; messages: string; mails: string }>(
    `select (select count(*) from threads where tenant_id = any($1::uuid[]) and created_by_alias_id is not null) as threads,
            (select count(*) from messages where tenant_id = any($1::uuid[]) and raw_inbound_id is not null) as messages,
            (select count(*) from outgoing_mails where tenant_id = any($1::uuid[])) as mails`,
    [tenantIds],
  );
  const summary =
    `  decisions: ${[...actions].map(([k, n]) => `${k} ${n}`).join(', ')}; as expected ${mails.length - wrong.length}/${mails.length}\n` +
    `  made: ${made[0]?.threads} records by alias, ${made[0]?.messages} messages in threads, ${made[0]?.mails} follower notifications queued`;
  const failed = rows.filter((r) => r.state === 'failed' || r.state === 'received').length;
  // A few surprises are shown and the run still counts (a routing bug is for the router's tests to
  // pin down); more than 1% means the routing is broken and the speed means nothing.
  const surprises =
    wrong.length > 0
      ? `\n  WARNING: ${wrong.length} not routed as the mix expects, e.g.\n    ${wrong.slice(0, 5).join('\n    ')}`
      : '';
  const problem =
    rows.length !== mails.length
      ? `${rows.length} mails stored for ${mails.length} sent`
      : failed > 0
        ? `${failed} mails failed or were never routed`
        : `${wrong.length} mails were not routed as expected${surprises}`;
  return {
    ok: rows.length === mails.length && failed === 0 && wrong.length <= mails.length / 100,
    summary: summary + surprises,
    problem,
  };
}

/**
 * The floor run's outcome (inbound-floor-router.ts): every mail stored, parsed and marked, none lost
 * and none left waiting, so its speed is that of a run that did the whole of that work.
 */
export async function checkFloorOutcome(
  db: TestDatabase,
  tenantIds: string[],
  expected: number,
): Promise<{ ok: boolean; summary: string; problem: string }> {
  const { rows } = await db.pool.query<{ outcome: string; n: string }>(
    `select state || coalesce(' ' || (decision->>'action'), '') as outcome, count(*) as n
       from raw_inbound_messages where tenant_id = any($1::uuid[]) group by 1 order by 2 desc`,
    [tenantIds],
  );
  const outcomes = rows.map((r) => `${r.outcome} ${r.n}`).join(', ');
  const marked = rows.filter((r) => r.outcome.startsWith('routed ')).reduce((n, r) => n + Number(r.n), 0);
  const ok = marked === expected;
  return {
    ok,
    summary: `  floor outcomes: ${outcomes}`,
    problem: ok ? '' : `${marked} of ${expected} mails were stored and marked (${outcomes})`,
  };
}
