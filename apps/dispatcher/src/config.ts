import { boolEnv, durationMsEnv, portEnv } from '@sotamail/config';
import { z } from 'zod';

/** The dispatcher's own settings, added to the common ones by bootWorkerService. */
export const dispatcherEnv = {
  SOTAMAIL_SECRET_KEY: z
    .string({ message: 'is required: base64 of 32 random bytes, the same as config-api' })
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes'),
  /** The platform's default outgoing server (R1.1), used by online databases without their own. */
  PLATFORM_SMTP_HOST: z.string().default('127.0.0.1'),
  PLATFORM_SMTP_PORT: portEnv(25),
  PLATFORM_SMTP_SECURITY: z.enum(['none', 'starttls', 'ssl']).default('none'),
  PLATFORM_SMTP_USER: z.string().optional(),
  PLATFORM_SMTP_PASSWORD: z.string().optional(),
  PLATFORM_SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(5),
  /** Which lanes this instance serves; separate instances per lane keep mass mail off transactional workers. */
  DISPATCH_LANES: z
    .string()
    .default('transactional,mass')
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(['transactional', 'mass'])).min(1)),
  // Jobs at once per lane. A batch job sends SENDS_PER_JOB mails at once, so the transactional lane
  // has up to 6 × 8 = 48 mails on the wire per instance by default.
  TRANSACTIONAL_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(6),
  MASS_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(4),
  /** Attempts a mail gets against transient failures (4xx, dropped connections) before it fails. */
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** The wait before the first retry; each next one waits twice as long (± 30 %). */
  SEND_RETRY_DELAY_MS: durationMsEnv(10_000),
  /** Mails of one batch job on the wire at once; the server's pool queues the rest. */
  SENDS_PER_JOB: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * How long a sent mail waits for others to share its database write (group commit). Longer saves
   * writes under load but widens the crash window in which a mail accepted by the server could go twice.
   */
  RECORD_GATHER_MS: z.coerce.number().int().min(0).max(1_000).default(10),
  /** How long a batch job keeps its worker; what it did not get to goes back to the queue. */
  BATCH_SLICE_MS: durationMsEnv(10_000),
  /**
   * A mail left in `sending` this long by a job that stopped answering may be taken again. Longer
   * than any batch takes to send (else a mail could go twice); shorter means faster recovery.
   */
  CLAIM_LEASE_MS: durationMsEnv(120_000),
  /** How often deferred mail whose window opened, and mail stranded without a job, are re-queued. */
  RELEASE_INTERVAL_MS: durationMsEnv(15_000),
  /** A job whose process stops answering for this long is handed to another instance. */
  JOB_LOCK_MS: durationMsEnv(30_000),
  /** Below the shutdown deadline, so a deploy lets sends in flight finish instead of cutting them. */
  SMTP_TIMEOUT_MS: durationMsEnv(20_000),
  /** Pause after a server says it is busy (421, 4.3.2, too many connections). */
  THROTTLE_PAUSE_MS: durationMsEnv(30_000),
  /**
   * Shifts this process's clock (daily-limit windows). For tests and drills only: a test moves the
   * window by restarting dispatchers with a day's offset.
   */
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  SMTP_REJECT_UNAUTHORIZED: boolEnv(false),
};
