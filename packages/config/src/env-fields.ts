import { z } from 'zod';

/** An environment string that must be a URL of one of the given protocols. */
export const urlEnv = (protocols: string[], fallback?: string) => {
  const base = z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );
  return fallback === undefined ? base : base.default(fallback);
};

/** A TCP port from the environment (0 lets the OS choose, which tests use). */
export const portEnv = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(0, 'must be a port number')
    .max(65535, 'must be a port number')
    .default(fallback);

export const logLevelEnv = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** Booleans are spelt out; "0"/"no" are not silently read as true as `Boolean("0")` would. */
export const boolEnv = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const durationMsEnv = (fallback: number) =>
  z.coerce.number().int().min(0, 'must be a number of milliseconds').default(fallback);

/** The fields every service shares. */
export const commonEnv = {
  DATABASE_URL: urlEnv(['postgres:', 'postgresql:'], 'postgres://sotamail:sotamail@127.0.0.1:5432/sotamail'),
  REDIS_URL: urlEnv(['redis:', 'rediss:'], 'redis://127.0.0.1:6379/0'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'must be letters, digits, _ or -')
    .default('sotamail'),
  LOG_LEVEL: logLevelEnv,
  SHUTDOWN_TIMEOUT_MS: durationMsEnv(25_000),
  /**
   * PostgreSQL cancels a statement that runs (or waits for a lock) longer than this, so a stuck
   * database turns into a transient error (SMTP 451, a job retried) instead of holding SMTP sessions
   * and jobs forever. 0 turns it off.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: durationMsEnv(60_000),
};
