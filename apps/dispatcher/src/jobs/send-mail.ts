import {
  claimOutgoingMail,
  type Db,
  type DeliveryContext,
  type OutgoingMail,
  recordDelivery,
  recordSmtpBounce,
  releaseDailySlot,
  reserveDailySlot,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import {
  bounceAddress,
  catchallAddress,
  classifySmtpError,
  formatAddress,
  nextUtcWindow,
  planOutgoingRoute,
  utcDay,
  verpAddress,
} from '@sotamail/mail-core';
import { type JobContext, TransientError } from '@sotamail/queues';
import { DelayedError } from 'bullmq';
import type { ContextCache } from '../adapters/context-cache.js';
import type { ResolvedServer, ResolveServer } from '../adapters/resolve-server.js';
import type { ServerThrottle } from '../adapters/server-throttle.js';
import type { SmtpPools } from '../adapters/smtp-pools.js';
import { composeMail } from '../domain/compose-mail.js';

export type SendMailDeps = {
  db: Db;
  contexts: ContextCache;
  pools: SmtpPools;
  throttle: ServerThrottle;
  resolveServer: ResolveServer;
  signVerp: (outgoingMailId: string) => string;
  now: () => Date;
  throttlePauseMs: number;
};

export type SendOutcome = 'sent' | 'deferred' | 'exception' | 'bounced' | 'skipped' | 'throttled';

/** A mail waiting for a busy or rate-limited server fails after this long, so nothing waits forever. */
const maxQuotaWaitMs = 24 * 3600 * 1000;

/**
 * Sends one outgoing mail: claim it, apply the daily limit, choose the server (R4, the same code as
 * the preview), rewrite the From (R3), take a permit of the server's quota, send, and record what
 * happened on the mail and its notification.
 *
 * Crash window (documented in the README): if the process dies after the SMTP server accepted the
 * mail and before `sent` is recorded, the job is handed to another instance, which sends it again.
 * Every other crash point leads to exactly one send.
 */
export function createSendMailHandler(deps: SendMailDeps) {
  return async (
    payload: { outgoingMailId: string },
    { job, token, logger }: JobContext,
  ): Promise<SendOutcome> => {
    const mail = await claimOutgoingMail(deps.db, payload.outgoingMailId);
    if (!mail) {
      logger.info({ outgoingMailId: payload.outgoingMailId }, 'mail.not_claimable');
      return 'skipped';
    }
    const log = logger.child({ outgoingMailId: mail.id });
    const context = await deps.contexts.get(mail);
    if (!context) {
      await recordDelivery(deps.db, mail.id, {
        state: 'exception',
        failureType: 'missing_message',
        failureReason: 'The message of this mail no longer exists.',
      });
      return 'exception';
    }

    const prepared = prepare(mail, context, deps);
    if (!prepared.ok) {
      await recordDelivery(deps.db, mail.id, {
        state: 'exception',
        failureType: prepared.failureType,
        failureReason: prepared.reason,
      });
      log.warn({ failureType: prepared.failureType, reason: prepared.reason }, 'mail.not_sendable');
      return 'exception';
    }
    const { server, mailOptions, route } = prepared;

    // A send that went out but could not be recorded (database away) is recorded by the retry
    // instead of being sent again.
    const alreadySent = (job.data as { sentResponse?: string }).sentResponse;
    if (alreadySent !== undefined) {
      await recordSent(deps, mail, server, route, prepared.verpToken, mailOptions.envelope.from, alreadySent);
      return 'sent';
    }

    const permit = await acquirePermit(deps.throttle, server);
    if (!permit.ok) {
      return pauseJob(
        deps,
        mail,
        job,
        token,
        permit.waitMs,
        `waiting for the quota of server ${server.name}`,
        log,
      );
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
        });
        log.info({ dailyLimit: context.tenant.dailyLimit, opens }, 'mail.deferred_daily_limit');
        return 'deferred';
      }
      let response: string;
      try {
        response = (await deps.pools.transporterFor(server.settings).sendMail(mailOptions)).response ?? '';
      } catch (err) {
        if (limited) {
          await releaseDailySlot(deps.db, mail.tenantId, day);
        }
        return await handleFailure(deps, mail, job, token, err as SmtpFailure, server, log);
      }
      try {
        await recordSent(deps, mail, server, route, prepared.verpToken, mailOptions.envelope.from, response);
      } catch (err) {
        await job.updateData({ ...job.data, sentResponse: response }).catch(() => {});
        throw err;
      }
      log.info({ server: server.name, response }, 'mail.sent');
      return 'sent';
    } finally {
      await permit.release().catch((err: unknown) => log.warn({ err }, 'throttle.release_failed'));
    }
  };
}

