import {
  claimOutgoingMail,
  type Db,
  type DeliveryContext,
  isBlacklisted,
  type OutgoingMail,
  recordBlacklistSkip,
  recordDelivery,
  recordSmtpBounce,
  releaseDailySlot,
  reserveDailySlot,
  type SentRecord,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import {
  bounceAddress,
  catchallAddress,
  classifyReason,
  formatAddress,
  nextUtcWindow,
  utcDay,
  verpAddress,
} from '@sotamail/mail-core';
import { type JobContext, TransientError } from '@sotamail/queues';
import { DelayedError } from 'bullmq';
import type { ContextCache } from '../adapters/context-cache.js';
import { forRecipient, renderShared, type SharedMessage } from '../adapters/mime-render.js';
import type { ResolvedServer, ResolveServer } from '../adapters/resolve-server.js';
import type { SentRecorder } from '../adapters/sent-recorder.js';
import type { ServerThrottle } from '../adapters/server-throttle.js';
import { classifySendFailure, type SmtpFailure } from '../adapters/smtp-failure.js';
import type { SmtpPools } from '../adapters/smtp-pools.js';
import { composeMail } from '../domain/compose-mail.js';
import { planServer } from './plan-server.js';

export type SendMailDeps = {
  db: Db;
  contexts: ContextCache;
  pools: SmtpPools;
  throttle: ServerThrottle;
  resolveServer: ResolveServer;
  recorder: SentRecorder;
  signVerp: (outgoingMailId: string) => string;
  /** Signs a thread id into the Reply-To token (`catchall+<token>@…`); without it, Reply-To is bare. */
  signThread?: (threadId: string) => string;
  now: () => Date;
  throttlePauseMs: number;
  /** How long a claim on a mail in `sending` holds before another job may take the mail. */
  claimLeaseMs: number;
  /** Attempts a mail gets against transient failures, in all. */
  maxAttempts: number;
  /** After a refusal at RCPT is recorded as a bounce: has the auto-blacklist rule run for it. */
  onSmtpBounce: (tenantId: string, email: string) => Promise<void>;
};

export type SendOutcome = 'sent' | 'deferred' | 'exception' | 'bounced' | 'skipped' | 'throttled';

/**
 * What one attempt at one mail came to. Settled outcomes are recorded already; `wait` (a quota or a
 * busy server) and `retry` (a transient failure) are put back by the caller, which knows whether it
 * is a job of its own (moved to delayed, retried by the queue) or one mail of a batch.
 */
export type Attempt =
  | { kind: 'settled'; outcome: 'sent' | 'deferred' | 'exception' | 'bounced' | 'skipped' }
  | { kind: 'wait'; waitMs: number; why: string }
  | { kind: 'retry'; serverId: string | null; failureType: string; reason: string; cause: unknown };

/** The mail went out but could not be recorded: the job keeps the record to write on its retry. */
export class UnrecordedSendError extends Error {
  constructor(
    readonly record: SentRecord,
    cause: unknown,
  ) {
    super('the mail was sent but recording it failed', { cause });
  }
}

/** A mail waiting for a busy or rate-limited server fails after this long, so nothing waits forever. */
const maxQuotaWaitMs = 24 * 3600 * 1000;

/**
 * The job of one outgoing mail (a retry, a mail put back by the release loop, an admin's retry).
 *
 * Crash window (documented in the README): if the process dies after the SMTP server accepted the
 * mail and before `sent` is recorded, the mail is taken again once its claim expires and sent
 * again. Every other crash point leads to exactly one send.
 */
export function createSendMailHandler(deps: SendMailDeps) {
  return async (
    payload: { outgoingMailId: string },
    { job, token, logger }: JobContext,
  ): Promise<SendOutcome> => {
    // A send that went out but could not be recorded (database away) is recorded by the retry
    // instead of being sent again.
    const unrecorded = (job.data as { sentRecord?: SentRecord }).sentRecord;
    if (unrecorded) {
      await deps.recorder.record(unrecorded);
      return 'sent';
    }
    const claim = await claimOutgoingMail(deps.db, payload.outgoingMailId, deps.claimLeaseMs);
    if ('done' in claim) {
      logger.info({ outgoingMailId: payload.outgoingMailId }, 'mail.not_claimable');
      return 'skipped';
    }
    if ('held' in claim) {
      // Another job holds a live claim (a batch still sending it, or a process that died moments
      // ago): come back when the claim runs out rather than risk sending twice.
      await job.moveToDelayed(Date.now() + claim.held.retryInMs, token);
      throw new DelayedError();
    }
    const mail = claim.claimed;
    const log = logger.child({ outgoingMailId: mail.id });
    let attempt: Attempt;
    try {
      attempt = await attemptDelivery(deps, mail, log);
    } catch (err) {
      if (err instanceof UnrecordedSendError) {
        await job.updateData({ ...job.data, sentRecord: err.record }).catch(() => {});
      }
      throw err;
    }
    if (attempt.kind === 'settled') {
      return attempt.outcome;
    }
    if (attempt.kind === 'wait') {
      const due = await putBackToWait(deps, mail, attempt, log);
      if (due === null) {
        return 'exception';
      }
      await job.moveToDelayed(due, token);
      throw new DelayedError();
    }
    if (job.attemptsMade + 1 >= Math.min(job.opts.attempts ?? 1, deps.maxAttempts)) {
      await giveUpRetrying(deps, mail.id, attempt, mail.attempts, log);
      return 'exception';
    }
    await markRetrying(deps, mail.id, attempt);
    throw new TransientError(attempt.failureType, attempt.reason, { cause: attempt.cause });
  };
}

/**
 * One attempt at one claimed mail: apply the daily limit, choose the server (R4, the same code as
 * the preview), rewrite the From (R3), take a permit of the server's quota, send, and record what
 * happened on the mail and its notification.
 */
export async function attemptDelivery(
  deps: SendMailDeps,
  mail: OutgoingMail,
  log: Logger,
  /** What the caller already knows of this mail (a batch asks the blacklist once for all its mails). */
  known: { blacklisted?: boolean } = {},
): Promise<Attempt> {
  const context = await deps.contexts.get(mail);
  if (!context) {
    await recordDelivery(deps.db, mail.id, {
      state: 'exception',
      failureType: 'missing_message',
      failureReason: 'The message of this mail no longer exists.',
    });
    return { kind: 'settled', outcome: 'exception' };
  }
  // Blacklisted addresses get no mass mail; transactional notifications still go (R10.3).
  if (
    mail.lane === 'mass' &&
    (known.blacklisted ?? (await isBlacklisted(deps.db, mail.tenantId, mail.recipientEmail)))
  ) {
    await recordBlacklistSkip(deps.db, mail.id);
    log.info('mail.skipped_blacklisted');
    return { kind: 'settled', outcome: 'skipped' };
  }

  const prepared = prepare(mail, context, deps);
  if (!prepared.ok) {
    await recordDelivery(deps.db, mail.id, {
      state: 'exception',
      failureType: prepared.failureType,
      failureReason: prepared.reason,
    });
    log.warn({ failureType: prepared.failureType, reason: prepared.reason }, 'mail.not_sendable');
    return { kind: 'settled', outcome: 'exception' };
  }
  const { server, envelope, route } = prepared;

  const permit = await acquirePermit(deps.throttle, server);
  if (!permit.ok) {
    return { kind: 'wait', waitMs: permit.waitMs, why: `waiting for the quota of server ${server.name}` };
  }
  try {
    // The daily slot is taken last, once the mail can really go, and given back on any failure:
    // the limit counts mail sent, not attempts.
    const day = utcDay(deps.now());
    const limited = mail.lane === 'transactional' && context.tenant.dailyLimit !== null;
    if (limited && !(await reserveDailySlot(deps.db, mail.tenantId, day, context.tenant.dailyLimit ?? 0))) {
      const opens = nextUtcWindow(deps.now());
      await recordDelivery(deps.db, mail.id, {
        state: 'deferred',
        failureType: 'daily_limit',
        failureReason: `deferred: daily limit of ${context.tenant.dailyLimit} emails reached; goes out after ${opens.toISOString()}`,
        nextAttemptAt: opens,
        refundAttempt: true,
      });
      log.info({ dailyLimit: context.tenant.dailyLimit, opens }, 'mail.deferred_daily_limit');
      return { kind: 'settled', outcome: 'deferred' };
    }
    let response: string;
    try {
      const raw = await prepared.message();
      response =
        // The Message-ID only spares nodemailer making up one for its own records: a raw message
        // goes out exactly as rendered.
        (
          await deps.pools
            .transporterFor(server.settings)
            .sendMail({ envelope, raw, messageId: `<${context.message.messageId}>` })
        ).response ?? '';
    } catch (err) {
      if (limited) {
        await releaseDailySlot(deps.db, mail.tenantId, day);
      }
      return await classifyFailure(deps, mail, err as SmtpFailure, server, log);
    }
    const record: SentRecord = {
      id: mail.id,
      serverId: server.id,
      fromHeader: route.fromHeader,
      envelopeFrom: envelope.from,
      verpToken: prepared.verpToken,
      smtpResponse: response.slice(0, 1000),
      smtpQueueId: queueIdOf(response),
    };
    try {
      await deps.recorder.record(record);
    } catch (err) {
      throw new UnrecordedSendError(record, err);
    }
    log.info({ server: server.name, response }, 'mail.sent');
    return { kind: 'settled', outcome: 'sent' };
  } finally {
    await permit.release().catch((err: unknown) => log.warn({ err }, 'throttle.release_failed'));
  }
}

/**
 * A mail that must wait (a quota, a busy or unreachable server) goes back to `ready`, so that a crash
 * while it waits leaves nothing in `sending`, without using an attempt. Returns when it is due (with
 * jitter, so waiting mails do not all come back at once), or null when it waited too long and failed.
 */
export async function putBackToWait(
  deps: SendMailDeps,
  mail: OutgoingMail,
  attempt: Extract<Attempt, { kind: 'wait' }>,
  log: Logger,
): Promise<number | null> {
  if (await giveUpWaiting(deps, mail, attempt.why, log)) {
    return null;
  }
  await recordDelivery(deps.db, mail.id, {
    state: 'ready',
    failureType: null,
    failureReason: null,
    refundAttempt: true,
  });
  log.debug({ waitMs: attempt.waitMs, why: attempt.why }, 'mail.paused');
  return Date.now() + attempt.waitMs + Math.floor(Math.random() * Math.min(attempt.waitMs, 1000));
}

/** After waiting a day for a quota or a busy server the mail fails, so nothing waits forever. */
async function giveUpWaiting(
  deps: SendMailDeps,
  mail: OutgoingMail,
  why: string,
  log: Logger,
): Promise<boolean> {
  if (Date.now() - mail.createdAt.getTime() <= maxQuotaWaitMs) {
    return false;
  }
  await recordDelivery(deps.db, mail.id, {
    state: 'exception',
    failureType: 'rate_limited',
    failureReason: `gave up after waiting 24 hours: ${why}`,
  });
  log.warn({ why }, 'mail.failed_throttled');
  return true;
}

export async function giveUpRetrying(
  deps: SendMailDeps,
  mailId: string,
  attempt: Extract<Attempt, { kind: 'retry' }>,
  attempts: number,
  log: Logger,
): Promise<void> {
  await recordDelivery(deps.db, mailId, {
    serverId: attempt.serverId,
    state: 'exception',
    failureType: attempt.failureType,
    failureReason: `gave up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: ${attempt.reason}`,
  });
  log.warn({ reason: attempt.reason }, 'mail.failed_after_retries');
}

/** Back to `ready` with the reason shown in the chatter until the next attempt. */
export async function markRetrying(
  deps: SendMailDeps,
  mailId: string,
  attempt: Extract<Attempt, { kind: 'retry' }>,
): Promise<void> {
  await recordDelivery(deps.db, mailId, {
    serverId: attempt.serverId,
    state: 'ready',
    failureType: attempt.failureType,
    failureReason: `retrying: ${attempt.reason}`,
  });
}

type Prepared =
  | {
      ok: true;
      server: ResolvedServer;
      route: { fromHeader: string; envelopeFrom: string };
      verpToken: string | null;
      envelope: { from: string; to: string[] };
      /** The recipient's message: the shared rendering with its To header. */
      message: () => Promise<Buffer>;
    }
  | { ok: false; failureType: string; reason: string };

type MessagePlan =
  | {
      ok: true;
      server: ResolvedServer;
      route: { fromHeader: string; envelopeFrom: string };
      bounce: string | null;
      replyTo: string | null;
      attachments: { filename: string; contentType: string; content: Buffer }[];
      /** Rendered by the first mail that goes (mime-render.ts), then reused by the others. */
      shared: SharedMessage | null;
    }
  | { ok: false; failureType: string; reason: string };

// What is the same for every recipient of a message on one lane (server, From, Reply-To), worked
// out once per cached delivery context rather than once per mail.
const messagePlans = new WeakMap<DeliveryContext, Map<OutgoingMail['lane'], MessagePlan>>();

function planMessage(lane: OutgoingMail['lane'], context: DeliveryContext, deps: SendMailDeps): MessagePlan {
  const byLane = messagePlans.get(context) ?? new Map<OutgoingMail['lane'], MessagePlan>();
  messagePlans.set(context, byLane);
  const known = byLane.get(lane);
  if (known) {
    return known;
  }
  const author = context.message.authorEmail
    ? formatAddress(
        context.message.authorName ?? context.message.authorEmail.split('@')[0] ?? '',
        context.message.authorEmail,
      )
    : null;
  const defaultFromParam = context.params['mail.default.from'] ?? 'notifications';
  const from =
    author ??
    (defaultFromParam.includes('@') ? defaultFromParam : `${defaultFromParam}@${context.tenant.aliasDomain}`);
  const planned = planServer(deps.resolveServer, context, from, lane);
  let result: MessagePlan;
  if (!planned.ok) {
    result = planned;
  } else {
    const { params } = planned;
    const replyBase = context.threadAlias?.active
      ? `${context.threadAlias.name}@${context.tenant.aliasDomain}`
      : catchallAddress(params);
    // A signed thread token on the Reply-To (`catchall+<token>@…`, the `+<token>` form of
    // verpAddress) brings a reply to its thread even when a provider rewrote the Message-ID chain.
    // Bare when no signer is configured or the local part would pass the 64 characters it may have.
    const replyToken = replyBase && deps.signThread ? deps.signThread(context.thread.id) : null;
    const replyTo =
      replyBase && replyToken && replyBase.lastIndexOf('@') + 1 + replyToken.length <= 64
        ? verpAddress(replyBase, replyToken)
        : replyBase;
    result = {
      ok: true,
      server: planned.server,
      route: planned.route,
      bounce: bounceAddress(params),
      replyTo: replyTo ? formatAddress(context.tenant.name, replyTo) : null,
      attachments: context.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
      })),
      shared: null,
    };
  }
  byLane.set(lane, result);
  return result;
}

