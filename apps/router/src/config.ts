import { durationMsEnv } from '@sotamail/config';
import { z } from 'zod';

export const routerEnv = {
  ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * A job whose process stops answering (killed, starved) for this long is handed to another router;
   * routing the same mail again is safe (see route-inbound.ts).
   */
  JOB_LOCK_MS: durationMsEnv(30_000),
  /**
   * How long a database's row and parameters are reused between mails: a parameter change (catchall
   * or bounce alias, limits) reaches routing within this time. 0 reads them for every mail.
   */
  ROUTER_TENANT_CACHE_MS: durationMsEnv(5_000),
  /** How often stored mail whose routing job was lost is queued again. */
  SWEEP_INTERVAL_MS: durationMsEnv(60_000),
  /**
   * The key the dispatcher signs Reply-To thread tokens with (the same for every service). Without
   * it, replies are still routed by In-Reply-To/References and the thread header, and tokens are
   * ignored.
   */
  SOTAMAIL_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes')
    .optional(),
};
