import type { OAuthProvider } from './token-endpoints.js';

/**
 * The stable codes of a failed token exchange. Permanent ones need the admin (a new refresh token,
 * other client credentials); transient ones are worth retrying as they are.
 */
export const oauthTokenFailureCodes = {
  OAUTH_GRANT_REVOKED: 'The refresh token was revoked or has expired (invalid_grant).',
  OAUTH_CLIENT_REJECTED: 'The provider refused the client id or client secret (invalid_client).',
  OAUTH_REQUEST_REJECTED: 'The provider refused the request (invalid_request, invalid_scope…).',
  OAUTH_ENDPOINT_UNAVAILABLE: 'The token endpoint answered with a server error or asked to slow down.',
  OAUTH_ENDPOINT_UNREACHABLE: 'The token endpoint could not be reached (DNS, connection, timeout).',
  OAUTH_BAD_RESPONSE: 'The token endpoint answered without an access token.',
} as const;

export type OAuthTokenFailureCode = keyof typeof oauthTokenFailureCodes;

export type OAuthTokenFailure = {
  ok: false;
  code: OAuthTokenFailureCode;
  /** True when retrying with the same settings cannot help. */
  permanent: boolean;
  /** One or two sentences for an administrator; never a secret. */
  message: string;
};

export const providerNames: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft' };

/** A failure as a thrown error, for code that reports through exceptions (the fetcher's sessions). */
export class OAuthTokenError extends Error {
  override readonly name = 'OAuthTokenError';
  readonly code: OAuthTokenFailureCode;
  readonly permanent: boolean;
  constructor(failure: OAuthTokenFailure) {
    super(failure.message);
    this.code = failure.code;
    this.permanent = failure.permanent;
  }
}
