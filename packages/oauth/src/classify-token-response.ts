import type { OAuthProvider } from './token-endpoints.js';
import { type OAuthTokenFailure, type OAuthTokenFailureCode, providerNames } from './token-failure.js';

export type TokenGrant = { ok: true; accessToken: string; expiresInSeconds: number };

/** Used when the provider omits `expires_in`: both big providers issue tokens valid for an hour. */
const defaultLifetimeSeconds = 3_600;
const revokedCodes = new Set(['invalid_grant']);
const clientCodes = new Set(['invalid_client', 'unauthorized_client']);
const requestCodes = new Set(['invalid_request', 'invalid_scope', 'unsupported_grant_type']);

function failure(code: OAuthTokenFailureCode, permanent: boolean, message: string): OAuthTokenFailure {
  return { ok: false, code, permanent, message };
}

/** Provider text, safe for one line of a message (and short: it is shown to admins and stored). */
function providerText(value: unknown): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (clean === '') {
    return null;
  }
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

/**
 * Classifies the answer of a token endpoint to a refresh-token grant (RFC 6749 §5.1, §5.2) on its
 * HTTP status and its `error` code, never on the description, which is only quoted to the admin.
 */
export function classifyTokenResponse(
  provider: OAuthProvider,
  status: number,
  body: unknown,
): TokenGrant | OAuthTokenFailure {
  const name = providerNames[provider];
  const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (status >= 200 && status < 300) {
    if (typeof json.access_token === 'string' && json.access_token !== '') {
      const expires = Number(json.expires_in);
      return {
        ok: true,
        accessToken: json.access_token,
        expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : defaultLifetimeSeconds,
      };
    }
    return failure(
      'OAUTH_BAD_RESPONSE',
      false,
      `The ${name} token endpoint answered without an access token: check the token endpoint URL.`,
    );
  }
  const error = typeof json.error === 'string' ? json.error : '';
  const said = providerText(json.error_description) ?? providerText(error);
  const quote = said ? ` (${name} said: "${said}")` : '';
  if (revokedCodes.has(error)) {
    return failure(
      'OAUTH_GRANT_REVOKED',
      true,
      `The ${name} refresh token was revoked or has expired: reconnect the account to get a new one${quote}.`,
    );
  }
  if (clientCodes.has(error)) {
    return failure(
      'OAUTH_CLIENT_REJECTED',
      true,
      `${name} refused the OAuth client: check the client id and client secret${quote}.`,
    );
  }
  if (status >= 500 || status === 429 || status === 408) {
    return failure(
      'OAUTH_ENDPOINT_UNAVAILABLE',
      false,
      `The ${name} token endpoint is unavailable (HTTP ${status}); it is tried again later${quote}.`,
    );
  }
  if (requestCodes.has(error) || status >= 400) {
    return failure(
      'OAUTH_REQUEST_REJECTED',
      true,
      `${name} refused to refresh the access token (HTTP ${status}${error ? `, ${error}` : ''})${quote}.`,
    );
  }
  return failure(
    'OAUTH_BAD_RESPONSE',
    false,
    `The ${name} token endpoint gave an unexpected answer (HTTP ${status}): check the token endpoint URL.`,
  );
}

/** A request that got no HTTP answer at all: DNS, refused connection, TLS, timeout. Always transient. */
export function classifyTokenTransportError(provider: OAuthProvider, err: unknown): OAuthTokenFailure {
  const e = err as { name?: string; cause?: { code?: string } } | null;
  const name = providerNames[provider];
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return failure(
      'OAUTH_ENDPOINT_UNREACHABLE',
      false,
      `The ${name} token endpoint did not answer in time; it is tried again later.`,
    );
  }
  const code = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return failure(
    'OAUTH_ENDPOINT_UNREACHABLE',
    false,
    `The ${name} token endpoint could not be reached${code}; it is tried again later.`,
  );
}
