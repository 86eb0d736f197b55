import { z } from 'zod';

/** The bounce-processor's own settings, added to the common ones by bootWorkerService. */
export const bounceProcessorEnv = {
  /** The key the dispatcher signs VERP tokens with (the same for every service). */
  SOTAMAIL_SECRET_KEY: z
    .string({ message: 'is required: base64 of 32 random bytes, the same as the dispatcher' })
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes'),
  BOUNCE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
};
