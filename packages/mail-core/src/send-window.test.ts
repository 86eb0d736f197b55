import { describe, expect, it } from 'vitest';
import { nextUtcWindow, type RetryDelayOptions, retryDelayMs, utcDay } from './send-window.js';

describe('utcDay', () => {
  it.each([
    ['2025-03-14T00:00:00.000Z', '2025-03-14'],
    ['2025-03-14T23:59:59.999Z', '2025-03-14'],
    // The UTC day, whatever the offset the time was written with.
    ['2025-03-14T23:30:00-02:00', '2025-03-15'],
    ['2025-03-15T00:30:00+02:00', '2025-03-14'],
    ['2024-02-29T12:00:00Z', '2024-02-29'],
    ['1999-12-31T23:59:59.999Z', '1999-12-31'],
  ])('%s → %s', (iso, day) => {
    expect(utcDay(new Date(iso))).toBe(day);
  });

  it('throws a RangeError for an invalid date', () => {
    expect(() => utcDay(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('nextUtcWindow', () => {
  it.each([
    ['2025-03-14T10:20:30.400Z', '2025-03-15T00:00:00.000Z'],
    ['2025-03-14T23:59:59.999Z', '2025-03-15T00:00:00.000Z'],
    // At midnight exactly, that day's window is the one that is full: the next one is a day later.
    ['2025-03-14T00:00:00.000Z', '2025-03-15T00:00:00.000Z'],
    // Ends of month and year, leap day.
    ['2025-01-31T12:00:00Z', '2025-02-01T00:00:00.000Z'],
    ['2024-02-28T12:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2025-02-28T12:00:00Z', '2025-03-01T00:00:00.000Z'],
    ['2025-12-31T23:00:00Z', '2026-01-01T00:00:00.000Z'],
    // Local offsets do not matter: 23:30 at -02:00 is already 01:30 UTC the next day.
    ['2025-03-14T23:30:00-02:00', '2025-03-16T00:00:00.000Z'],
    // No daylight-saving surprises: UTC has none (Europe switched on this night).
    ['2025-03-30T00:30:00Z', '2025-03-31T00:00:00.000Z'],
  ])('%s → %s', (iso, next) => {
    expect(nextUtcWindow(new Date(iso)).toISOString()).toBe(next);
  });

  it('opens the window of the next utcDay', () => {
    const now = new Date('2025-06-30T18:45:00Z');
    expect(utcDay(nextUtcWindow(now))).toBe('2025-07-01');
    expect(nextUtcWindow(now).getTime()).toBeGreaterThan(now.getTime());
  });

  it('gives an invalid date for an invalid date', () => {
    expect(Number.isNaN(nextUtcWindow(new Date(Number.NaN)).getTime())).toBe(true);
  });
});

describe('retryDelayMs', () => {
  const minute: RetryDelayOptions = { baseMs: 60_000, maxMs: 3_600_000, jitter: 0 };
  const half: RetryDelayOptions = { baseMs: 1_000, maxMs: 30_000, jitter: 0.5 };
  const full: RetryDelayOptions = { baseMs: 1_000, maxMs: 30_000, jitter: 1 };

  it.each<[string, number, RetryDelayOptions, number, number]>([
    // [label, attempt, options, random(), delay]
    ['no jitter, retry 1', 1, minute, 0.7, 60_000],
    ['no jitter, retry 2', 2, minute, 0.7, 120_000],
    ['no jitter, retry 3', 3, minute, 0.7, 240_000],
    ['no jitter, retry 6', 6, minute, 0.7, 1_920_000],
    ['no jitter, capped at retry 7', 7, minute, 0.7, 3_600_000],
    ['no jitter, still capped much later', 50, minute, 0.7, 3_600_000],
    ['no overflow after very many retries', 10_000, minute, 0.7, 3_600_000],
    ['half jitter, random 0: the shortest', 1, half, 0, 500],
    ['half jitter, random 0.5', 1, half, 0.5, 750],
    ['half jitter, random just below 1', 1, half, 0.999_999, 999],
    ['half jitter, retry 3, random 0.25', 3, half, 0.25, 2_500],
    ['half jitter, capped', 8, half, 0, 15_000],
    ['full jitter, random 0', 4, full, 0, 0],
    ['full jitter, random 0.5', 4, full, 0.5, 4_000],
    ['whole milliseconds, rounded down', 1, { baseMs: 1_001, maxMs: 30_000, jitter: 0.3 }, 0.5, 850],
    // Out-of-range inputs are clamped.
    ['attempt 0 counts as 1', 0, minute, 0.5, 60_000],
    ['a negative attempt counts as 1', -3, minute, 0.5, 60_000],
    ['a NaN attempt counts as 1', Number.NaN, minute, 0.5, 60_000],
    ['a fractional attempt is rounded down', 2.9, minute, 0.5, 120_000],
    ['jitter above 1 counts as 1', 1, { ...full, jitter: 3 }, 0.5, 500],
    ['negative jitter counts as 0', 1, { ...full, jitter: -1 }, 0.5, 1_000],
    ['random above 1 counts as 1', 1, half, 7, 1_000],
    ['random below 0 counts as 0', 1, half, -7, 500],
    ['a NaN random counts as 0', 1, half, Number.NaN, 500],
    ['base 0: no delay', 5, { baseMs: 0, maxMs: 30_000, jitter: 0 }, 0.5, 0],
    ['negative base: no delay', 5, { baseMs: -10, maxMs: 30_000, jitter: 0 }, 0.5, 0],
    ['max below base: max wins', 1, { baseMs: 5_000, maxMs: 2_000, jitter: 0 }, 0.5, 2_000],
    ['a NaN max: no delay', 3, { baseMs: 1_000, maxMs: Number.NaN, jitter: 0 }, 0.5, 0],
    ['no cap', 21, { baseMs: 1, maxMs: Number.POSITIVE_INFINITY, jitter: 0 }, 0.5, 1_048_576],
  ])('%s', (_label, attempt, options, random, expected) => {
    expect(retryDelayMs(attempt, options, () => random)).toBe(expected);
  });

  it('stays within [d × (1 − jitter), d] and grows with the attempt', () => {
    let previousMin = 0;
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const d = Math.min(half.maxMs, half.baseMs * 2 ** (attempt - 1));
      const low = retryDelayMs(attempt, half, () => 0);
      const high = retryDelayMs(attempt, half, () => 0.999_999_999);
      expect(low).toBe(d / 2);
      expect(high).toBeLessThanOrEqual(d);
      expect(high).toBeGreaterThanOrEqual(d - 1);
      expect(low).toBeGreaterThanOrEqual(previousMin);
      previousMin = low;
    }
  });

  it('calls random once per delay', () => {
    let calls = 0;
    retryDelayMs(3, half, () => {
      calls += 1;
      return 0.5;
    });
    expect(calls).toBe(1);
  });
});
