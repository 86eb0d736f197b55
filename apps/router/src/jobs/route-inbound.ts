import { createHash } from 'node:crypto';
import {
  createAliasThreadInTransaction,
  type Db,
  type DbOrTx,
  findRawInbound,
  findRawInboundState,
  findRawInbounds,
  isDatabaseUnavailable,
  listActiveAliases,
  markRawInbound,
  type RawInbound,
  type RoutedMessage,
  receivedAmong,
  storeRoutedMessage,
  storeRoutedReplies,
  threadRows,
} from '@sotamail/db';
import {
  databaseLookups,
  loopPeriodStart,
  type ParsedMail,
  parseMail,
  planInboundRoute,
  type RouteDecision,
  type RouteKeys,
  type RoutePlan,
  routeKeys,
  type VerifyThreadToken,
} from '@sotamail/inbound-routing';
import type { Logger } from '@sotamail/logging';
import { type JobContext, PermanentError, type Producer } from '@sotamail/queues';
import { BatchLookups } from '../adapters/batch-lookups.js';
import {
  type LoadTenantContext,
  type TenantContext,
  tenantContextLoader,
} from '../adapters/tenant-context.js';
import { finishInterrupted } from './finish-interrupted.js';
import { PendingReplies, type PendingReply } from './pending-replies.js';
import { refuseInbound } from './refuse-inbound.js';
import { type CreatedThread, RoutingEffects } from './routing-effects.js';

export type RouteInboundDeps = {
  db: Db;
  producer: Producer;
  now: () => Date;
  /** Checks our signed Reply-To tokens; null when no secret key is configured (tokens are ignored). */
  verifyThreadToken?: VerifyThreadToken | null;
  /** The database's row and parameters (main.ts keeps them briefly); read for each mail without it. */
  loadTenant?: LoadTenantContext;
};

type ActiveAlias = Awaited<ReturnType<typeof listActiveAliases>>[number];
type Outcome = { rawInboundId: string; action: string };
type Decided = { action: string; reasons: string[] };
/** A reply whose store waits for its batch's (pending-replies.ts), with what storing it alone needs. */
type HeldReply = { raw: RawInbound; plan: RoutePlan };

/**
 * Routes stored mail (R8): into the thread it answers, into a new record through an alias, or
 * refused / dropped / unroutable with the reason kept on the stored mail. One job routes one mail
 * (`route-inbound`: a re-process, the sweep) or a batch the fetcher gathered (`route-inbound-batch`):
 * the batch is read in one query, each mail is decided and stored in its own commit, and what they set
 * off is queued and recorded together at the end (routing-effects.ts).
 *
 * Re-running is safe: the decision is noted on the mail in the same transaction that stores its
 * message (and the record an alias creates), the message is unique per Message-ID, and a run that
 * finds its own earlier message finishes that run's work (finish-interrupted.ts). A mail is marked
 * routed last, after its jobs are queued, so a crash at any point leaves it to a re-run. A mail whose
 * routing fails does not hold back the rest of its batch: the others are recorded, then the job
 * fails, and its retry gives each mail still to route a job of its own.
 */
export function createRouteInboundHandlers(deps: RouteInboundDeps) {
  const routeDeps = { ...deps, loadTenant: deps.loadTenant ?? tenantContextLoader(deps.db) };
  return {
    'route-inbound': async (payload: { tenantId: string; rawInboundId: string }, { logger }: JobContext) => {
      const [outcome] = await routeStored(routeDeps, payload.tenantId, [payload.rawInboundId], logger);
      if (!outcome) {
        throw new PermanentError('RAW_NOT_FOUND', `stored mail ${payload.rawInboundId} does not exist`);
      }
      return { action: outcome.action };
    },
    'route-inbound-batch': async (
      payload: { tenantId: string; rawInboundIds: string[] },
      { job, logger }: JobContext,
    ) => {
      // A batch that ran before (it failed, or its router died in it) goes on as a job per mail still
      // to route: a mail that keeps failing, or that stops the process, then holds back no other.
      if (job.attemptsStarted > 1 && payload.rawInboundIds.length > 1) {
        const still = new Set(await receivedAmong(deps.db, payload.tenantId, payload.rawInboundIds));
        // In the order they arrived, so a reply's job is not queued before the mail it answers.
        const left = payload.rawInboundIds.filter((id) => still.has(id));
        await deps.producer.enqueueBulk(
          'route-inbound',
          left.map((id) => ({ payload: { tenantId: payload.tenantId, rawInboundId: id }, jobId: id })),
        );
        logger.info({ rawInboundIds: left }, 'inbound.batch_split');
        return { split: left.length };
      }
      const outcomes = await routeStored(routeDeps, payload.tenantId, payload.rawInboundIds, logger);
      const found = new Set(outcomes.map((o) => o.rawInboundId));
      const missing = payload.rawInboundIds.filter((id) => !found.has(id));
      if (missing.length > 0) {
        logger.warn({ rawInboundIds: missing }, 'inbound.batch_missing');
      }
      return { routed: outcomes.length, missing: missing.length };
    },
  };
}

