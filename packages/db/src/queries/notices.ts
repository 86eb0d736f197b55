import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import { inboundNotices, outgoingServers, rawInboundMessages, tenants } from '../schema/index.js';
import { loopKeyColumns } from './inbound.js';
import { getParameters } from './parameters.js';

export type InboundNotice = typeof inboundNotices.$inferSelect;

export type NewNotice = {
  tenantId: string;
  rawInboundId: string;
  recipient: string;
  /** The UTC day (YYYY-MM-DD) the notice counts against: one per sender per day. */
  day: string;
  reason: string;
  subject: string;
  bodyText: string;
  refusedMessageId: string | null;
};

/**
 * Records a refused mail and, in the same transaction, the notice its sender gets. The unique key
 * (database, recipient, day) makes a second refusal of the same sender that day insert nothing, even
 * with routers racing; the decision then says so. A mail already answered (routed again after a
 * re-process) gets no second notice. `noticeId` is null when no notice was created.
 */
export async function recordRefusal(
  db: Db,
  values: { rawInboundId: string; decision: Record<string, unknown>; notice: NewNotice | null },
): Promise<{ noticeId: string | null }> {
  return db.transaction(async (tx) => {
    let noticeId: string | null = null;
    let note: Record<string, unknown> | null = null;
    // A mail is answered once, however often it is routed again: a re-process on a later day would
    // otherwise pass the per-day key.
    const [earlier] = values.notice
      ? await tx
          .select({ day: inboundNotices.day })
          .from(inboundNotices)
          .where(eq(inboundNotices.rawInboundId, values.rawInboundId))
          .limit(1)
      : [];
    if (values.notice && earlier) {
      note = {
        to: values.notice.recipient,
        skipped: `this mail was already answered with a notice on ${earlier.day}`,
      };
    } else if (values.notice) {
      const [row] = await tx
        .insert(inboundNotices)
        .values({ ...values.notice, recipient: values.notice.recipient.toLowerCase() })
        .onConflictDoNothing({
          target: [inboundNotices.tenantId, inboundNotices.recipient, inboundNotices.day],
        })
        .returning({ id: inboundNotices.id });
      noticeId = row?.id ?? null;
      note = row
        ? { id: row.id, to: values.notice.recipient }
        : {
            to: values.notice.recipient,
            skipped: `one notice per sender per day: ${values.notice.recipient} already got one on ${values.notice.day}`,
          };
    }
    await tx
      .update(rawInboundMessages)
      .set({
        state: 'ignored',
        decision: note ? { ...values.decision, notice: note } : values.decision,
        ...loopKeyColumns(values.decision),
        attempts: sql`${rawInboundMessages.attempts} + 1`,
        processedAt: sql`now()`,
      })
      .where(eq(rawInboundMessages.id, values.rawInboundId));
    return { noticeId };
  });
}

export async function findNotice(
  db: DbOrTx,
  tenantId: string,
  id: string,
): Promise<InboundNotice | undefined> {
  const [row] = await db
    .select()
    .from(inboundNotices)
    .where(and(eq(inboundNotices.tenantId, tenantId), eq(inboundNotices.id, id)));
  return row;
}

/**
 * Takes a notice to send it: `sending`, one more attempt. Undefined when it is settled (sent or
 * failed) or gone. The job id is the notice id, so only a job whose holder died takes one that is
 * already `sending`.
 */
export async function claimNotice(
  db: DbOrTx,
  tenantId: string,
  id: string,
): Promise<InboundNotice | undefined> {
  const [row] = await db
    .update(inboundNotices)
    .set({ state: 'sending', attempts: sql`${inboundNotices.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        eq(inboundNotices.tenantId, tenantId),
        eq(inboundNotices.id, id),
        inArray(inboundNotices.state, ['ready', 'deferred', 'sending']),
      ),
    )
    .returning();
  return row;
}

export type NoticeUpdate = {
  state: InboundNotice['state'];
  serverId?: string | null;
  fromHeader?: string | null;
  envelopeFrom?: string | null;
  smtpResponse?: string | null;
  failureReason?: string | null;
  nextAttemptAt?: Date | null;
  sentAt?: Date | null;
};

export async function recordNoticeOutcome(db: DbOrTx, id: string, update: NoticeUpdate): Promise<void> {
  await db
    .update(inboundNotices)
    .set({ ...update, updatedAt: sql`now()` })
    .where(eq(inboundNotices.id, id));
}

/**
 * Notices whose job may have been lost (Redis away, a crash between commit and enqueue): ready or
 * sending and untouched for a while, or deferred past their next attempt.
 */
export async function findPendingNotices(db: DbOrTx, untouchedSince: Date, now: Date, limit = 500) {
  return db
    .select({ id: inboundNotices.id, tenantId: inboundNotices.tenantId })
    .from(inboundNotices)
    .where(
      or(
        and(
          inArray(inboundNotices.state, ['ready', 'sending']),
          lte(inboundNotices.updatedAt, untouchedSince),
        ),
        and(eq(inboundNotices.state, 'deferred'), lte(inboundNotices.nextAttemptAt, now)),
      ),
    )
    .orderBy(inboundNotices.updatedAt)
    .limit(limit);
}

export type NoticeContext = {
  tenant: typeof tenants.$inferSelect;
  params: Record<string, string>;
  servers: (typeof outgoingServers.$inferSelect)[];
};

/** What the dispatcher needs to route a notice like any mail of the database (R1.1, R3, R4). */
export async function loadNoticeContext(db: Db, tenantId: string): Promise<NoticeContext | undefined> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) {
    return undefined;
  }
  const [params, servers] = await Promise.all([
    getParameters(db, tenantId),
    db.select().from(outgoingServers).where(eq(outgoingServers.tenantId, tenantId)),
  ]);
  return { tenant, params, servers };
}
