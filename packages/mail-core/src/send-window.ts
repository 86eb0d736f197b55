/**
 * Time arithmetic for sending: the UTC day a daily limit counts in, when mail deferred by that limit
 * may go out, and how long to wait before retrying a transient failure. No clock and no randomness
 * of its own: the caller passes `now` and a random source, so tests are exact.
 */

/** The UTC day of a date, `YYYY-MM-DD`: the key of a daily sending limit. Throws a RangeError for an invalid date. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The start (00:00:00.000 UTC) of the UTC day after `date`'s: when mail deferred because `date`'s day
 * reached its limit goes out. Always strictly after `date`, even at midnight exactly (that day's
 * window is the one that is full). Invalid in, invalid out (an Invalid Date).
 */
export function nextUtcWindow(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));
}

export type RetryDelayOptions = {
  /** The delay before the first retry, before jitter. */
  baseMs: number;
  /** The longest delay, before jitter; the doubling stops there. Infinity: no cap. */
  maxMs: number;
  /** 0..1: the share of the delay that is random. 0: exact delays; 1: anywhere from 0 to the delay. */
  jitter: number;
};

/**
 * Exponential backoff with jitter: retry `attempt` (1 for the first retry) waits
 * `d = min(maxMs, baseMs × 2^(attempt − 1))`, of which the share `jitter` is random: the result is in
 * `[d × (1 − jitter), d]`, a whole number of milliseconds. Jitter spreads the retries of many mails
 * that failed together (a server that went down) so they do not all come back at the same moment.
 *
 * `random` returns a number in [0, 1) like Math.random (which production passes). Out-of-range
 * values are clamped: an attempt below 1 counts as 1, jitter is kept within 0..1, and a negative or NaN
 * time counts as 0 (so a broken setting gives immediate retries, bounded by the attempt limit).
 */
export function retryDelayMs(attempt: number, options: RetryDelayOptions, random: () => number): number {
  const retry = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  const baseMs = Number.isFinite(options.baseMs) && options.baseMs > 0 ? options.baseMs : 0;
  const maxMs = Number.isNaN(options.maxMs) ? 0 : Math.max(options.maxMs, 0);
  const jitter = clamp01(options.jitter);
  // Past 2^1000 every delay is capped anyway; the bound keeps baseMs × 2^n finite.
  const delay = baseMs === 0 ? 0 : Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 1000));
  return Math.floor(delay * (1 - jitter) + delay * jitter * clamp01(random()));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