function prepare(mail: OutgoingMail, context: DeliveryContext, deps: SendMailDeps): Prepared {
  const plan = planMessage(mail.lane, context, deps);
  if (!plan.ok) {
    return plan;
  }
  const { bounce, route } = plan;
  // The VERP token only goes on our own bounce address; an envelope that is the author's own
  // address (the server may not send as our domain, R3.5) carries no token.
  const verpToken =
    bounce && route.envelopeFrom.toLowerCase() === bounce.toLowerCase() ? deps.signVerp(mail.id) : null;
  const envelopeFrom = verpToken && bounce ? verpAddress(bounce, verpToken) : route.envelopeFrom;
  // Everything but the recipient is the same for every follower: composed and rendered once (its
  // Date is when the first of them went), then given each recipient's To header.
  if (!plan.shared) {
    const {
      to: _to,
      envelope: _envelope,
      ...common
    } = composeMail({
      message: context.message,
      thread: context.thread,
      recipient: { email: mail.recipientEmail, name: mail.recipientName },
      fromHeader: route.fromHeader,
      replyTo: plan.replyTo,
      references: context.references,
      envelope: { from: envelopeFrom, to: mail.recipientEmail },
      attachments: plan.attachments,
      date: deps.now(),
    });
    plan.shared = renderShared(common);
    // A failed rendering fails each mail that awaits it (message() below); until one does, it must
    // not count as an unhandled rejection, which stops the process.
    plan.shared.catch(() => {});
  }
  const shared = plan.shared;
  const to = { name: mail.recipientName ?? '', address: mail.recipientEmail };
  const envelope = { from: envelopeFrom, to: [mail.recipientEmail] };
  return {
    ok: true,
    server: plan.server,
    route,
    verpToken,
    envelope,
    message: async () => forRecipient(await shared, to),
  };
}

