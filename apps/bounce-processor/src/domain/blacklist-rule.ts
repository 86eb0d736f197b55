export type BlacklistParams = { count: number; periodDays: number; minSpanDays: number };

export const blacklistParamKeys = {
  count: 'mail.bounce.blacklist.count',
  periodDays: 'mail.bounce.blacklist.period_days',
  minSpanDays: 'mail.bounce.blacklist.min_span_days',
} as const;

/** R10.3's numbers: 5 bounces within 30 days, the first and the last at least 7 days apart. */
export const defaultBlacklistParams: BlacklistParams = { count: 5, periodDays: 30, minSpanDays: 7 };

/**
 * The rule's parameters of a database. The API validates them when they are set; a value that is
 * missing or unreadable anyway (set before validation existed) falls back to the default rather than
 * disabling the rule.
 */
export function blacklistParams(params: Readonly<Record<string, string | undefined>>): BlacklistParams {
  const read = (key: keyof BlacklistParams, min: number) => {
    const value = params[blacklistParamKeys[key]]?.trim() ?? '';
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min ? n : defaultBlacklistParams[key];
  };
  return { count: read('count', 1), periodDays: read('periodDays', 1), minSpanDays: read('minSpanDays', 0) };
}

export type CountableBounce = {
  occurredAt: Date;
  hard: boolean;
  statusCode: string | null;
  reason: string;
  diagnostic: string | null;
};

export type BlacklistInput = {
  email: string;
  /** The address's linked bounces (outcome `bounced`), any age: the rule picks the ones that count. */
  bounces: readonly CountableBounce[];
  /** The last mail to the address that was delivered: soft bounces before it do not count. */
  lastSuccessAt: Date | null;
  /** When an admin last took the address off the list: only later bounces may put it back. */
  lastRemovedAt: Date | null;
  now: Date;
  params: BlacklistParams;
};

export type BlacklistVerdict = { blacklist: boolean; counted: CountableBounce[]; why: string };

const DAY_MS = 24 * 3600 * 1000;
const days = (ms: number) => (ms / DAY_MS).toFixed(1).replace(/\.0$/, '');

/**
 * R10.3: an address that bounced `count` times within the last `periodDays`, its first and last
 * counted bounce at least `minSpanDays` apart, is blacklisted for mass mailing. The spread keeps one
 * bad day (a full mailbox, a server down for a night) from blacklisting a good address. A soft bounce
 * followed by a successful delivery proved temporary and does not count. Pure, with the clock passed in.
 */
export function blacklistVerdict(input: BlacklistInput): BlacklistVerdict {
  const { params, now } = input;
  const since = Math.max(now.getTime() - params.periodDays * DAY_MS, input.lastRemovedAt?.getTime() ?? 0);
  const counted = input.bounces
    .filter((b) => b.occurredAt.getTime() > since && b.occurredAt.getTime() <= now.getTime())
    .filter((b) => b.hard || input.lastSuccessAt === null || b.occurredAt > input.lastSuccessAt)
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const first = counted[0];
  const last = counted[counted.length - 1];
  const window = `within the last ${params.periodDays} days`;
  if (!first || !last || counted.length < params.count) {
    return { blacklist: false, counted, why: `${counted.length} of ${params.count} bounces ${window}` };
  }
  const spanMs = last.occurredAt.getTime() - first.occurredAt.getTime();
  if (spanMs < params.minSpanDays * DAY_MS) {
    return {
      blacklist: false,
      counted,
      why: `${counted.length} bounces ${window}, but spread over ${days(spanMs)} days only (${params.minSpanDays} needed)`,
    };
  }
  const lines = counted.map(
    (b) =>
      `- ${b.occurredAt.toISOString()} ${b.hard ? 'hard' : 'soft'} ${b.reason}${b.statusCode ? ` ${b.statusCode}` : ''}${
        b.diagnostic ? `: ${b.diagnostic}` : ''
      }`,
  );
  const why =
    `Blacklisted automatically (R10.3): ${input.email} bounced ${counted.length} times ${window}, ` +
    `spread over ${days(spanMs)} days (the rule: ${params.count} bounces over at least ${params.minSpanDays} days).`;
  return { blacklist: true, counted, why: [why, 'Bounces:', ...lines].join('\n') };
}
