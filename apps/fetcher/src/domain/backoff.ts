/**
 * How long to wait before reconnecting after the `failures`-th failure in a row: doubles from
 * `minMs` up to `maxMs`, with up to 20% jitter so many sessions that failed together do not retry
 * in step. `random` is injectable for tests.
 */
export function reconnectDelayMs(
  failures: number,
  options: { minMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxMs, options.minMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.2 * random()));
}
