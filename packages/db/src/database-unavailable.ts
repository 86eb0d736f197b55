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

type DriverError = { code?: string; detail?: string; message?: string };

/** The error and the causes it wraps (Drizzle wraps every driver error, with or without a code). */
function chainOf(err: unknown): DriverError[] {
  const chain: DriverError[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as DriverError);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The driver's error inside whatever wrapped it: the innermost of the chain with a code. */
export function driverErrorOf(err: unknown): DriverError {
  const chain = chainOf(err);
  return [...chain].reverse().find((e) => typeof e.code === 'string') ?? chain[0] ?? {};
}

/**
 * Whether a query failed because PostgreSQL is unreachable, stuck or overloaded: the caller should
 * say "try again later" (SMTP 451, HTTP 503, a retried job) and not blame the input or retry the
 * same work piece by piece.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = driverErrorOf(err).code;
  if (typeof code === 'string') {
    return unavailableStates.has(code) || code.startsWith('08') || socketCodes.has(code);
  }
  return chainOf(err).some((e) => typeof e.message === 'string' && lostConnection.test(e.message));
}
