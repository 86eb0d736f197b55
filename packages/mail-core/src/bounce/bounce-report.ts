/** Sisimai's reason vocabulary (the reference in bounce classification), which the corpus is labelled in. */
export const BOUNCE_REASONS = [
  'userunknown',
  'hostunknown',
  'hasmoved',
  'notaccept',
  'mailboxfull',
  'exceedlimit',
  'mesgtoobig',
  'filtered',
  'rejected',
  'blocked',
  'spamdetected',
  'virusdetected',
  'policyviolation',
  'securityerror',
  'authfailure',
  'requireptr',
  'notcompliantrfc',
  'norelaying',
  'toomanyconn',
  'speeding',
  'expired',
  'networkerror',
  'systemerror',
  'systemfull',
  'mailererror',
  'contenterror',
  'syntaxerror',
  'suspend',
  'onhold',
  'badreputation',
  'failedstarttls',
  'undefined',
  'vacation',
  'feedback',
  'delivered',
] as const;

export type BounceReason = (typeof BOUNCE_REASONS)[number];

export type BouncedRecipient = {
  /** The recipient that failed, as reported; null when the report does not say. */
  address: string | null;
  /**
   * The enhanced status code (RFC 3463), e.g. `5.1.1`. When the report has none: `5.0.0`/`4.0.0`
   * (class only) from a basic reply code (550) or from words saying the failure is permanent or
   * temporary; null when nothing tells.
   */
  status: string | null;
  /** True only when the address itself is permanently undeliverable (see isHardReason). */
  hard: boolean;
  reason: BounceReason;
  /** The remote server's words, on one line; null when the report has none. */
  diagnostic: string | null;
  /**
   * The DSN Action (`failed`, `delayed` …); for a report without one, `delayed` when its words say
   * the MTA keeps trying, else `failed`; null for feedback reports.
   */
  action: string | null;
};

export type BounceReport = {
  kind: 'dsn' | 'arf' | 'non-standard';
  recipients: BouncedRecipient[];
  /** The Message-ID of the mail that bounced, without <>, when the report carries it. */
  originalMessageId: string | null;
  /** The Message-IDs of the returned original's References and In-Reply-To, without <>. */
  originalReferences: string[];
};

// Sisimai's convention: a bounce is hard when the address can never receive mail, whatever the code.
// A 5xx for spam, policy or a full mailbox says nothing about the address itself.
const HARD_REASONS: ReadonlySet<BounceReason> = new Set([
  'userunknown',
  'hostunknown',
  'hasmoved',
  'notaccept',
]);

/** Hard: the reason says the address is gone, and the status, if any, is not a temporary (4.x.x) one. */
export function isHardBounce(reason: BounceReason, status: string | null): boolean {
  return HARD_REASONS.has(reason) && !status?.startsWith('4');
}
