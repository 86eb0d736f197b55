import { createHash } from 'node:crypto';
import {
  createRefreshTokenExchange,
  type OAuthTokenRequest,
  type RefreshTokenExchange,
} from './exchange-refresh-token.js';
import { defaultTokenEndpoints, type TokenEndpoints } from './token-endpoints.js';
import type { OAuthTokenFailure } from './token-failure.js';

export type OAuthAccessToken = { ok: true; accessToken: string; expiresAt: number };

export type OAuthTokenResult = OAuthAccessToken | OAuthTokenFailure;

/**
 * Gives an access token for a stored refresh token: a cached one while it is valid, else a new one
 * from the provider. `forceRefresh` skips the cache, for when a mail server refused the cached token
 * (revoked early, or a password change on the account). Never throws.
 */
export type OAuthTokenSource = (
  request: OAuthTokenRequest & { forceRefresh?: boolean },
) => Promise<OAuthTokenResult>;

type Entry = { accessToken: string; expiresAt: number };

/**
 * An OAuthTokenSource with an in-memory cache per (provider, client, refresh token). A token is used
 * until `refreshMarginMs` before it expires, so a session that connects with it has time to log in.
 * Concurrent requests for the same key share one exchange; failures are not cached.
 */
export function createOAuthTokenSource(
  options: {
    endpoints?: TokenEndpoints;
    exchange?: RefreshTokenExchange;
    timeoutMs?: number;
    refreshMarginMs?: number;
    now?: () => number;
  } = {},
): OAuthTokenSource {
  const endpoints = options.endpoints ?? defaultTokenEndpoints;
  const exchange =
    options.exchange ??
    createRefreshTokenExchange(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  const marginMs = options.refreshMarginMs ?? 120_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<OAuthTokenResult>>();

  // Hashed so that the map never holds the client secret or refresh token as a readable key.
  const keyOf = (r: OAuthTokenRequest) =>
    createHash('sha256')
      .update(JSON.stringify([r.provider, r.clientId, r.clientSecret, r.refreshToken]))
      .digest('hex');

  async function refresh(key: string, request: OAuthTokenRequest): Promise<OAuthTokenResult> {
    const requestedAt = now();
    const grant = await exchange(endpoints[request.provider], request);
    if (!grant.ok) {
      cache.delete(key);
      return grant;
    }
    const expiresAt = requestedAt + grant.expiresInSeconds * 1000;
    cache.set(key, { accessToken: grant.accessToken, expiresAt });
    return { ok: true, accessToken: grant.accessToken, expiresAt };
  }

  return async ({ forceRefresh, ...request }) => {
    const key = keyOf(request);
    const cached = cache.get(key);
    if (!forceRefresh && cached && now() < cached.expiresAt - marginMs) {
      return { ok: true, ...cached };
    }
    const running = inFlight.get(key);
    if (running !== undefined) {
      return running;
    }
    const started = refresh(key, request).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };
}
