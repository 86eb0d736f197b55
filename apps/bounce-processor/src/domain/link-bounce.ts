import type { BouncedRecipient, BounceReport } from '@sotamail/mail-core';
import type { VerpFinding } from './find-verp-token.js';

/** What the linking needs to know of an outgoing mail. */
export type MailRef = {
  id: string;
  recipientEmail: string;
  recipientContactId: string | null;
  lane: 'transactional' | 'mass';
  state: string;
};

export type LinkFacts = {
  verp: VerpFinding;
  /** The mail a valid token names, when it exists in this database. */
  verpMail: MailRef | null;
  /** Mails of this database sent with the report's original Message-ID (one per recipient). */
  byMessageId: readonly MailRef[];
  /** Mails of the threads the report's References name, newest first. */
  byReferences: readonly MailRef[];
};

export type LinkedBy = 'verp' | 'message_id' | 'references' | 'none';

export type RecipientLink = {
  recipient: BouncedRecipient;
  /** Lower-cased; the linked mail's recipient for a VERP link, `''` when the report names nobody. */
  email: string;
  mail: MailRef | null;
  linkedBy: LinkedBy;
  /** How it was linked, or why it links to nothing, for a person. */
  note: string;
};

// A report that names no recipient still says that the mail it is about failed.
const unnamed: BouncedRecipient = {
  address: null,
  status: null,
  hard: false,
  reason: 'undefined',
  diagnostic: null,
  action: null,
};

const same = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
const isFailure = (r: BouncedRecipient) => r.action === null || r.action.toLowerCase() === 'failed';

/**
 * Links each bounced recipient of a report to the mail we sent, in the order of trust of R10.1: the
 * signed VERP token of the address the bounce came back to (it names the mail and so its recipient),
 * then the original Message-ID the report quotes, then its References. Content can be forged, so a
 * recipient is linked by content only to a mail that was really sent to that address; a recipient we
 * never wrote to links to nothing. Pure: the caller looks the facts up.
 */
export function linkBounce(report: BounceReport, facts: LinkFacts): RecipientLink[] {
  const recipients = report.recipients.length > 0 ? report.recipients : [unnamed];
  const unlinked = (recipient: BouncedRecipient, note: string): RecipientLink => ({
    recipient,
    email: recipient.address?.trim().toLowerCase() ?? '',
    mail: null,
    linkedBy: 'none',
    note,
  });

  const { verp } = facts;
  if (verp.kind === 'invalid') {
    return recipients.map((r) =>
      unlinked(r, `the VERP token "${verp.token}" has no valid signature: ignored as forged`),
    );
  }
  if (verp.kind === 'valid') {
    const mail = facts.verpMail;
    if (mail === null) {
      return recipients.map((r) =>
        unlinked(
          r,
          `the VERP token names outgoing mail ${verp.outgoingMailId}, which this database does not have`,
        ),
      );
    }
    // The token names one mail, so one recipient: the one the report names, else the failure it
    // reports under another address (an alias or a forward of the recipient bounced).
    const chosen =
      recipients.find((r) => same(r.address, mail.recipientEmail)) ??
      recipients.find(isFailure) ??
      recipients[0];
    return recipients.map((r) => {
      if (r !== chosen) {
        return unlinked(r, `not the recipient of outgoing mail ${mail.id}, which the VERP token names`);
      }
      const named =
        r.address !== null && !same(r.address, mail.recipientEmail) ? ` (the report names ${r.address})` : '';
      return {
        recipient: r,
        email: mail.recipientEmail.toLowerCase(),
        mail,
        linkedBy: 'verp',
        note: `linked by its signed VERP token to the mail for ${mail.recipientEmail}${named}`,
      };
    });
  }

  return recipients.map((r) => {
    if (r.address === null) {
      return unlinked(r, 'no VERP token, and the report names no recipient address');
    }
    const address = r.address;
    const byContent: [LinkedBy, readonly MailRef[], string][] = [
      ['message_id', facts.byMessageId, `its original Message-ID <${report.originalMessageId ?? ''}>`],
      ['references', facts.byReferences, 'its References'],
    ];
    for (const [linkedBy, mails, what] of byContent) {
      if (mails.length === 0) {
        continue;
      }
      const mail = mails.find((m) => same(address, m.recipientEmail));
      if (!mail) {
        return unlinked(
          r,
          `the report names ${address}, to whom the mail found by ${what} was not sent: ignored as forged`,
        );
      }
      return { recipient: r, email: address.trim().toLowerCase(), mail, linkedBy, note: `linked by ${what}` };
    }
    return unlinked(
      r,
      'no VERP token, and neither the original Message-ID nor the References name a mail of this database',
    );
  });
}
