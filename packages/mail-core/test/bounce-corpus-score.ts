import type { BounceReport } from '../src/bounce/bounce-report.js';
import { stripMessageId } from '../src/message-id.js';

/** One entry of the corpus's expected.json (Sisimai's reading of a mail). */
export type ExpectedEntry = {
  file: string;
  kind: 'bounce' | 'feedback_report_arf' | 'auto_reply' | 'delivery_success_dsn' | 'not_bounce';
  recipients: {
    address: string | null;
    status: string | null;
    statusIsPseudo: boolean;
    reason: string;
    hard: boolean;
    action: string | null;
  }[];
  originalMessageId: string | null;
};

export const FIELDS = ['kind', 'recipient', 'hard', 'reason', 'status', 'originalMessageId'] as const;
export type Field = (typeof FIELDS)[number];
export type Tally = Record<Field, { agree: number; total: number; misses: string[] }>;

export const NOT_BOUNCE_KINDS: ReadonlySet<ExpectedEntry['kind']> = new Set([
  'auto_reply',
  'delivery_success_dsn',
  'not_bounce',
]);

export function emptyTally(): Tally {
  const tally = {} as Tally;
  for (const field of FIELDS) {
    tally[field] = { agree: 0, total: 0, misses: [] };
  }
  return tally;
}

/**
 * Adds one mail's comparison to the tally. Expected recipients are matched to ours by address
 * (case-insensitive), else by position, so one missing recipient costs one recipient and not all.
 */
export function score(tally: Tally, expected: ExpectedEntry, actual: BounceReport | null): void {
  const count = (field: Field, agree: boolean, detail: string) => {
    tally[field].total += 1;
    if (agree) {
      tally[field].agree += 1;
    } else {
      tally[field].misses.push(`${expected.file}: ${detail}`);
    }
  };
  const isBounce = !NOT_BOUNCE_KINDS.has(expected.kind);
  count('kind', isBounce === (actual !== null), `expected ${expected.kind}, read ${actual?.kind ?? 'null'}`);
  if (!isBounce) {
    return;
  }
  const ours = actual?.recipients ?? [];
  expected.recipients.forEach((want, index) => {
    const got =
      ours.find((r) => want.address !== null && r.address?.toLowerCase() === want.address.toLowerCase()) ??
      (ours.length === expected.recipients.length ? ours[index] : undefined);
    const addressOk = (got?.address?.toLowerCase() ?? null) === (want.address?.toLowerCase() ?? null);
    count('recipient', addressOk, `${want.address} read as ${got?.address ?? 'nothing'}`);
    count('hard', got?.hard === want.hard, `${want.address} hard ${want.hard}, read ${got?.hard}`);
    count(
      'reason',
      got?.reason === want.reason,
      `${want.reason} read as ${got?.reason} [${got?.diagnostic?.slice(0, 140)}]`,
    );
    if (want.status !== null) {
      const agree = want.statusIsPseudo
        ? got?.status?.charAt(0) === want.status.charAt(0)
        : got?.status === want.status;
      count(
        'status',
        agree,
        `${want.status}${want.statusIsPseudo ? ' (pseudo)' : ''} read as ${got?.status}`,
      );
    }
  });
  if (expected.originalMessageId !== null) {
    const want = stripMessageId(expected.originalMessageId);
    count(
      'originalMessageId',
      actual?.originalMessageId === want,
      `${want} read as ${actual?.originalMessageId}`,
    );
  }
}

export function rate(tally: Tally, field: Field): number {
  const { agree, total } = tally[field];
  return total === 0 ? 1 : agree / total;
}
