/** Drizzle wraps the driver's error ("Failed query: …") and keeps the original as its cause. */
export function driverErrorOf(err: unknown): { code?: string; detail?: string; message?: string } {
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause && typeof cause === 'object' && 'code' in cause) {
    return cause as { code?: string; detail?: string; message?: string };
  }
  return (err ?? {}) as { code?: string; detail?: string; message?: string };
}

// SQLSTATEs that say the database cannot answer now rather than that the statement or its data is
// wrong: cancelled by the statement timeout, shutting down or starting, out of connections, memory
// or disk. Class 08 (connection exceptions) is matched as a class.
const unavailableStates = new Set(['57014', '57P01', '57P02', '57P03', '53000', '53100', '53200', '53300']);
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// node-postgres reports a lost or unobtainable connection without a code.
const lostConnection = /Connection terminated|timeout exceeded when trying to connect|connection error/i;

/** The error and the causes it wraps (Drizzle wraps every driver error, with or without a code). */
function chainOf(err: unknown): { code?: unknown; message?: unknown }[] {
  const chain: { code?: unknown; message?: unknown }[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as { code?: unknown; message?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Whether a query failed because PostgreSQL is unreachable, stuck or overloaded: the caller should
 * say "try again later" (SMTP 451, HTTP 503, a retried job) and not blame the input or retry the
 * same work piece by piece.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const chain = chainOf(err);
  const code = chain.map((e) => e.code).find((c): c is string => typeof c === 'string') ?? '';
  if (code !== '') {
    return unavailableStates.has(code) || code.startsWith('08') || socketCodes.has(code);
  }
  return chain.some((e) => typeof e.message === 'string' && lostConnection.test(e.message));
}
