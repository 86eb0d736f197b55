import type { FetchableServer } from '@sotamail/db';
import { OAuthTokenError, type OAuthTokenSource } from '@sotamail/oauth';
import { createSecretBox, serverSecretContext } from '@sotamail/secrets';
import { UnsupportedAuthError } from '../domain/describe-fetch-error.js';

/** What a session logs in with: the decrypted password, or an OAuth2 access token for XOAUTH2. */
export type MailboxCredential =
  | { type: 'password'; password: string }
  | { type: 'xoauth2'; accessToken: string };

/**
 * The credential of one server. `fresh` asks for a new access token instead of the cached one (after
 * the mail server refused it); a password is the same either way. Throws a readable error when there is none.
 */
export type CredentialOf = (options: { fresh: boolean }) => Promise<MailboxCredential>;

/** Reads the sealed secrets of a server; OAuth2 servers exchange their refresh token through `tokenSource`. */
export function mailboxCredentials(options: {
  secretKey: Buffer;
  tokenSource?: OAuthTokenSource | undefined;
}) {
  return (server: FetchableServer['server']): CredentialOf => {
    const box = () => createSecretBox(options.secretKey, serverSecretContext('incoming', server.id));
    return async ({ fresh }) => {
      if (server.authType === 'password') {
        if (!server.passwordSealed) {
          throw new UnsupportedAuthError('This server has no password: set one, then test it again.');
        }
        return { type: 'password', password: box().open(server.passwordSealed) };
      }
      const { oauthProvider, oauthClientId, oauthClientSecretSealed, oauthRefreshTokenSealed } = server;
      if (!(oauthProvider && oauthClientId && oauthClientSecretSealed && oauthRefreshTokenSealed)) {
        throw new UnsupportedAuthError(
          'This OAuth2 server lacks its provider, client id, client secret or refresh token: complete it, then test it again.',
        );
      }
      if (!options.tokenSource) {
        throw new UnsupportedAuthError('This fetcher has no OAuth2 token endpoint configured.');
      }
      const token = await options.tokenSource({
        provider: oauthProvider,
        clientId: oauthClientId,
        clientSecret: box().open(oauthClientSecretSealed),
        refreshToken: box().open(oauthRefreshTokenSealed),
        forceRefresh: fresh,
      });
      if (!token.ok) {
        throw new OAuthTokenError(token);
      }
      return { type: 'xoauth2', accessToken: token.accessToken };
    };
  };
}

/**
 * Logs in with the server's credential; when the mail server refuses an access token, once more with
 * a new one (the cached token may have been revoked before its expiry, e.g. after a password change).
 */
export async function loginWithCredential<T>(
  credentialOf: CredentialOf,
  login: (credential: MailboxCredential) => Promise<T>,
  refused: (err: unknown) => boolean,
): Promise<T> {
  const first = await credentialOf({ fresh: false });
  try {
    return await login(first);
  } catch (err) {
    if (first.type !== 'xoauth2' || !refused(err)) {
      throw err;
    }
  }
  return login(await credentialOf({ fresh: true }));
}