async function recordSent(
  deps: SendMailDeps,
  mail: OutgoingMail,
  server: ResolvedServer,
  route: { fromHeader: string },
  verpToken: string | null,
  envelopeFrom: string,
  response: string,
): Promise<void> {
  const update = {
    state: 'sent' as const,
    serverId: server.id,
    fromHeader: route.fromHeader,
    envelopeFrom,
    verpToken,
    smtpResponse: response.slice(0, 1000),
    smtpQueueId: queueIdOf(response),
  };
  // The mail is out: try hard to record it before giving up to the job's own retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await recordDelivery(deps.db, mail.id, update);
      return;
    } catch (err) {
      if (attempt >= 5) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

type Prepared =
  | {
      ok: true;
      server: ResolvedServer;
      route: { fromHeader: string; envelopeFrom: string };
      verpToken: string | null;
      mailOptions: ReturnType<typeof composeMail>;
    }
  | { ok: false; failureType: string; reason: string };

function prepare(mail: OutgoingMail, context: DeliveryContext, deps: SendMailDeps): Prepared {
  const params: Record<string, string> = {
    ...context.params,
    'mail.catchall.domain': context.tenant.aliasDomain,
  };
  const author = context.message.authorEmail
    ? formatAddress(
        context.message.authorName ?? context.message.authorEmail.split('@')[0] ?? '',
        context.message.authorEmail,
      )
    : null;
  const defaultFromParam = params['mail.default.from'] ?? 'notifications';
  const from =
    author ??
    (defaultFromParam.includes('@') ? defaultFromParam : `${defaultFromParam}@${context.tenant.aliasDomain}`);
  const plan = planOutgoingRoute({
    servers: context.servers.map((s) => ({
      id: s.id,
      name: s.name,
      fromFilter: s.fromFilter,
      priority: s.priority,
      active: s.active,
    })),
    params,
    from,
    kind: mail.lane,
    dedicatedServerId: context.tenant.massMailingServerId,
  });
  if (!plan.ok) {
    return { ok: false, failureType: 'mail_from_invalid', reason: plan.error.message };
  }
  const server = deps.resolveServer(context, plan.value.serverId);
  if (!server.ok) {
    return { ok: false, failureType: server.failureType, reason: server.reason };
  }
  const bounce = bounceAddress(params);
  // The VERP token only goes on our own bounce address; an envelope that is the author's own
  // address (the server may not send as our domain, R3.5) carries no token.
  const verpToken =
    bounce && plan.value.envelopeFrom.toLowerCase() === bounce.toLowerCase() ? deps.signVerp(mail.id) : null;
  const envelopeFrom = verpToken && bounce ? verpAddress(bounce, verpToken) : plan.value.envelopeFrom;
  const replyTo = context.threadAlias?.active
    ? `${context.threadAlias.name}@${context.tenant.aliasDomain}`
    : catchallAddress(params);
  const mailOptions = composeMail({
    message: context.message,
    thread: context.thread,
    recipient: { email: mail.recipientEmail, name: mail.recipientName },
    fromHeader: plan.value.fromHeader,
    replyTo: replyTo ? formatAddress(context.tenant.name, replyTo) : null,
    references: context.references,
    envelope: { from: envelopeFrom, to: mail.recipientEmail },
    attachments: context.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
    })),
    date: deps.now(),
  });
  return { ok: true, server: server.server, route: plan.value, verpToken, mailOptions };
}

type SmtpFailure = Error & {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: string[];
};