async function classifyFailure(
  deps: SendMailDeps,
  mail: OutgoingMail,
  err: SmtpFailure,
  server: ResolvedServer,
  log: Logger,
): Promise<Attempt> {
  const outcome = classifySendFailure(err);
  const base = { serverId: server.id, failureType: outcome.failureType, failureReason: outcome.reason };
  if (outcome.kind === 'throttled') {
    // Every instance stops sending through this server for a while: the mail waits, it does not fail.
    await deps.throttle.pause(server.key, deps.throttlePauseMs);
    log.info({ reason: outcome.reason }, 'server.busy');
    return {
      kind: 'wait',
      waitMs: deps.throttlePauseMs,
      why: `server ${server.name} is busy: ${outcome.reason}`,
    };
  }
  if (outcome.kind === 'permanent') {
    if (outcome.isRecipientBounce) {
      await recordSmtpBounce(deps.db, mail, {
        ...base,
        state: 'bounced',
        statusCode: outcome.statusCode,
        hard: outcome.hardBounce,
        // The same vocabulary as bounces read from reports (userunknown, mailboxfull …).
        reason: classifyReason({
          status: outcome.statusCode,
          diagnostic: err.response ?? err.message,
          command: 'RCPT',
        }),
      });
      log.warn({ reason: outcome.reason }, 'mail.rejected_at_rcpt');
      // Best effort: the bounce is recorded either way, and the next bounce runs the rule again.
      await deps
        .onSmtpBounce(mail.tenantId, mail.recipientEmail)
        .catch((err: unknown) => log.warn({ err }, 'blacklist.check_not_queued'));
      return { kind: 'settled', outcome: 'bounced' };
    }
    await recordDelivery(deps.db, mail.id, { ...base, state: 'exception' });
    log.warn({ reason: outcome.reason, failureType: outcome.failureType }, 'mail.failed_permanently');
    return { kind: 'settled', outcome: 'exception' };
  }
  return {
    kind: 'retry',
    serverId: server.id,
    failureType: outcome.failureType,
    reason: outcome.reason,
    cause: err,
  };
}

/** A connection slot frees within moments: wait for it here rather than in the delayed set. */
const localWaitMs = 5_000;

export async function acquirePermit(throttle: ServerThrottle, server: ResolvedServer) {
  const deadline = Date.now() + localWaitMs;
  for (;;) {
    const permit = await throttle.acquire(server.key, server.limits);
    if (permit.ok || permit.waitMs > 1_000 || Date.now() > deadline) {
      return permit;
    }
    await new Promise((r) => setTimeout(r, Math.min(permit.waitMs, 25 + Math.random() * 25)));
  }
}

/** "250 2.0.0 Ok: queued as 4XyZ" (Postfix), "250 OK id=1abc-0002" (Exim), "250 2.6.0 <id> [InternalId=…]". */
export function queueIdOf(response: string): string | null {
  const match = /queued as ([A-Za-z0-9.-]+)/i.exec(response) ?? /\bid=([A-Za-z0-9.-]+)/i.exec(response);
  return match?.[1] ?? null;
}
