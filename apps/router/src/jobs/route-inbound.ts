import { createHash } from 'node:crypto';
import {
  addFollower,
  createAliasThreadInTransaction,
  type Db,
  type DbOrTx,
  findRawInbound,
  findTenant,
  getParameters,
  insertAttachments,
  markRawInbound,
  type RawInbound,
  storeRoutedMessage,
  threadRows,
} from '@sotamail/db';
import {
  type ParsedMail,
  parseMail,
  planInboundRoute,
  type RouteDecision,
  type RoutePlan,
  type VerifyThreadToken,
} from '@sotamail/inbound-routing';
import type { Logger } from '@sotamail/logging';
import { type JobContext, PermanentError, type Producer } from '@sotamail/queues';
import type { LoadTenantContext, TenantContext } from '../adapters/tenant-context-cache.js';
import { announcePosted, type CreatedThread } from './announce-posted.js';
import { finishInterrupted } from './finish-interrupted.js';
import { refuseInbound } from './refuse-inbound.js';

export type RouteInboundDeps = {
  db: Db;
  producer: Producer;
  now: () => Date;
  /** Checks our signed Reply-To tokens; null when no secret key is configured (tokens are ignored). */
  verifyThreadToken?: VerifyThreadToken | null;
  /** The database's row and parameters; main.ts caches them briefly (tenant-context-cache.ts). */
  loadTenant?: LoadTenantContext;
};

const loadUncached =
  (db: Db): LoadTenantContext =>
  async (tenantId) => {
    const tenant = await findTenant(db, tenantId);
    return tenant ? { tenant, params: await getParameters(db, tenantId) } : undefined;
  };

/**
 * Routes one stored mail (R8): into the thread it answers, into a new record through an alias, or
 * refused / dropped / unroutable with the reason kept on the stored mail. Re-running it is safe: the
 * decision is noted on the mail in the same transaction that stores its message (and the record an
 * alias creates), the message is unique per Message-ID, and a run that finds its own earlier message
 * finishes that run's work (finish-interrupted.ts). The mail is marked routed last, after its jobs
 * are queued, so a crash at any point leaves it to a re-run.
 */
export function createRouteInboundHandler(deps: RouteInboundDeps) {
  const loadTenant = deps.loadTenant ?? loadUncached(deps.db);
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
    const context = await loadTenant(raw.tenantId);
    if (!context) {
      throw new PermanentError('TENANT_NOT_FOUND', `database ${raw.tenantId} does not exist`);
    }
    const outcome = await route({ ...deps, loadTenant }, raw, mail, context, logger);
    logger.info(
      { rawInboundId: raw.id, action: outcome.decision.action, reasons: outcome.decision.reasons },
      'inbound.routed',
    );
    return { action: outcome.decision.action };
  };
}

// The last write of a run has nothing after it that depends on it, and a re-run can redo it from the
// stored mail (finish-interrupted.ts), so its commit need not wait for the disk (see markRawInbound).
const lastWrite = { relaxedCommit: true };

async function route(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
  { tenant, params }: TenantContext,
  logger: Logger,
): Promise<{ decision: RouteDecision }> {
  const plan = await planInboundRoute(deps.db, {
    tenant,
    mail,
    envelope: raw,
    raw: raw.raw,
    now: deps.now(),
    verifyThreadToken: deps.verifyThreadToken ?? null,
    params,
  });
  const { decision, record } = plan;

  switch (decision.action) {
    case 'bounce':
      await deps.producer.enqueue(
        'process-bounce',
        { tenantId: tenant.id, rawInboundId: raw.id },
        { jobId: raw.id },
      );
      await markRawInbound(deps.db, raw.id, { state: 'routed', decision: record }, lastWrite);
      return { decision };
    case 'reply':
    case 'new-record':
      return storeInThread(deps, raw, mail, plan);
    case 'refused':
      await refuseInbound(deps, { raw, mail, tenant, plan }, logger);
      return { decision };
    default:
      await markRawInbound(deps.db, raw.id, { state: 'ignored', decision: record }, lastWrite);
      return { decision };
  }
}

type Stored =
  | { kind: 'posted'; threadId: string; messageId: string; mailIds: string[]; created: CreatedThread | null }
  | { kind: 'ignored'; decision: RouteDecision };

/**
 * Notes the decision, creates the alias's record (under its per-sender limit, R9.1), stores the
 * message with its followers' mails and resets the sender's bounce counter, all in one commit:
 * nothing half-done is ever visible. A reply without attachments is a single statement
 * (storeRoutedMessage); a new record or attachments take a transaction around it. The jobs are queued
 * after the commit, then the mail is marked routed.
 */
