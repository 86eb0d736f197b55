import type { SmtpProbeFailureCode, SmtpProbeStep, SmtpSecurity } from './diagnosis.js';

export type SmtpProbeAuth =
  | { type: 'none' }
  | { type: 'password'; username: string; password: string }
  | { type: 'xoauth2'; username: string; accessToken: string }
  | { type: 'certificate'; certPem: string; keyPem: string };

/** Any pino-shaped logger. Entries carry the redacted transcript, never a credential. */
export type SmtpProbeLogger = {
  debug: (fields: Record<string, unknown>, message: string) => void;
  info: (fields: Record<string, unknown>, message: string) => void;
  warn: (fields: Record<string, unknown>, message: string) => void;
};

export type SmtpProbeOptions = {
  host: string;
  port: number;
  security: SmtpSecurity;
  auth: SmtpProbeAuth;
  /** MAIL FROM: an address the From filter allows (see deriveTestSender). */
  sender: string;
  /** RCPT TO; defaults to DEFAULT_TEST_RECIPIENT. Nothing is ever delivered to it. */
  recipient?: string | undefined;
  /** Limit for each step: the TCP connection, a TLS handshake, each reply. Default 15 000 ms. */
  timeoutMs?: number | undefined;
  /**
   * Verify the server's certificate and host name. Off by default, as in Odoo's test (the server
   * is the administrator's own choice, and self-signed certificates are common on internal
   * relays); turn it on to check a certificate before relying on it.
   */
  rejectUnauthorized?: boolean | undefined;
  /** The EHLO name; defaults to this machine's FQDN, else an address literal such as [192.0.2.1]. */
  clientName?: string | undefined;
  logger?: SmtpProbeLogger | undefined;
};

export type SmtpProbeSucceeded = { ok: true; transcript: string[]; durationMs: number };
export type SmtpProbeFailed = {
  ok: false;
  code: SmtpProbeFailureCode;
  /** One or two sentences for an administrator; includes the server's reply where there is one. */
  message: string;
  step: SmtpProbeStep;
  transcript: string[];
  durationMs: number;
};
export type SmtpProbeResult = SmtpProbeSucceeded | SmtpProbeFailed;

/**
 * The default RCPT TO. example.com is reserved for documentation (RFC 2606) so no one can own the
 * mailbox, and unlike `.invalid` it resolves, so servers that check that a recipient domain exists
 * still accept it. The test never sends a message: it drops the connection after DATA's 354.
 */
export const DEFAULT_TEST_RECIPIENT = 'sotamail-connection-test@example.com';
export const DEFAULT_PROBE_TIMEOUT_MS = 15_000;
