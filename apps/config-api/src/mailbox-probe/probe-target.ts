import type { MailboxProtocol, MailboxSecurity } from './diagnosis.js';

/** How the probe logs in: the decrypted password, or an OAuth2 access token (XOAUTH2). */
export type MailboxProbeCredential =
  | { type: 'password'; password: string }
  | { type: 'xoauth2'; accessToken: string };

/** What Test & Confirm connects to, with the decrypted credential. Never logged as a whole. */
export type MailboxProbeTarget = {
  protocol: MailboxProtocol;
  host: string;
  port: number;
  security: MailboxSecurity;
  username: string;
  credential: MailboxProbeCredential;
  /** IMAP only: the folder opened read-only. */
  folder: string;
  /** Limit for each step: the connection, a TLS handshake, each answer. */
  timeoutMs: number;
};
