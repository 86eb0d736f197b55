import { createHash } from 'node:crypto';
import type { DeliveryContext } from '@sotamail/db';
import { createSecretBox, serverSecretContext } from '@sotamail/secrets';
import type { SmtpServerSettings } from './smtp-pools.js';

export type ResolvedServer = {
  /** null: the platform default server. */
  id: string | null;
  key: string;
  name: string;
  settings: SmtpServerSettings;
  limits: { maxPerMinute: number | null; maxConnections: number | null };
};

export type ResolveServer = (
  context: Pick<DeliveryContext, 'tenant' | 'servers'>,
  serverId: string | null,
) => { ok: true; server: ResolvedServer } | { ok: false; failureType: string; reason: string };

export type PlatformServer = Omit<SmtpServerSettings, 'key' | 'version'>;

/**
 * Turns the chosen server into connection settings, decrypting its secrets. `null` is the platform's
 * default server, which only online databases have (R1.1, R1.3).
 */
export function createResolveServer(secretKey: Buffer, platform: PlatformServer): ResolveServer {
  return (context, serverId) => {
    if (serverId === null) {
      if (context.tenant.hostingType !== 'online') {
        return {
          ok: false,
          failureType: 'no_server',
          reason: 'No active outgoing server is configured for this on-premise database.',
        };
      }
      return {
        ok: true,
        server: {
          id: null,
          key: 'platform',
          name: 'platform default',
          settings: { ...platform, key: 'platform', version: 'env' },
          limits: { maxPerMinute: null, maxConnections: null },
        },
      };
    }
    const row = context.servers.find((s) => s.id === serverId);
    if (!row) {
      return { ok: false, failureType: 'no_server', reason: `Outgoing server ${serverId} no longer exists.` };
    }
    const box = createSecretBox(secretKey, serverSecretContext('outgoing', row.id));
    const open = (sealed: string | null) => (sealed ? box.open(sealed) : '');
    let auth: SmtpServerSettings['auth'];
    try {
      switch (row.authType) {
        case 'none':
          auth = { type: 'none' };
          break;
        case 'password':
          auth = { type: 'password', user: row.username ?? '', pass: open(row.passwordSealed) };
          break;
        case 'xoauth2':
          auth = {
            type: 'xoauth2',
            user: row.username ?? '',
            clientId: row.oauthClientId ?? '',
            clientSecret: open(row.oauthClientSecretSealed),
            refreshToken: open(row.oauthRefreshTokenSealed),
          };
          break;
        case 'certificate':
          auth = { type: 'certificate', certPem: row.clientCertPem ?? '', keyPem: open(row.clientKeySealed) };
          break;
      }
    } catch {
      return {
        ok: false,
        failureType: 'server_secret',
        reason: `The credentials of server "${row.name}" cannot be decrypted: SOTAMAIL_SECRET_KEY differs from the one they were stored with.`,
      };
    }
    return {
      ok: true,
      server: {
        id: row.id,
        key: row.id,
        name: row.name,
        settings: {
          key: row.id,
          // Only what the connection depends on: renaming a server or testing it keeps its pool.
          version: createHash('sha256')
            .update(JSON.stringify([row.host, row.port, row.security, auth, row.maxConnections]))
            .digest('hex'),
          host: row.host,
          port: row.port,
          security: row.security,
          auth,
          maxConnections: row.maxConnections ?? 5,
        },
        limits: { maxPerMinute: row.maxPerMinute, maxConnections: row.maxConnections },
      },
    };
  };
}