async function routeStored(
  deps: RouteInboundDeps & { loadTenant: LoadTenantContext },
  tenantId: string,
  ids: readonly string[],
  logger: Logger,
): Promise<Outcome[]> {
  const raws = await findRawInbounds(deps.db, tenantId, ids);
  const order = new Map(ids.map((id, i) => [id, i]));
  raws.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const toRoute = raws.filter((r) => r.state === 'received');
  // Read once per batch rather than once per mail, and never kept longer: an alias created a moment
  // ago (then a re-process) is seen.
  const activeAliases = toRoute.length > 0 ? await listActiveAliases(deps.db, tenantId) : [];
  // One moment for the whole batch: its loop-check period is the same for every mail.
  const now = deps.now();
  const context = toRoute.length > 0 ? await deps.loadTenant(tenantId) : undefined;
  // Parsed ahead, up to a bound on what is held at once, so the batch's lookups can be asked together.
  const parsed = new Map<string, ParsedMail | Error>();
  const keys = new Map<string, RouteKeys>();
  let parsedBytes = 0;
  for (const row of toRoute) {
    // A large mail's content was left out of the batch's query: it is read and parsed at its turn.
    if (!row.raw || parsedBytes >= PARSE_AHEAD_BYTES) {
      continue;
    }
    parsedBytes += row.raw.length;
    const mail = await parseStored(row.raw);
    parsed.set(row.id, mail);
    if (context && !(mail instanceof Error)) {
      try {
        keys.set(row.id, routeKeys({ ...context, mail, envelope: row }));
      } catch (err) {
        // Its turn will meet the same error, and record it for this mail alone.
        logger.warn({ err, rawInboundId: row.id }, 'inbound.route_keys_failed');
      }
    }
  }
  const effects = new RoutingEffects();
  // The actions decided so far, by stored id, in the batch's order; a failure is kept for the end.
  const outcomes = new Map<string, string>();
  let failure: unknown = null;
  const failed = (rawInboundId: string, err: unknown) => {
    outcomes.delete(rawInboundId);
    logger.warn({ err, rawInboundId }, 'inbound.route_failed');
    failure ??= err;
  };
  const pending = new PendingReplies<HeldReply>((replies) =>
    storeHeldReplies(deps, tenantId, replies, { effects, logger, outcomes, failed }),
  );
  let lookups: BatchLookups | null = null;
  if (context && keys.size > 1) {
    try {
      lookups = await BatchLookups.prefetch(
        deps.db,
        {
          tenantId,
          // The same moment as each mail's plan reckons, so the batch's answers apply to them.
          since: loopPeriodStart(now, context.params),
          keys,
          aliases: activeAliases,
        },
        pending.beforeAsking(databaseLookups(deps.db)),
      );
    } catch (err) {
      // Each mail then asks for itself, and meets the database's trouble on its own.
      logger.warn({ err }, 'inbound.batch_lookups_failed');
    }
  }
  // Replies wait to be stored together only where every later question goes through the lookups.
  const batch: Batch = {
    effects,
    activeAliases,
    now,
    lookups,
    keys,
    context,
    pending: lookups ? pending : null,
  };
  for (const row of raws) {
    try {
      const raw = row.raw ? { ...row, raw: row.raw } : await findRawInbound(deps.db, tenantId, row.id);
      if (!raw) {
        continue;
      }
      const mail = parsed.get(row.id);
      parsed.delete(row.id);
      const { action, held } = await routeOne(deps, raw, mail, batch, logger);
      // A held reply's outcome is set when it is stored (perhaps already, by a flush it set off).
      if (!held) {
        outcomes.set(row.id, action);
      }
    } catch (err) {
      if (err instanceof PermanentError) {
        throw err;
      }
      failed(row.id, err);
    }
  }
  await pending.flush();
  await effects.flush(deps, tenantId);
  if (failure) {
    throw failure;
  }
  return [...outcomes].map(([rawInboundId, action]) => ({ rawInboundId, action }));
}

