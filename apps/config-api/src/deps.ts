import type { DbHandle } from '@sotamail/db';
import type { Producer } from '@sotamail/queues';
import type { OAuthTokenSource } from './adapters/oauth-access-token.js';
import type { SmtpProbeOptions, SmtpProbeResult } from './smtp-probe/index.js';

/** What the routes need from the outside world; main.ts builds it, tests build their own. */
export type AppDeps = {
  handle: DbHandle;
  producer: Producer;
  secretKey: Buffer;
  operatorToken: string;
  platformMailDomain: string;
  probeSmtp: (options: SmtpProbeOptions) => Promise<SmtpProbeResult>;
  oauthAccessToken: OAuthTokenSource;
};
