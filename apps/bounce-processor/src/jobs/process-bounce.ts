import {
  addBlacklistEntry,
  type BounceCandidate,
  countableBounces,
  type Db,
  findBounceCandidate,
  findBounceCandidatesByMessageId,
  findBounceCandidatesByReferences,
  findRawInbound,
  getParameters,
  lastBlacklistRemoval,
  lastSuccessfulDelivery,
  type RawInbound,
  recordBounce,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import { type BounceReport, readBounce } from '@sotamail/mail-core';
import { type JobContext, PermanentError } from '@sotamail/queues';
import { blacklistParams, blacklistVerdict } from '../domain/blacklist-rule.js';
import { effectsOf, failureTextOf, outcomeOf } from '../domain/bounce-effects.js';
import { envelopeRecipients } from '../domain/envelope-recipients.js';
import { findVerpToken } from '../domain/find-verp-token.js';
import { type LinkFacts, linkBounce, type RecipientLink } from '../domain/link-bounce.js';

export type ProcessBounceDeps = {
  db: Db;
  /** TokenSigner.verify of the `verp` purpose: the outgoing mail id of a genuine token, else null. */
  verifyVerp: (token: string) => string | null;
  /** The clock of the blacklist rule's window. */
  now: () => Date;
};

export type ProcessBounceResult = {
  kind: BounceReport['kind'] | null;
  recipients: { email: string; linkedBy: string; outcome: string; recorded: boolean; blacklisted: boolean }[];
};

/**
 * Reads one stored bounce and applies it (R10): links each bounced recipient to the mail we sent,
 * marks that mail's notification `bounced` with the reason (the red envelope), its mailing trace,
 * the contact's counter, and runs the auto-blacklist rule. A bounce that links to nothing is kept
 * with what was read, for an admin. Re-running it changes nothing: each recipient's event is unique.
 */
export function createProcessBounceHandler(deps: ProcessBounceDeps) {
  return async (
    payload: { tenantId: string; rawInboundId: string },
    { logger }: Pick<JobContext, 'logger'>,
  ): Promise<ProcessBounceResult> => {
    const raw = await findRawInbound(deps.db, payload.tenantId, payload.rawInboundId);
    if (!raw) {
      throw new PermanentError('RAW_NOT_FOUND', `stored mail ${payload.rawInboundId} does not exist`);
    }
    let report: BounceReport | null;
    try {
      report = readBounce(raw.raw);
    } catch (err) {
      // The reader is pure and should never throw; if it does, the mail is kept, not retried forever.
      logger.error({ err, rawInboundId: raw.id }, 'bounce.unreadable');
      await keepUnread(deps.db, raw, `the report could not be read: ${(err as Error).message}`);
      return { kind: null, recipients: [] };
    }
    if (report === null) {
      await keepUnread(
        deps.db,
        raw,
        'not a delivery report (no bounced recipient could be read): nothing changed',
      );
      logger.info({ rawInboundId: raw.id }, 'bounce.not_a_report');
      return { kind: null, recipients: [] };
    }

    const params = await getParameters(deps.db, raw.tenantId);
    const facts = await gatherFacts(deps, raw, report, params['mail.bounce.alias']?.trim() || 'bounce');
    const links = linkBounce(report, facts);
    const results: ProcessBounceResult['recipients'] = [];
    for (const link of links) {
      results.push(await applyLink(deps, raw, report, link, params, logger));
    }
    return { kind: report.kind, recipients: results };
  };
}

async function gatherFacts(
  deps: ProcessBounceDeps,
  raw: RawInbound,
  report: BounceReport,
  bounceAlias: string,
): Promise<LinkFacts> {
  const verp = findVerpToken(envelopeRecipients(raw.raw, raw.envelopeTo), bounceAlias, deps.verifyVerp);
  if (verp.kind !== 'none') {
    const mail =
      verp.kind === 'valid'
        ? await findBounceCandidate(deps.db, raw.tenantId, verp.outgoingMailId)
        : undefined;
    return { verp, verpMail: mail ?? null, byMessageId: [], byReferences: [] };
  }
  const byMessageId = report.originalMessageId
    ? await findBounceCandidatesByMessageId(deps.db, raw.tenantId, report.originalMessageId)
    : [];
  const byReferences: BounceCandidate[] =
    byMessageId.length === 0
      ? await findBounceCandidatesByReferences(deps.db, raw.tenantId, report.originalReferences)
      : [];
  return { verp, verpMail: null, byMessageId, byReferences };
}

async function applyLink(
  deps: ProcessBounceDeps,
  raw: RawInbound,
  report: BounceReport,
  link: RecipientLink,
  params: Record<string, string>,
  logger: Logger,
) {
  const { recipient, mail } = link;
  const outcome = outcomeOf(report.kind, recipient, mail !== null);
  const effects = effectsOf(outcome, mail);
  const { recorded } = await recordBounce(
    deps.db,
    {
      tenantId: raw.tenantId,
      rawInboundId: raw.id,
      sourceKey: bounceKey(raw),
      email: link.email,
      hard: recipient.hard,
      statusCode: recipient.status,
      reason: recipient.reason,
      diagnostic: recipient.diagnostic,
      kind: report.kind,
      originalMessageId: report.originalMessageId,
      linkedBy: link.linkedBy,
      outcome,
      action: recipient.action,
      note: link.note,
      // What was read is kept whole when nothing else records it.
      report: mail === null ? { ...report } : null,
      occurredAt: raw.receivedAt,
      outgoingMailId: mail?.id ?? null,
      contactId: mail?.recipientContactId ?? null,
    },
    {
      markMail: effects.markMailBounced
        ? { failureType: recipient.reason, failureReason: failureTextOf(recipient) }
        : null,
      markTrace: effects.markTrace,
      countOnContact: effects.countOnContact,
    },
  );
  // The rule runs even for an event already recorded: a crash between the two steps must not lose
  // a blacklisting, and the rule itself is idempotent.
  const blacklisted = effects.checkBlacklist
    ? await applyBlacklistRule(deps, raw.tenantId, link.email, params)
    : false;
  logger.info(
    {
      rawInboundId: raw.id,
      email: link.email,
      outgoingMailId: mail?.id ?? null,
      linkedBy: link.linkedBy,
      outcome,
      reason: recipient.reason,
      status: recipient.status,
      recorded,
      blacklisted,
    },
    'bounce.applied',
  );
  return { email: link.email, linkedBy: link.linkedBy, outcome, recorded, blacklisted };
}

/** Runs the R10.3 rule for one address and blacklists it when the rule says so. */
export async function applyBlacklistRule(
  deps: Pick<ProcessBounceDeps, 'db' | 'now'>,
  tenantId: string,
  email: string,
  params: Record<string, string>,
): Promise<boolean> {
  const rule = blacklistParams(params);
  const now = deps.now();
  const since = new Date(now.getTime() - rule.periodDays * 24 * 3600 * 1000);
  const [bounces, lastSuccessAt, lastRemovedAt] = await Promise.all([
    countableBounces(deps.db, tenantId, email, since),
    lastSuccessfulDelivery(deps.db, tenantId, email),
    lastBlacklistRemoval(deps.db, tenantId, email),
  ]);
  const verdict = blacklistVerdict({ email, bounces, lastSuccessAt, lastRemovedAt, now, params: rule });
  if (!verdict.blacklist) {
    return false;
  }
  await addBlacklistEntry(deps.db, {
    tenantId,
    email,
    note: verdict.why,
    source: 'auto',
    createdBy: 'bounce-processor',
  });
  return true;
}

/**
 * What makes a bounce the same bounce: its bytes. The same report fetched from a mailbox and also
 * received over SMTP is stored twice but counts once.
 */
const bounceKey = (raw: RawInbound) => `dsn:${raw.sha256}`;

/** A mail handed over as a bounce that cannot be read as one: kept with the reason, changes nothing. */
async function keepUnread(db: Db, raw: RawInbound, note: string) {
  await recordBounce(
    db,
    {
      tenantId: raw.tenantId,
      rawInboundId: raw.id,
      sourceKey: bounceKey(raw),
      email: '',
      hard: false,
      statusCode: null,
      reason: 'undefined',
      diagnostic: null,
      kind: 'unreadable',
      originalMessageId: null,
      linkedBy: 'none',
      outcome: 'ignored',
      action: null,
      note,
      report: null,
      occurredAt: raw.receivedAt,
      outgoingMailId: null,
      contactId: null,
    },
    { markMail: null, markTrace: false, countOnContact: false },
  );
}
