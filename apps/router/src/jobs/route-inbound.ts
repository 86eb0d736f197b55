import { createHash } from 'node:crypto';
import {
  addFollower,
  createAliasThread,
  type Db,
  findRawInbound,
  findTenant,
  markRawInbound,
  noteRawDecision,
  postMessage,
  type RawInbound,
  resetBounceCounter,
  threadRows,
} from '@sotamail/db';
import {
  type ParsedMail,
  parseMail,
  planInboundRoute,
  type RouteDecision,
  type VerifyThreadToken,
} from '@sotamail/inbound-routing';
import type { Logger } from '@sotamail/logging';
import { type JobContext, PermanentError, type Producer } from '@sotamail/queues';
import { announcePosted, type CreatedThread } from './announce-posted.js';
import { finishInterrupted } from './finish-interrupted.js';
import { refuseInbound } from './refuse-inbound.js';

export type RouteInboundDeps = {
  db: Db;
  producer: Producer;
  now: () => Date;
  /** Checks our signed Reply-To tokens; null when no secret key is configured (tokens are ignored). */
  verifyThreadToken?: VerifyThreadToken | null;
};

/**
 * Routes one stored mail (R8): into the thread it answers, into a new record through an alias, or
 * refused / dropped / unroutable with the reason kept on the stored mail. Re-running it is safe: the
 * decision is noted on the mail before anything is stored, the message is unique per Message-ID, and
 * a run that finds its own earlier message finishes that run's work (finish-interrupted.ts). The mail
 * is marked routed last, after its jobs are queued, so a crash at any point leaves it to a re-run.
 */
export function createRouteInboundHandler(deps: RouteInboundDeps) {
  return async (payload: { tenantId: string; rawInboundId: string }, { logger }: JobContext) => {
    const raw = await findRawInbound(deps.db, payload.tenantId, payload.rawInboundId);
    if (!raw) {
      throw new PermanentError('RAW_NOT_FOUND', `stored mail ${payload.rawInboundId} does not exist`);
    }
    if (raw.state !== 'received') {
      return { action: 'skipped', reason: `already ${raw.state}` };
    }
    const finished = await finishInterrupted(deps, raw);
    if (finished) {
      logger.info({ rawInboundId: raw.id, action: finished.action }, 'inbound.finished_interrupted');
      return finished;
    }
    let mail: ParsedMail;
    try {
      mail = await parseMail(raw.raw);
    } catch (err) {
      await markRawInbound(deps.db, raw.id, {
        state: 'failed',
        error: `the mail cannot be parsed: ${(err as Error).message}`,
      });
      return { action: 'failed' };
    }
    const outcome = await route(deps, raw, mail, logger);
    logger.info(
      { rawInboundId: raw.id, action: outcome.decision.action, reasons: outcome.decision.reasons },
      'inbound.routed',
    );
    return { action: outcome.decision.action };
  };
}

async function route(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
  logger: Logger,
): Promise<{ decision: RouteDecision }> {
  const tenant = await findTenant(deps.db, raw.tenantId);
  if (!tenant) {
    throw new PermanentError('TENANT_NOT_FOUND', `database ${raw.tenantId} does not exist`);
  }
  const plan = await planInboundRoute(deps.db, {
    tenant,
    mail,
    envelope: raw,
    raw: raw.raw,
    now: deps.now(),
    verifyThreadToken: deps.verifyThreadToken ?? null,
  });
  const { decision, record, messageId, senderEmail, author, references, params, periodStart } = plan;

  switch (decision.action) {
    case 'bounce':
      await deps.producer.enqueue(
        'process-bounce',
        { tenantId: tenant.id, rawInboundId: raw.id },
        { jobId: raw.id },
      );
      await markRawInbound(deps.db, raw.id, { state: 'routed', decision: record });
      return { decision };
    case 'reply':
    case 'new-record': {
      await noteRawDecision(deps.db, raw.id, record);
      let threadId = decision.threadId;
      let createdThread: CreatedThread | null = null;
      if (decision.action === 'new-record' && decision.alias) {
        const created = await createAliasThread(
          deps.db,
          {
            tenantId: tenant.id,
            aliasId: decision.alias.id,
            model: decision.alias.model,
            // The ERP gives the record its own id when it consumes the event; the thread is unique per
            // mail, so a re-run of this job finds the same one.
            recordId: `mail-${createHash('sha256').update(`${tenant.id}:${messageId}`).digest('hex').slice(0, 20)}`,
            subject: mail.subject ?? '',
            senderEmail,
          },
          { max: Number(params['mail.incoming.limit.alias'] ?? 5), since: periodStart },
        );
        if ('limited' in created) {
          const dropped = {
            ...record,
            action: 'dropped',
            reasons: [
              ...decision.reasons,
              `the sender reached mail.incoming.limit.alias (${created.count} records in the period, R9.1)`,
            ],
          };
          await markRawInbound(deps.db, raw.id, { state: 'ignored', decision: dropped });
          return { decision: { ...decision, action: 'dropped' } };
        }
        const thread = created.thread;
        threadId = thread.id;
        createdThread = {
          id: thread.id,
          model: thread.model,
          recordId: thread.recordId,
          aliasId: decision.alias.id,
        };
        if (author) {
          await addFollower(deps.db, tenant.id, thread.id, author.contact.id);
        }
      }
      if (!threadId || !(await threadRows.find(deps.db, tenant.id, threadId))) {
        await markRawInbound(deps.db, raw.id, {
          state: 'ignored',
          decision: {
            ...record,
            action: 'unroutable',
            reasons: [...decision.reasons, 'the thread no longer exists'],
          },
        });
        return { decision };
      }
      const posted = await postMessage(deps.db, {
        tenantId: tenant.id,
        threadId,
        kind: 'email',
        authorContactId: author?.contact.id ?? null,
        authorEmail: senderEmail || null,
        authorName: author?.contact.name ?? plan.senderName,
        subject: mail.subject ?? '',
        bodyHtml: typeof mail.html === 'string' ? mail.html : '',
        bodyText: mail.text ?? '',
        messageId,
        inReplyTo: references[0] ?? null,
        references,
        rawInboundId: raw.id,
        // Auto-replies are kept in their thread but never passed on (R9.3): no loop can start here.
        notifyFollowers: !plan.autoReply,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename ?? 'attachment',
          contentType: a.contentType,
          content: a.content,
          sha256: createHash('sha256').update(a.content).digest('hex'),
        })),
      });
      if (!plan.autoReply && senderEmail) {
        // A person writing from this address shows it receives mail again (R10.2).
        await resetBounceCounter(deps.db, tenant.id, senderEmail);
      }
      await announcePosted(deps.producer, {
        tenantId: tenant.id,
        mailIds: posted.outgoingMailIds,
        createdThread: posted.created ? createdThread : null,
      });
      await markRawInbound(deps.db, raw.id, {
        state: 'routed',
        decision: { ...record, threadId, storedMessageId: posted.message.id },
      });
      return { decision };
    }
    case 'refused':
      await refuseInbound(deps, { raw, mail, tenant, plan }, logger);
      return { decision };
    default:
      await markRawInbound(deps.db, raw.id, { state: 'ignored', decision: record });
      return { decision };
  }
}
