import { boolEnv, portEnv } from '@sotamail/config';
import { z } from 'zod';

export const fetcherEnv = {
  /** SMTP ingress (R7.4): mail forwarded to the databases' alias domains arrives here. */
  SMTP_INGRESS_ENABLED: boolEnv(true),
  SMTP_INGRESS_HOST: z.string().default('127.0.0.1'),
  SMTP_INGRESS_PORT: portEnv(2525),
  /** Larger mail is refused with 552 before it is stored. */
  SMTP_INGRESS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(25 * 1024 * 1024),
  SMTP_INGRESS_HOSTNAME: z.string().default('sotamail.local'),
};
