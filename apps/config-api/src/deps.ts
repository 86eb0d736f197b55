import type { DbHandle } from '@sotamail/db';
import type { OAuthTokenFailureCode, OAuthTokenRequest } from '@sotamail/oauth';
import type { Producer } from '@sotamail/queues';
import type { SmtpProbeOptions, SmtpProbeResult } from './smtp-probe/index.js';

/** What the routes need from the outside world; main.ts builds it, tests build their own. */
export type AppDeps = {
  handle: DbHandle;
  producer: Producer;
  secretKey: Buffer;
  operatorToken: string;
  platformMailDomain: string;
  probeSmtp: (options: SmtpProbeOptions) => Promise<SmtpProbeResult>;
  /**
   * Access tokens for XOAUTH2 servers: @sotamail/oauth's createOAuthTokenSource. A failure without a
   * code (a test's stand-in) is diagnosed as a token failure in general.
   */
  oauthAccessToken: (
    request: OAuthTokenRequest & { forceRefresh?: boolean },
  ) => Promise<
    { ok: true; accessToken: string } | { ok: false; message: string; code?: OAuthTokenFailureCode }
  >;
};