async function handleFailure(
  deps: SendMailDeps,
  mail: OutgoingMail,
  job: JobContext['job'],
  token: string | undefined,
  err: SmtpFailure,
  server: ResolvedServer,
  log: Logger,
): Promise<SendOutcome> {
  const outcome = classifySmtpError({
    code: err.code,
    originalCode: err.originalCode,
    responseCode: err.responseCode,
    response: err.response,
    command: err.command,
    message: err.message,
    rejectedRecipient: Boolean(err.rejected?.length),
  });
  const base = { serverId: server.id, failureType: outcome.failureType, failureReason: outcome.reason };
  if (outcome.kind === 'throttled') {
    await deps.throttle.pause(server.key, deps.throttlePauseMs);
    return pauseJob(
      deps,
      mail,
      job,
      token,
      deps.throttlePauseMs,
      `server ${server.name} is busy: ${outcome.reason}`,
      log,
    );
  }
  if (outcome.kind === 'permanent') {
    if (outcome.isRecipientBounce) {
      await recordSmtpBounce(deps.db, mail, {
        ...base,
        state: 'bounced',
        statusCode: outcome.statusCode,
        hard: outcome.hardBounce,
      });
      log.warn({ reason: outcome.reason }, 'mail.rejected_at_rcpt');
      return 'bounced';
    }
    await recordDelivery(deps.db, mail.id, { ...base, state: 'exception' });
    log.warn({ reason: outcome.reason, failureType: outcome.failureType }, 'mail.failed_permanently');
    return 'exception';
  }
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 >= attempts) {
    await recordDelivery(deps.db, mail.id, {
      ...base,
      state: 'exception',
      failureReason: `gave up after ${attempts} attempts: ${outcome.reason}`,
    });
    log.warn({ reason: outcome.reason }, 'mail.failed_after_retries');
    return 'exception';
  }
  await recordDelivery(deps.db, mail.id, {
    ...base,
    state: 'ready',
    failureReason: `retrying: ${outcome.reason}`,
  });
  throw new TransientError(outcome.failureType, outcome.reason, { cause: err });
}

/** A connection slot frees within moments: wait for it here rather than in the delayed set. */
const localWaitMs = 5_000;

async function acquirePermit(throttle: ServerThrottle, server: ResolvedServer) {
  const deadline = Date.now() + localWaitMs;
  for (;;) {
    const permit = await throttle.acquire(server.key, server.limits);
    if (permit.ok || permit.waitMs > 1_000 || Date.now() > deadline) {
      return permit;
    }
    await new Promise((r) => setTimeout(r, Math.min(permit.waitMs, 25 + Math.random() * 25)));
  }
}

/** Puts the job back for later without counting an attempt (quota, busy server). */
async function pauseJob(
  deps: SendMailDeps,
  mail: OutgoingMail,
  job: JobContext['job'],
  token: string | undefined,
  waitMs: number,
  why: string,
  log: Logger,
): Promise<SendOutcome> {
  if (Date.now() - mail.createdAt.getTime() > maxQuotaWaitMs) {
    await recordDelivery(deps.db, mail.id, {
      state: 'exception',
      failureType: 'rate_limited',
      failureReason: `gave up after waiting 24 hours: ${why}`,
    });
    log.warn({ why }, 'mail.failed_throttled');
    return 'exception';
  }
  // Back to `ready` so that a crash while delayed leaves nothing in `sending`.
  await recordDelivery(deps.db, mail.id, { state: 'ready', failureType: null, failureReason: null });
  const jitter = Math.floor(Math.random() * Math.min(waitMs, 1000));
  await job.moveToDelayed(Date.now() + waitMs + jitter, token);
  log.debug({ waitMs, why }, 'mail.paused');
  throw new DelayedError();
}

/** "250 2.0.0 Ok: queued as 4XyZ" (Postfix), "250 OK id=1abc-0002" (Exim), "250 2.6.0 <id> [InternalId=…]". */
export function queueIdOf(response: string): string | null {
  const match = /queued as ([A-Za-z0-9.-]+)/i.exec(response) ?? /\bid=([A-Za-z0-9.-]+)/i.exec(response);
  return match?.[1] ?? null;
}
