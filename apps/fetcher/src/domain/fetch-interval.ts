const defaultMinutes = 5;

/**
 * The poll interval of an incoming server (R7.2): its own `fetchIntervalSeconds`, else the database's
 * `mail.fetchmail.interval` (minutes), else 5 minutes. IDLE brings new mail sooner; the poll is the
 * fallback and the catch-up.
 */
export function fetchIntervalMs(
  fetchIntervalSeconds: number | null,
  intervalParameter: string | null,
): number {
  if (fetchIntervalSeconds !== null && fetchIntervalSeconds > 0) {
    return fetchIntervalSeconds * 1000;
  }
  const minutes = Number(intervalParameter);
  if (intervalParameter !== null && Number.isFinite(minutes) && minutes > 0) {
    return minutes * 60_000;
  }
  return defaultMinutes * 60_000;
}