async function storeInThread(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
  plan: RoutePlan,
): Promise<{ decision: RouteDecision }> {
  const { decision } = plan;
  // A reply whose thread was just read, without attachments: one statement, no transaction.
  const replyThreadId =
    decision.action === 'reply' && plan.threadLoaded && mail.attachments.length === 0
      ? decision.threadId
      : null;
  const stored = replyThreadId
    ? await storeMessage(deps.db, raw, mail, plan, replyThreadId, null)
    : await deps.db.transaction((tx) => storeWithRecord(tx, raw, mail, plan));
  if (stored.kind === 'ignored') {
    return { decision: stored.decision };
  }
  await announcePosted(deps.producer, {
    tenantId: raw.tenantId,
    mailIds: stored.mailIds,
    createdThread: stored.created,
  });
  await markRawInbound(
    deps.db,
    raw.id,
    {
      state: 'routed',
      decision: { ...plan.record, threadId: stored.threadId, storedMessageId: stored.messageId },
    },
    lastWrite,
  );
  return { decision };
}

/** The transaction of storeInThread when an alias creates a record, or a thread must be checked. */
async function storeWithRecord(
  tx: DbOrTx,
  raw: RawInbound,
  mail: ParsedMail,
  plan: RoutePlan,
): Promise<Stored> {
  const { decision, record, messageId, senderEmail, author, params, periodStart } = plan;
  const tenantId = raw.tenantId;
  let threadId = decision.threadId;
  let createdThread: CreatedThread | null = null;
  if (decision.action === 'new-record' && decision.alias) {
    const created = await createAliasThreadInTransaction(
      tx,
      {
        tenantId,
        aliasId: decision.alias.id,
        model: decision.alias.model,
        // The ERP gives the record its own id when it consumes the event; the thread is unique per
        // mail, so a re-run of this job finds the same one.
        recordId: `mail-${createHash('sha256').update(`${tenantId}:${messageId}`).digest('hex').slice(0, 20)}`,
        subject: mail.subject ?? '',
        senderEmail,
      },
      { max: Number(params['mail.incoming.limit.alias'] ?? 5), since: periodStart },
    );
    if ('limited' in created) {
      const reasons = [
        ...decision.reasons,
        `the sender reached mail.incoming.limit.alias (${created.count} records in the period, R9.1)`,
      ];
      await markRawInbound(tx, raw.id, {
        state: 'ignored',
        decision: { ...record, action: 'dropped', reasons },
      });
      return { kind: 'ignored', decision: { ...decision, action: 'dropped' } };
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
      await addFollower(tx, tenantId, thread.id, author.contact.id);
    }
  }
  // A reply's thread was read while planning; only a thread an alias names may have gone.
  const exists =
    threadId !== null &&
    (createdThread !== null ||
      plan.threadLoaded ||
      (await threadRows.find(tx, tenantId, threadId)) !== undefined);
  if (!threadId || !exists) {
    await markRawInbound(tx, raw.id, {
      state: 'ignored',
      decision: {
        ...record,
        action: 'unroutable',
        reasons: [...decision.reasons, 'the thread no longer exists'],
      },
    });
    return { kind: 'ignored', decision };
  }
  return storeMessage(tx, raw, mail, plan, threadId, createdThread);
}

async function storeMessage(
  db: DbOrTx,
  raw: RawInbound,
  mail: ParsedMail,
  plan: RoutePlan,
  threadId: string,
  createdThread: CreatedThread | null,
): Promise<Stored> {
  const { senderEmail, author, references } = plan;
  const stored = await storeRoutedMessage(db, {
    rawInboundId: raw.id,
    decision: plan.record,
    message: {
      tenantId: raw.tenantId,
      threadId,
      kind: 'email',
      authorContactId: author?.contact.id ?? null,
      authorEmail: senderEmail || null,
      authorName: author?.contact.name ?? plan.senderName,
      subject: mail.subject ?? '',
      bodyHtml: typeof mail.html === 'string' ? mail.html : '',
      bodyText: mail.text ?? '',
      messageId: plan.messageId,
      inReplyTo: references[0] ?? null,
      references,
      // Auto-replies are kept in their thread but never passed on (R9.3): no loop can start here.
      notifyFollowers: !plan.autoReply,
    },
    // A person writing from this address shows it receives mail again (R10.2).
    resetBounceOf: plan.autoReply ? null : senderEmail || null,
  });
  if (stored.created) {
    await insertAttachments(
      db,
      raw.tenantId,
      stored.messageId,
      mail.attachments.map((a) => ({
        filename: a.filename ?? 'attachment',
        contentType: a.contentType,
        content: a.content,
        sha256: createHash('sha256').update(a.content).digest('hex'),
      })),
    );
  }
  return {
    kind: 'posted',
    threadId,
    messageId: stored.messageId,
    mailIds: stored.outgoingMailIds,
    created: stored.created ? createdThread : null,
  };
}
