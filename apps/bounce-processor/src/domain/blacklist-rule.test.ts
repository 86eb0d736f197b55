import { describe, expect, it } from 'vitest';
import {
  type BlacklistParams,
  blacklistParams,
  blacklistVerdict,
  type CountableBounce,
  defaultBlacklistParams,
} from './blacklist-rule.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600 * 1000);
const bounce = (ago: number, hard = true): CountableBounce => ({
  occurredAt: daysAgo(ago),
  hard,
  statusCode: hard ? '5.1.1' : '4.2.2',
  reason: hard ? 'userunknown' : 'mailboxfull',
  diagnostic: hard ? '550 5.1.1 user unknown' : null,
});

type Row = [
  string,
  CountableBounce[],
  { lastSuccessAt?: Date; lastRemovedAt?: Date; params?: BlacklistParams },
  boolean,
  number,
];

describe('blacklistVerdict (R10.3), with the clock passed in', () => {
  it.each<Row>([
    ['no bounces', [], {}, false, 0],
    ['4 bounces over 20 days: one short', [0, 5, 10, 20].map((d) => bounce(d)), {}, false, 4],
    [
      '5 bounces within 3 days: one bad spell, not a dead address',
      [0, 0.5, 1, 2, 3].map((d) => bounce(d)),
      {},
      false,
      5,
    ],
    ['5 bounces spread over 8 days', [0, 2, 4, 6, 8].map((d) => bounce(d)), {}, true, 5],
    ['exactly the minimum spread counts', [0, 1, 2, 3, 7].map((d) => bounce(d)), {}, true, 5],
    ['bounces older than a month do not count', [0, 2, 4, 31, 40].map((d) => bounce(d)), {}, false, 3],
    [
      'a bounce in the future (clock skew) does not count',
      [-1, 2, 4, 6, 8].map((d) => bounce(d)),
      {},
      false,
      4,
    ],
    [
      'soft bounces followed by a successful delivery do not count',
      [bounce(0), bounce(2), bounce(4, false), bounce(6, false), bounce(8)],
      { lastSuccessAt: daysAgo(3) },
      false,
      3,
    ],
    [
      'hard bounces count even after a success',
      [0, 2, 4, 6, 8].map((d) => bounce(d)),
      { lastSuccessAt: daysAgo(1) },
      true,
      5,
    ],
    [
      'soft bounces after the last success count',
      [0, 2, 4, 6, 8].map((d) => bounce(d, false)),
      { lastSuccessAt: daysAgo(9) },
      true,
      5,
    ],
    [
      'after an admin removed the address, only later bounces count',
      [0, 2, 4, 6, 8].map((d) => bounce(d)),
      { lastRemovedAt: daysAgo(5) },
      false,
      3,
    ],
    [
      'the numbers are parameters',
      [0, 1, 2].map((d) => bounce(d)),
      { params: { count: 3, periodDays: 10, minSpanDays: 2 } },
      true,
      3,
    ],
  ])('%s', (_, bounces, extra, expected, counted) => {
    const verdict = blacklistVerdict({
      email: 'mary@customer.test',
      bounces,
      lastSuccessAt: extra.lastSuccessAt ?? null,
      lastRemovedAt: extra.lastRemovedAt ?? null,
      now: NOW,
      params: extra.params ?? defaultBlacklistParams,
    });
    expect(verdict.blacklist).toBe(expected);
    expect(verdict.counted).toHaveLength(counted);
  });

  it('says why and lists the bounces, oldest first', () => {
    const verdict = blacklistVerdict({
      email: 'mary@customer.test',
      bounces: [8, 0, 6, 2, 4].map((d) => bounce(d)),
      lastSuccessAt: null,
      lastRemovedAt: null,
      now: NOW,
      params: defaultBlacklistParams,
    });
    const lines = verdict.why.split('\n');
    expect(lines[0]).toBe(
      'Blacklisted automatically (R10.3): mary@customer.test bounced 5 times within the last 30 days, ' +
        'spread over 8 days (the rule: 5 bounces over at least 7 days).',
    );
    expect(lines.slice(2)).toEqual(
      [8, 6, 4, 2, 0].map(
        (d) => `- ${daysAgo(d).toISOString()} hard userunknown 5.1.1: 550 5.1.1 user unknown`,
      ),
    );
  });

  it('says why not', () => {
    const verdict = blacklistVerdict({
      email: 'x@y.test',
      bounces: [0, 1, 2, 3, 3.5].map((d) => bounce(d)),
      lastSuccessAt: null,
      lastRemovedAt: null,
      now: NOW,
      params: defaultBlacklistParams,
    });
    expect(verdict.why).toBe('5 bounces within the last 30 days, but spread over 3.5 days only (7 needed)');
  });
});

describe('blacklistParams', () => {
  it.each<[Record<string, string>, BlacklistParams]>([
    [{}, { count: 5, periodDays: 30, minSpanDays: 7 }],
    [
      {
        'mail.bounce.blacklist.count': '3',
        'mail.bounce.blacklist.period_days': '60',
        'mail.bounce.blacklist.min_span_days': '0',
      },
      { count: 3, periodDays: 60, minSpanDays: 0 },
    ],
    [
      {
        'mail.bounce.blacklist.count': '0',
        'mail.bounce.blacklist.period_days': 'soon',
        'mail.bounce.blacklist.min_span_days': '-1',
      },
      { count: 5, periodDays: 30, minSpanDays: 7 },
    ],
  ])('%j', (params, expected) => {
    expect(blacklistParams(params)).toEqual(expected);
  });
});
