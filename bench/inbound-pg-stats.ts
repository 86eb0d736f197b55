import type { TestDatabase } from '@sotamail/test-support';

type Snapshot = {
  commits: number;
  returned: number;
  tables: Map<string, { seqRead: number; idxScans: number }>;
};

/** PostgreSQL's own counters for the benchmark's database: how much work the run asked of it. */
export async function pgSnapshot(db: TestDatabase): Promise<Snapshot> {
  const { rows: database } = await db.pool.query<{ commits: string; returned: string }>(
    'select xact_commit as commits, tup_returned as returned from pg_stat_database where datname = current_database()',
  );
  const { rows: tables } = await db.pool.query<{ name: string; seq_read: string; idx_scans: string }>(
    'select relname as name, coalesce(seq_tup_read, 0) as seq_read, coalesce(idx_scan, 0) as idx_scans from pg_stat_user_tables',
  );
  return {
    commits: Number(database[0]?.commits ?? 0),
    returned: Number(database[0]?.returned ?? 0),
    tables: new Map(
      tables.map((t) => [t.name, { seqRead: Number(t.seq_read), idxScans: Number(t.idx_scans) }]),
    ),
  };
}

/** One line: commits per mail (each statement outside a transaction is one), and the tables read by sequential scans (rows read per mail). */
export function describePgWork(before: Snapshot, after: Snapshot, mails: number): string {
  const scans = [...after.tables]
    .map(([name, t]) => ({ name, rows: t.seqRead - (before.tables.get(name)?.seqRead ?? 0) }))
    .filter((t) => t.rows > 0)
    .sort((a, b) => b.rows - a.rows)
    .slice(0, 3)
    .map((t) => `${t.name} ${(t.rows / mails).toFixed(0)}`);
  return (
    `  PostgreSQL: ${((after.commits - before.commits) / mails).toFixed(1)} commits per mail; ` +
    `rows read by sequential scans per mail: ${scans.join(', ') || 'none'}`
  );
}
