import { createHash } from 'node:crypto';
import {
  addFollower,
  createAliasThread,
  type Db,
  findRawInbound,
  findTenant,
  markRawInbound,
  postMessage,
  type RawInbound,
  threadRows,
} from '@sotamail/db';
import { type ParsedMail, parseMail, planInboundRoute, type RouteDecision } from '@sotamail/inbound-routing';
import { enqueueSendMail, type JobContext, PermanentError, type Producer } from '@sotamail/queues';

export type RouteInboundDeps = { db: Db; producer: Producer; now: () => Date };

/**
 * Routes one stored mail (R8): into the thread it answers, into a new record through an alias, or
 * refused / dropped / unroutable with the reason kept on the stored mail. Re-running it is safe: the
 * message is unique per Message-ID, so a second run finds a duplicate and changes nothing.
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
    const outcome = await route(deps, raw, mail);
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
): Promise<{ decision: RouteDecision }> {
  const tenant = await findTenant(deps.db, raw.tenantId);
  if (!tenant) {
    throw new PermanentError('TENANT_NOT_FOUND', `database ${raw.tenantId} does not exist`);
  }
  const plan = await planInboundRoute(deps.db, { tenant, mail, envelope: raw, now: deps.now() });
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
      let threadId = decision.threadId;
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
      await markRawInbound(deps.db, raw.id, {
        state: 'routed',
        decision: { ...record, threadId, storedMessageId: posted.message.id },
      });
      for (const id of posted.outgoingMailIds) {
        await enqueueSendMail(deps.producer, { id, tenantId: tenant.id, lane: 'transactional' });
      }
      if (decision.action === 'new-record' && decision.alias && posted.created) {
        const thread = await threadRows.find(deps.db, tenant.id, threadId);
        await deps.producer.enqueue(
          'thread-created',
          {
            tenantId: tenant.id,
            threadId,
            model: thread?.model ?? decision.alias.model,
            recordId: thread?.recordId ?? '',
            aliasId: decision.alias.id,
          },
          { jobId: `thread-created-${threadId}` },
        );
      }
      return { decision };
    }
    default:
      await markRawInbound(deps.db, raw.id, { state: 'ignored', decision: record });
      return { decision };
  }
}
