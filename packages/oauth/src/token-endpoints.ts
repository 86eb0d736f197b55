import { parseEnv, urlEnv } from '@sotamail/config';
import { z } from 'zod';

export type OAuthProvider = 'google' | 'microsoft';

export const oauthProviders: readonly OAuthProvider[] = ['google', 'microsoft'];

/** Where each provider exchanges a refresh token for an access token. */
export type TokenEndpoints = Record<OAuthProvider, string>;

export const defaultTokenEndpoints: TokenEndpoints = {
  google: 'https://oauth2.googleapis.com/token',
  microsoft: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
};

/**
 * The environment fields of the token endpoints, for a service's env schema. Overridable so that a
 * test (or a tenant-specific Microsoft endpoint) can point them elsewhere; http is allowed for loopback tests.
 */
export const oauthTokenEnv = {
  OAUTH_GOOGLE_TOKEN_URL: urlEnv(['https:', 'http:'], defaultTokenEndpoints.google),
  OAUTH_MICROSOFT_TOKEN_URL: urlEnv(['https:', 'http:'], defaultTokenEndpoints.microsoft),
};

/** The endpoints named by a parsed configuration that includes `oauthTokenEnv`. */
export function tokenEndpointsOf(config: {
  OAUTH_GOOGLE_TOKEN_URL: string;
  OAUTH_MICROSOFT_TOKEN_URL: string;
}): TokenEndpoints {
  return { google: config.OAUTH_GOOGLE_TOKEN_URL, microsoft: config.OAUTH_MICROSOFT_TOKEN_URL };
}

/**
 * Reads and validates the token endpoints from the environment, for a service whose own schema does
 * not include `oauthTokenEnv`. Throws the ConfigError of @sotamail/config, listing every problem.
 */
export function loadTokenEndpoints(env: Record<string, string | undefined>): TokenEndpoints {
  return tokenEndpointsOf(parseEnv(z.object(oauthTokenEnv), env));
}
