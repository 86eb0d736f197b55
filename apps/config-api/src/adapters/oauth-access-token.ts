export type OAuthProvider = 'google' | 'microsoft';

export type OAuthTokenRequest = {
  provider: OAuthProvider;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
};

export type OAuthTokenResult = { ok: true; accessToken: string } | { ok: false; message: string };

/** Exchanges a stored refresh token for an access token (XOAUTH2 needs the latter). */
export type OAuthTokenSource = (request: OAuthTokenRequest) => Promise<OAuthTokenResult>;

const tokenEndpoints: Record<OAuthProvider, string> = {
  google: 'https://oauth2.googleapis.com/token',
  microsoft: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
};

/**
 * The OAuth2 refresh-token grant against Google's or Microsoft's token endpoint. Failures come back as
 * a sentence for the admin (the provider's `error_description` when it gives one), never a throw.
 */
export function createOAuthTokenSource(options: { timeoutMs?: number } = {}): OAuthTokenSource {
  return async (request) => {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      refresh_token: request.refreshToken,
    });
    try {
      const res = await fetch(tokenEndpoints[request.provider], {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.ok && typeof json.access_token === 'string') {
        return { ok: true, accessToken: json.access_token };
      }
      const detail =
        typeof json.error_description === 'string' ? json.error_description : `HTTP ${res.status}`;
      return { ok: false, message: `The ${request.provider} OAuth token could not be refreshed: ${detail}` };
    } catch (err) {
      return {
        ok: false,
        message: `The ${request.provider} OAuth token endpoint could not be reached: ${(err as Error).message}`,
      };
    }
  };
}
