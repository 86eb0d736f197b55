import {
  claimNotice,
  type InboundNotice,
  loadNoticeContext,
  type NoticeContext,
  recordNoticeOutcome,
  releaseDailySlot,
  reserveDailySlot,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import {
  catchallAddress,
  defaultFromAddress,
  formatAddress,
  nextUtcWindow,
  utcDay,
} from '@sotamail/mail-core';
import { type JobContext, TransientError } from '@sotamail/queues';
import { DelayedError, type Job } from 'bullmq';
import type { ResolvedServer } from '../adapters/resolve-server.js';
import { classifySendFailure, type SmtpFailure } from '../adapters/smtp-failure.js';
import { planServer, routeParams } from './plan-server.js';
import { acquirePermit, type SendMailDeps } from './send-mail.js';

export type SendNoticeDeps = Pick<
  SendMailDeps,
  'db' | 'pools' | 'throttle' | 'resolveServer' | 'now' | 'throttlePauseMs'
>;

export type NoticeOutcome = 'sent' | 'failed' | 'skipped';

/** A notice waiting for a busy server or a quota is given up after this long: it is stale by then. */
const maxWaitMs = 24 * 3600 * 1000;

/**
 * The notice for one refused sender (R8.3, R8.4), written by the router. It is sent like any mail of
 * the database: the daily limit (R1.1), the server and From chosen by the same planning code as the
 * chatter's mail (R4, R3), the server's quota, the same classifier of SMTP outcomes. From is the
 * database's default From (else its catchall) under the database's name; the envelope sender is our
 * bounce address without a token, so a bounce of the notice goes to the bounce processor and never
 * makes another notice.
 *
 * Crash window: as for mail, a notice accepted by the SMTP server whose `sent` was not recorded before
 * the process died is sent again.
 */
export function createSendNoticeHandler(deps: SendNoticeDeps) {
  return async (
    payload: { tenantId: string; noticeId: string },
    { job, token, logger }: JobContext,
  ): Promise<NoticeOutcome> => {
    const notice = await claimNotice(deps.db, payload.tenantId, payload.noticeId);
    if (!notice) {
      return 'skipped';
    }
    const log = logger.child({ noticeId: notice.id });
    const context = await loadNoticeContext(deps.db, notice.tenantId);
    const prepared = context ? prepare(deps, context, notice) : notPrepared('the database no longer exists');
    if (!prepared.ok) {
      await recordNoticeOutcome(deps.db, notice.id, { state: 'failed', failureReason: prepared.reason });
      log.warn({ reason: prepared.reason }, 'notice.not_sendable');
      return 'failed';
    }
    const { server, route, options, tenant } = prepared;
    const sentBy = { serverId: server.id, fromHeader: route.fromHeader, envelopeFrom: route.envelopeFrom };

    const permit = await acquirePermit(deps.throttle, server);
    if (!permit.ok) {
      return wait(
        deps,
        { job, token, notice, log },
        permit.waitMs,
        `waiting for the quota of server ${server.name}`,
      );
    }
    try {
      const day = utcDay(deps.now());
      const limited = tenant.dailyLimit !== null;
      if (limited && !(await reserveDailySlot(deps.db, tenant.id, day, tenant.dailyLimit ?? 0))) {
        const opens = nextUtcWindow(deps.now());
        await recordNoticeOutcome(deps.db, notice.id, {
          state: 'deferred',
          failureReason: `deferred: daily limit of ${tenant.dailyLimit} emails reached; goes out after ${opens.toISOString()}`,
          nextAttemptAt: opens,
        });
        // The job's delay runs on the real clock; the window on the service's own (it may be shifted).
        await job.moveToDelayed(Date.now() + (opens.getTime() - deps.now().getTime()), token);
        log.info({ opens }, 'notice.deferred_daily_limit');
        throw new DelayedError();
      }
      let response: string;
      try {
        response = (await deps.pools.transporterFor(server.settings).sendMail(options)).response ?? '';
      } catch (err) {
        if (limited) {
          await releaseDailySlot(deps.db, tenant.id, day);
        }
        return await failed(deps, { job, token, notice, log }, err as SmtpFailure, server, sentBy);
      }
      await recordNoticeOutcome(deps.db, notice.id, {
        ...sentBy,
        state: 'sent',
        smtpResponse: response.slice(0, 1000),
        failureReason: null,
        nextAttemptAt: null,
        sentAt: new Date(),
      });
      log.info({ server: server.name, response }, 'notice.sent');
      return 'sent';
    } finally {
      await permit.release().catch((err: unknown) => log.warn({ err }, 'throttle.release_failed'));
    }
  };
}

/** The notice as an email: plain text, marked automatic (RFC 3834), answering the refused mail. */
export function composeNotice(
  notice: Pick<InboundNotice, 'id' | 'recipient' | 'subject' | 'bodyText' | 'refusedMessageId'>,
  route: { fromHeader: string; envelopeFrom: string },
  aliasDomain: string,
  date: Date,
) {
  const refused = notice.refusedMessageId ? `<${notice.refusedMessageId}>` : null;
  return {
    from: route.fromHeader,
    to: notice.recipient,
    subject: notice.subject,
    text: notice.bodyText,
    // Stable per notice: a resend after a crash is recognisably the same mail.
    messageId: `<notice-${notice.id}@${aliasDomain}>`,
    ...(refused ? { inReplyTo: refused, references: [refused] } : {}),
    headers: {
      // Auto-responders must not answer it, and Exchange must send no out-of-office or receipt either.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    },
    envelope: { from: route.envelopeFrom, to: [notice.recipient] },
    date,
  };
}

type Prepared =
  | {
      ok: true;
      tenant: NoticeContext['tenant'];
      server: ResolvedServer;
      route: { fromHeader: string; envelopeFrom: string };
      options: ReturnType<typeof composeNotice>;
    }
  | { ok: false; reason: string };

const notPrepared = (reason: string): Prepared => ({ ok: false, reason });

function prepare(deps: SendNoticeDeps, context: NoticeContext, notice: InboundNotice): Prepared {
  const params = routeParams(context);
  const address = defaultFromAddress(params) ?? catchallAddress(params);
  if (!address) {
    return notPrepared('no sender address: set mail.default.from or mail.catchall.alias');
  }
  const planned = planServer(
    deps.resolveServer,
    context,
    formatAddress(context.tenant.name, address),
    'transactional',
  );
  if (!planned.ok) {
    return notPrepared(planned.reason);
  }
  return {
    ok: true,
    tenant: context.tenant,
    server: planned.server,
    route: planned.route,
    options: composeNotice(notice, planned.route, context.tenant.aliasDomain, deps.now()),
  };
}

type Running = { job: Job; token: string | undefined; notice: InboundNotice; log: Logger };

/** Back to `ready` and into the delayed set: a quota or a busy server makes it wait, not fail. */
async function wait(deps: SendNoticeDeps, r: Running, waitMs: number, why: string): Promise<NoticeOutcome> {
  if (Date.now() - r.notice.createdAt.getTime() > maxWaitMs) {
    await recordNoticeOutcome(deps.db, r.notice.id, {
      state: 'failed',
      failureReason: `gave up after waiting 24 hours: ${why}`,
    });
    return 'failed';
  }
  await recordNoticeOutcome(deps.db, r.notice.id, { state: 'ready', failureReason: why });
  await r.job.moveToDelayed(
    Date.now() + waitMs + Math.floor(Math.random() * Math.min(waitMs, 1000)),
    r.token,
  );
  r.log.debug({ waitMs, why }, 'notice.paused');
  throw new DelayedError();
}

async function failed(
  deps: SendNoticeDeps,
  r: Running,
  err: SmtpFailure,
  server: ResolvedServer,
  sentBy: { serverId: string | null; fromHeader: string; envelopeFrom: string },
): Promise<NoticeOutcome> {
  const outcome = classifySendFailure(err);
  if (outcome.kind === 'throttled') {
    await deps.throttle.pause(server.key, deps.throttlePauseMs);
    return wait(deps, r, deps.throttlePauseMs, `server ${server.name} is busy: ${outcome.reason}`);
  }
  const attempts = r.job.opts.attempts ?? 1;
  if (outcome.kind === 'permanent' || r.job.attemptsMade + 1 >= attempts) {
    // A refused notice is not retried and bounces nowhere: the reason is kept on the notice.
    await recordNoticeOutcome(deps.db, r.notice.id, {
      ...sentBy,
      state: 'failed',
      failureReason:
        outcome.kind === 'permanent'
          ? outcome.reason
          : `gave up after ${attempts} attempts: ${outcome.reason}`,
    });
    r.log.warn({ reason: outcome.reason, failureType: outcome.failureType }, 'notice.failed');
    return 'failed';
  }
  await recordNoticeOutcome(deps.db, r.notice.id, {
    ...sentBy,
    state: 'ready',
    failureReason: `retrying: ${outcome.reason}`,
  });
  throw new TransientError(outcome.failureType, outcome.reason, { cause: err });
}
