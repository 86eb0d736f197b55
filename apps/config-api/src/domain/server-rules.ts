import { fromFilterProblem } from './mail-syntax.js';

export type OutgoingServerSettings = {
  port: number;
  security: 'none' | 'starttls' | 'ssl';
  authType: 'none' | 'password' | 'xoauth2' | 'certificate';
  username: string | null;
  hasPassword: boolean;
  oauthProvider: 'google' | 'microsoft' | null;
  oauthClientId: string | null;
  hasOauthClientSecret: boolean;
  hasOauthRefreshToken: boolean;
  clientCertPem: string | null;
  hasClientKey: boolean;
  fromFilter: string | null;
};

export type Problem = { code: 'PORT_25_BLOCKED' | 'VALIDATION_FAILED'; message: string };

export const port25Message =
  'Port 25 is blocked on SotaERP Online for security reasons. Use port 465 (SSL/TLS), 587 (STARTTLS) or 2525 instead.';

/**
 * What is wrong with an outgoing server's settings as a whole (after a create or a partial update),
 * or null. Checked on the merged settings so a PATCH cannot leave a server half-configured.
 */
export function outgoingServerProblem(
  hosting: 'online' | 'on_premise',
  s: OutgoingServerSettings,
): Problem | null {
  if (hosting === 'online' && s.port === 25) {
    return { code: 'PORT_25_BLOCKED', message: port25Message };
  }
  const missing = (what: string) => ({
    code: 'VALIDATION_FAILED' as const,
    message: `Authentication "${s.authType}" needs ${what}.`,
  });
  switch (s.authType) {
    case 'password':
      if (!s.username || !s.hasPassword) {
        return missing('a username and a password');
      }
      break;
    case 'xoauth2':
      if (
        !s.username ||
        !s.oauthProvider ||
        !s.oauthClientId ||
        !s.hasOauthClientSecret ||
        !s.hasOauthRefreshToken
      ) {
        return missing('a username, an OAuth provider, a client id, a client secret and a refresh token');
      }
      if (s.security === 'none') {
        return {
          code: 'VALIDATION_FAILED',
          message: 'OAuth2 needs an encrypted connection: choose STARTTLS or SSL/TLS.',
        };
      }
      break;
    case 'certificate':
      if (!s.clientCertPem || !s.hasClientKey) {
        return missing('a client certificate and its private key (PEM)');
      }
      if (s.security === 'none') {
        return {
          code: 'VALIDATION_FAILED',
          message: 'A client certificate needs TLS: choose STARTTLS or SSL/TLS.',
        };
      }
      break;
    case 'none':
      break;
  }
  if (s.fromFilter !== null) {
    const problem = fromFilterProblem(s.fromFilter);
    if (problem) {
      return { code: 'VALIDATION_FAILED', message: `The From filter ${problem}.` };
    }
  }
  return null;
}