/**
 * Stores the replies a batch held, in one statement; should that fail (one reply's thread deleted
 * meanwhile, say), each is stored on its own, so one bad reply holds back no other. Then each is
 * recorded as storeInThread records one stored at once.
 */
async function storeHeldReplies(
  deps: RouteInboundDeps,
  tenantId: string,
  replies: PendingReply<HeldReply>[],
  run: {
    effects: RoutingEffects;
    logger: Logger;
    outcomes: Map<string, string>;
    failed: (rawInboundId: string, err: unknown) => void;
  },
): Promise<void> {
  let together: Awaited<ReturnType<typeof storeRoutedReplies>> | null = null;
  try {
    together = await storeRoutedReplies(
      deps.db,
      tenantId,
      replies.map((r) => r.input),
    );
  } catch (err) {
    run.logger.warn(
      { err, rawInboundIds: replies.map((r) => r.item.raw.id) },
      'inbound.reply_batch_store_failed',
    );
    // Without a database, storing them one by one would only wait out each failure in turn.
    if (isDatabaseUnavailable(err)) {
      for (const { item } of replies) {
        run.failed(item.raw.id, err);
      }
      return;
    }
  }
  for (const [index, { input, item }] of replies.entries()) {
    const { raw, plan } = item;
    const { threadId } = input.message;
    try {
      const result = together?.[index];
      const stored: Stored = !result
        ? await storeMessage(deps.db, input, null)
        : result.created
          ? {
              kind: 'posted',
              threadId,
              messageId: result.messageId,
              mailIds: result.outgoingMailIds,
              created: null,
              messageCreated: true,
            }
          : { kind: 'made-meanwhile' };
      const decided = await recordStored(deps, raw, plan, stored, run.effects);
      run.outcomes.set(raw.id, decided.action);
      run.logger.info(
        { rawInboundId: raw.id, action: decided.action, reasons: decided.reasons },
        'inbound.routed',
      );
    } catch (err) {
      run.failed(raw.id, err);
    }
  }
}

/** How much stored mail a batch parses ahead of routing it (mail over 1 MB is never read ahead). */
const PARSE_AHEAD_BYTES = 8 * 1024 * 1024;

