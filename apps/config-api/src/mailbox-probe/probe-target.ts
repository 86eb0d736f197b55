import type { MailboxProtocol, MailboxSecurity } from './diagnosis.js';

/** What Test & Confirm connects to, with the decrypted password. Never logged as a whole. */
export type MailboxProbeTarget = {
  protocol: MailboxProtocol;
  host: string;
  port: number;
  security: MailboxSecurity;
  username: string;
  password: string;
  /** IMAP only: the folder opened read-only. */
  folder: string;
  /** Limit for each step: the connection, a TLS handshake, each answer. */
  timeoutMs: number;
};
