import type { BouncedRecipient, BounceReport } from '@sotamail/mail-core';
import type { MailRef } from './link-bounce.js';

/**
 * `bounced`: a mail we sent failed for good (red envelope, counters, blacklist rule). `delayed`: a
 * warning, the remote server keeps trying. `complaint`: a feedback report (ARF), not a failure.
 * `ignored`: linked to nothing, or not a failure at all. Only `bounced` changes anything.
 */
export type BounceOutcome = 'bounced' | 'delayed' | 'complaint' | 'ignored';

const NOT_FAILED_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);
const NOT_FAILED_REASONS = new Set(['delivered', 'vacation']);

export function outcomeOf(
  kind: BounceReport['kind'],
  recipient: BouncedRecipient,
  linked: boolean,
): BounceOutcome {
  if (!linked) {
    return 'ignored';
  }
  const action = recipient.action?.toLowerCase() ?? null;
  if (kind === 'arf' || recipient.reason === 'feedback') {
    return 'complaint';
  }
  if (NOT_FAILED_REASONS.has(recipient.reason) || (action !== null && NOT_FAILED_ACTIONS.has(action))) {
    return 'ignored';
  }
  return action === 'delayed' ? 'delayed' : 'bounced';
}

export type BounceEffects = {
  /** The outgoing mail and its notification become `bounced` with the reason (R6.3, R10.2). */
  markMailBounced: boolean;
  /** The mailing trace becomes `bounced` (R11). */
  markTrace: boolean;
  /** The contact's bounce counter grows (R10.2). */
  countOnContact: boolean;
  /** The auto-blacklist rule is evaluated for the address (R10.3). */
  checkBlacklist: boolean;
};

// A mail that is being sent again (ready, sending, deferred) after a retry keeps its new attempt;
// a cancelled one stays cancelled. The bounce still counts for the address.
const MARKABLE_STATES = new Set(['sent', 'exception', 'bounced']);

export function effectsOf(outcome: BounceOutcome, mail: MailRef | null): BounceEffects {
  if (outcome !== 'bounced' || mail === null) {
    return { markMailBounced: false, markTrace: false, countOnContact: false, checkBlacklist: false };
  }
  return {
    markMailBounced: MARKABLE_STATES.has(mail.state),
    markTrace: mail.lane === 'mass',
    countOnContact: true,
    checkBlacklist: true,
  };
}

/** The words the chatter shows for a bounced recipient: the remote server's, else the code and reason. */
export function failureTextOf(recipient: BouncedRecipient): string {
  if (recipient.diagnostic?.trim()) {
    return recipient.diagnostic.trim();
  }
  const hardness = recipient.hard ? 'hard' : 'soft';
  return recipient.status
    ? `bounced with status ${recipient.status} (${recipient.reason}, ${hardness})`
    : `bounced (${recipient.reason}, ${hardness})`;
}