/** A mail that cannot be parsed is an error for that mail, whatever the parser threw. */
async function parseStored(raw: Buffer): Promise<ParsedMail | Error> {
  try {
    return await parseMail(raw);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** What the mails of one job share: their database, its active aliases, a moment, lookups, effects. */
type Batch = {
  effects: RoutingEffects;
  activeAliases: ActiveAlias[];
  now: Date;
  /** Null when nothing was asked for the batch ahead (its mails are asked about one by one). */
  lookups: BatchLookups | null;
  /** The keys of the mails parsed ahead, by stored id. */
  keys: ReadonlyMap<string, RouteKeys>;
  /** The database's row and parameters; undefined when it no longer exists (or nothing is to route). */
  context: TenantContext | undefined;
  /** Where replies wait to be stored together; null when each is stored at once. */
  pending: PendingReplies<HeldReply> | null;
};

async function routeOne(
  deps: RouteInboundDeps,
  raw: RawInbound,
  parsed: ParsedMail | Error | undefined,
  batch: Batch,
  logger: Logger,
): Promise<{ action: string; held?: true }> {
  if (raw.state !== 'received') {
    return { action: `skipped: already ${raw.state}` };
  }
  const finished = await finishInterrupted(deps.db, raw, batch.effects);
  if (finished) {
    logger.info({ rawInboundId: raw.id, action: finished.action }, 'inbound.finished_interrupted');
    const keys = batch.keys.get(raw.id);
    if (keys) {
      batch.lookups?.noteRouted({ id: raw.id, receivedAt: raw.receivedAt, keys }, true);
    }
    return { action: finished.action };
  }
  const mail = parsed ?? (await parseStored(raw.raw));
  if (mail instanceof Error) {
    await markRawInbound(deps.db, raw.id, {
      state: 'failed',
      error: `the mail cannot be parsed: ${mail.message}`,
    });
    return { action: 'failed' };
  }
  // The batch's mails are all of its database, read once for the batch.
  const { context } = batch;
  if (!context) {
    throw new PermanentError('TENANT_NOT_FOUND', `database ${raw.tenantId} does not exist`);
  }
  const decision = await route(deps, raw, mail, context, batch, logger);
  if (decision.held) {
    return { action: decision.action, held: true };
  }
  logger.info({ rawInboundId: raw.id, action: decision.action, reasons: decision.reasons }, 'inbound.routed');
  return { action: decision.action };
}

async function route(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
  { tenant, params }: TenantContext,
  { effects, activeAliases, now, lookups, keys, pending }: Batch,
  logger: Logger,
): Promise<Decided & { held?: true }> {
  const mailKeys = keys.get(raw.id);
  const plan = await planInboundRoute(deps.db, {
    tenant,
    mail,
    envelope: raw,
    raw: raw.raw,
    now,
    verifyThreadToken: deps.verifyThreadToken ?? null,
    params,
    activeAliases,
    ...(lookups ? { lookups } : {}),
    ...(mailKeys ? { keys: mailKeys } : {}),
  });
  let done = false;
  try {
    const decided = await act(deps, raw, mail, { tenant, plan, effects, pending }, logger);
    done = true;
    return decided;
  } finally {
    // Whatever this mail stored, and (once it is recorded) its content, count for the rest of the batch.
    lookups?.noteRouted({ id: raw.id, receivedAt: raw.receivedAt, keys: plan.keys }, done);
  }
}

/** Carries out a plan: hands a bounce over, stores the mail in its thread, refuses or ignores it. */
async function act(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
  {
    tenant,
    plan,
    effects,
    pending,
  }: {
    tenant: TenantContext['tenant'];
    plan: RoutePlan;
    effects: RoutingEffects;
    pending: PendingReplies<HeldReply> | null;
  },
  logger: Logger,
): Promise<Decided & { held?: true }> {
  const { decision, record } = plan;
  if (plan.duplicate) {
    const own = await ownDuplicate(deps, raw, effects);
    if (own) {
      return own;
    }
  }

  switch (decision.action) {
    case 'bounce':
      effects.bounce(raw.id);
      effects.mark({ id: raw.id, state: 'routed', decision: record });
      return decision;
    case 'reply':
    case 'new-record':
      return storeInThread(deps, raw, mail, plan, effects, pending);
    case 'refused':
      await refuseInbound(deps, { raw, mail, tenant, plan }, logger);
      return decision;
    default:
      effects.mark({ id: raw.id, state: 'ignored', decision: record });
      return decision;
  }
}

/**
 * A mail whose Message-ID is stored may have been stored by another run of this same mail that has
 * not finished (the sweep queued the mail again while its batch waited, and both ran at once): that
 * run noted its decision with the message. Its work is finished here, or left to it if it is done,
 * rather than the mail being dropped as a duplicate of itself. Null for a true duplicate.
 */
async function ownDuplicate(
  deps: RouteInboundDeps,
  raw: RawInbound,
  effects: RoutingEffects,
): Promise<{ action: string; reasons: string[] } | null> {
  const now = await findRawInboundState(deps.db, raw.tenantId, raw.id);
  if (now && now.state !== 'received') {
    return { action: `skipped: already ${now.state}`, reasons: ['another run of this mail finished it'] };
  }
  const finished = now ? await finishInterrupted(deps.db, now, effects) : null;
  return finished ? { action: finished.action, reasons: ['finished the unfinished run of this mail'] } : null;
}

type Stored =
  | {
      kind: 'posted';
      threadId: string;
      messageId: string;
      mailIds: string[];
      created: CreatedThread | null;
      /** False when the Message-ID was already stored, by this mail's other run or another mail. */
      messageCreated: boolean;
    }
  | { kind: 'ignored'; decision: RouteDecision }
  /** The Message-ID (or an alias's record for it) was stored by another transaction meanwhile. */
  | { kind: 'made-meanwhile' };

/**
 * Notes the decision, creates the alias's record (under its per-sender limit, R9.1), stores the
 * message with its followers' mails and resets the sender's bounce counter, all in one commit:
 * nothing half-done is ever visible. A reply, attachments and all, is a single statement
 * (storeRoutedMessage), or waits to be stored with the batch's other replies (`pending`); a new
 * record takes a transaction around it. The jobs and the mark follow with the rest of the batch
 * (routing-effects.ts).
 */
async function storeInThread(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
  plan: RoutePlan,
  effects: RoutingEffects,
  pending: PendingReplies<HeldReply> | null,
): Promise<Decided & { held?: true }> {
  const { decision } = plan;
  // A reply whose thread was just read: one statement with its attachments, no transaction.
  const replyThreadId = decision.action === 'reply' && plan.threadLoaded ? decision.threadId : null;
  if (replyThreadId && pending) {
    const input = routedMessageOf(raw, mail, plan, replyThreadId);
    await pending.add({
      input,
      item: { raw, plan },
      // What holding it keeps in memory: the stored mail, and its text and files once parsed.
      bytes:
        raw.raw.length +
        input.message.bodyHtml.length +
        input.message.bodyText.length +
        (input.attachments ?? []).reduce((n, a) => n + a.content.length, 0),
    });
    return { ...decision, held: true };
  }
  // A message stored now goes before the replies held for its thread: they arrived first.
  if (decision.threadId && pending?.holdsThread(decision.threadId)) {
    await pending.flush();
  }
  const stored = replyThreadId
    ? await storeMessage(deps.db, routedMessageOf(raw, mail, plan, replyThreadId), null)
    : await storeWithRecordAtomically(deps.db, raw, mail, plan);
  return recordStored(deps, raw, plan, stored, effects);
}

/** What storing a mail in its thread came to: its jobs and mark, or why nothing was stored. */
async function recordStored(
  deps: RouteInboundDeps,
  raw: RawInbound,
  plan: RoutePlan,
  stored: Stored,
  effects: RoutingEffects,
): Promise<Decided> {
  const { decision } = plan;
  if (stored.kind === 'ignored') {
    return stored.decision;
  }
  if (stored.kind === 'made-meanwhile' || !stored.messageCreated) {
    // Stored meanwhile: by another run of this mail, whose work is finished here (its jobs before
    // the mark), or by another mail with the same Message-ID (R9.4).
    const own = await ownDuplicate(deps, raw, effects);
    if (own) {
      return own;
    }
    effects.mark({
      id: raw.id,
      state: 'ignored',
      decision: {
        ...plan.record,
        action: 'dropped',
        reasons: [...decision.reasons, 'a mail with the same Message-ID was stored meanwhile (R9.4)'],
      },
    });
    return { action: 'dropped', reasons: ['a mail with the same Message-ID was stored meanwhile'] };
  }
  effects.posted(stored.mailIds, stored.created);
  effects.mark({
    id: raw.id,
    state: 'routed',
    decision: { ...plan.record, threadId: stored.threadId, storedMessageId: stored.messageId },
  });
  return decision;
}

/** Thrown inside storeWithRecord's transaction to undo it. */
class NothingStored extends Error {}

/**
 * storeWithRecord in a transaction that is undone when the message turns out to be stored already
 * (another mail with the Message-ID, or this mail's other run, committed it meanwhile): a record made
 * for it would stay empty, unannounced, and count against the sender's limit.
 */
async function storeWithRecordAtomically(
  db: Db,
  raw: RawInbound,
  mail: ParsedMail,
  plan: RoutePlan,
): Promise<Stored> {
  try {
    return await db.transaction(async (tx) => {
      const stored = await storeWithRecord(tx, raw, mail, plan);
      if (stored.kind === 'posted' && !stored.messageCreated) {
        throw new NothingStored();
      }
      return stored;
    });
  } catch (err) {
    if (err instanceof NothingStored) {
      return { kind: 'made-meanwhile' };
    }
    throw err;
  }
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
        followerContactId: author?.contact.id ?? null,
      },
      { max: Number(params['mail.incoming.limit.alias'] ?? 5), since: periodStart },
    );
    if ('madeMeanwhile' in created) {
      return { kind: 'made-meanwhile' };
    }
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
  return storeMessage(tx, routedMessageOf(raw, mail, plan, threadId), createdThread);
}

/** The message a routed mail becomes in its thread, with its decision noted on the stored mail. */
function routedMessageOf(
  raw: RawInbound,
  mail: ParsedMail,
  plan: RoutePlan,
  threadId: string,
): RoutedMessage {
  const { senderEmail, author, references } = plan;
  return {
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
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      content: a.content,
      sha256: createHash('sha256').update(a.content).digest('hex'),
    })),
    // A person writing from this address shows it receives mail again (R10.2).
    resetBounceOf: plan.autoReply ? null : senderEmail || null,
  };
}

async function storeMessage(
  db: DbOrTx,
  input: RoutedMessage,
  createdThread: CreatedThread | null,
): Promise<Stored> {
  const stored = await storeRoutedMessage(db, input);
  return {
    kind: 'posted',
    threadId: input.message.threadId,
    messageId: stored.messageId,
    mailIds: stored.outgoingMailIds,
    created: stored.created ? createdThread : null,
    messageCreated: stored.created,
  };
}
