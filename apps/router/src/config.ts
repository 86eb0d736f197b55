import { durationMsEnv } from '@sotamail/config';
import { z } from 'zod';

export const routerEnv = {
  ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  /** How often stored mail whose routing job was lost is queued again. */
  SWEEP_INTERVAL_MS: durationMsEnv(60_000),
};
