import { boolEnv, durationMsEnv, portEnv } from '@sotamail/config';
import { oauthTokenEnv } from '@sotamail/oauth';
import { z } from 'zod';

export const fetcherEnv = {
  /** SMTP ingress (R7.4): mail forwarded to the databases' alias domains arrives here. */
  SMTP_INGRESS_ENABLED: boolEnv(true),
  SMTP_INGRESS_HOST: z.string().default('127.0.0.1'),
  SMTP_INGRESS_PORT: portEnv(2525),
  /**
   * Larger mail is refused with 552 before it is stored. 35 MB: a 25 MB attachment, the most the big
   * providers send, is about 34 MB once base64-encoded.
   */
  SMTP_INGRESS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(35 * 1024 * 1024),
  SMTP_INGRESS_HOSTNAME: z.string().default('sotamail.local'),
  /** IMAP and POP3 fetching (R7.2): need the key config-api seals the servers' passwords with. */
  IMAP_FETCH_ENABLED: boolEnv(true),
  POP3_FETCH_ENABLED: boolEnv(true),
  /**
   * Messages per POP3 connection. Their DELEs take effect at the QUIT that ends it, so this is also
   * how many stored messages a dropped connection leaves on the server to be retrieved (not stored) again.
   */
  POP3_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(50),
  SOTAMAIL_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes')
    .optional(),
  /** How often the list of servers to fetch is read again: new, changed, removed servers, free leases. */
  FETCH_SCAN_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /**
   * One session per server across all instances: the lease is renewed every third of this, so a dead
   * instance's mailboxes are taken over by another within about this long plus a scan interval.
   */
  FETCH_LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Reconnect backoff after an error: doubles from 1 s up to this. */
  FETCH_RECONNECT_MAX_MS: durationMsEnv(60_000),
  /**
   * Stored mails are handed to the router in batch jobs gathered over this long (or 50 mails): a
   * little latency buys far fewer round trips under load. 0 still gathers the mails of one tick.
   */
  ROUTE_BATCH_WINDOW_MS: durationMsEnv(50),
  /** Token endpoints for XOAUTH2 servers (Google, Microsoft): refresh token → access token. */
  ...oauthTokenEnv,
};
