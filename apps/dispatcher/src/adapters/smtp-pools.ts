import type { Logger } from '@sotamail/logging';
import nodemailer, { type Transporter } from 'nodemailer';

export type SmtpServerSettings = {
  /** Stable key of the server ('platform' for the platform default) and a version of its settings. */
  key: string;
  version: string;
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'ssl';
  auth:
    | { type: 'none' }
    | { type: 'password'; user: string; pass: string }
    | { type: 'xoauth2'; user: string; clientId: string; clientSecret: string; refreshToken: string }
    | { type: 'certificate'; certPem: string; keyPem: string };
  maxConnections: number;
};

export type SmtpPools = {
  transporterFor: (settings: SmtpServerSettings) => Transporter;
  close: () => void;
};

const idleSocketMs = 10_000;

/**
 * One pooled nodemailer transport per server, reused across jobs; rebuilt when the server's settings
 * change (the version is its updated-at), and the old pool closed.
 */
export function createSmtpPools(options: {
  logger: Logger;
  timeoutMs: number;
  rejectUnauthorized: boolean;
}): SmtpPools {
  const pools = new Map<string, { version: string; transporter: Transporter }>();
  return {
    transporterFor(settings) {
      const existing = pools.get(settings.key);
      if (existing && existing.version === settings.version) {
        return existing.transporter;
      }
      existing?.transporter.close();
      const auth = settings.auth;
      const transporter = nodemailer.createTransport({
        pool: true,
        host: settings.host,
        port: settings.port,
        secure: settings.security === 'ssl',
        requireTLS: settings.security === 'starttls',
        ignoreTLS: settings.security === 'none',
        maxConnections: settings.maxConnections,
        maxMessages: 500,
        // Idle sockets close soon: between bursts an instance holds nothing against a server's
        // connection cap, and a busy pool never sits idle that long.
        idleTimeout: idleSocketMs,
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
        tls: {
          rejectUnauthorized: options.rejectUnauthorized,
          ...(auth.type === 'certificate' ? { cert: auth.certPem, key: auth.keyPem } : {}),
        },
        ...(auth.type === 'password' ? { auth: { user: auth.user, pass: auth.pass } } : {}),
        ...(auth.type === 'xoauth2'
          ? {
              auth: {
                type: 'OAuth2',
                user: auth.user,
                clientId: auth.clientId,
                clientSecret: auth.clientSecret,
                refreshToken: auth.refreshToken,
              },
            }
          : {}),
        logger: false,
      } as Parameters<typeof nodemailer.createTransport>[0]);
      transporter.on('error', (err) => options.logger.warn({ err, server: settings.key }, 'smtp.pool_error'));
      pools.set(settings.key, { version: settings.version, transporter });
      return transporter;
    },
    close() {
      for (const { transporter } of pools.values()) {
        transporter.close();
      }
      pools.clear();
    },
  };
}
