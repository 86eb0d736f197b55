import { getParameters } from '@sotamail/db';
import type { JobContext } from '@sotamail/queues';
import { applyBlacklistRule, type ProcessBounceDeps } from './process-bounce.js';

/**
 * The auto-blacklist rule (R10.3) for a bounce that did not come as a report: a refusal at RCPT in
 * the dispatcher's own SMTP session is recorded there, and the rule runs here, in one place.
 */
export function createCheckBlacklistHandler(deps: Pick<ProcessBounceDeps, 'db' | 'now'>) {
  return async (
    payload: { tenantId: string; email: string },
    { logger }: Pick<JobContext, 'logger'>,
  ): Promise<{ blacklisted: boolean }> => {
    const email = payload.email.trim().toLowerCase();
    const params = await getParameters(deps.db, payload.tenantId);
    const blacklisted = await applyBlacklistRule(deps, payload.tenantId, email, params);
    if (blacklisted) {
      logger.info({ email }, 'blacklist.added');
    }
    return { blacklisted };
  };
}
