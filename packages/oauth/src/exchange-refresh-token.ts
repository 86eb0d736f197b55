import {
  classifyTokenResponse,
  classifyTokenTransportError,
  type TokenGrant,
} from './classify-token-response.js';
import type { OAuthProvider } from './token-endpoints.js';
import type { OAuthTokenFailure } from './token-failure.js';

/** What the refresh-token grant needs; the secrets are decrypted by the caller and never logged. */
export type OAuthTokenRequest = {
  provider: OAuthProvider;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
};

/** One refresh-token grant over HTTP; the port the token cache uses (and tests replace). */
export type RefreshTokenExchange = (
  endpoint: string,
  request: OAuthTokenRequest,
) => Promise<TokenGrant | OAuthTokenFailure>;

/**
 * The OAuth2 refresh-token grant (RFC 6749 §6) against `endpoint`, client credentials in the body as
 * Google and Microsoft accept them. Never throws: every failure comes back classified.
 */
export function createRefreshTokenExchange(options: { timeoutMs?: number } = {}): RefreshTokenExchange {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return async (endpoint, request) => {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      refresh_token: request.refreshToken,
    });
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return classifyTokenTransportError(request.provider, err);
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      // Not JSON (an HTML error page, a proxy): the status alone decides.
    }
    return classifyTokenResponse(request.provider, res.status, json);
  };
}
