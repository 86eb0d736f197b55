// OAuth2 for mail servers: the refresh-token → access-token exchange (Google, Microsoft) with its
// cache and classified failures, shared by config-api (Test Connection, Test & Confirm) and the fetcher.
export {
  classifyTokenResponse,
  classifyTokenTransportError,
  type TokenGrant,
} from './classify-token-response.js';
export {
  createRefreshTokenExchange,
  type OAuthTokenRequest,
  type RefreshTokenExchange,
} from './exchange-refresh-token.js';
export {
  createOAuthTokenSource,
  type OAuthAccessToken,
  type OAuthTokenResult,
  type OAuthTokenSource,
} from './oauth-token-source.js';
export {
  defaultTokenEndpoints,
  loadTokenEndpoints,
  type OAuthProvider,
  oauthProviders,
  oauthTokenEnv,
  type TokenEndpoints,
  tokenEndpointsOf,
} from './token-endpoints.js';
export {
  OAuthTokenError,
  type OAuthTokenFailure,
  type OAuthTokenFailureCode,
  oauthTokenFailureCodes,
  providerNames,
} from './token-failure.js';
export { parseXoauth2Challenge, xoauth2InitialResponse } from './xoauth2.js';
