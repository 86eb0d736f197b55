import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import {
  bounceEvents,
  contacts,
  dailySendCounts,
  mailingTraces,
  notifications,
  outgoingMails,
} from '../schema/index.js';

export type OutgoingMail = typeof outgoingMails.$inferSelect;
type MailState = OutgoingMail['state'];

/** The chatter-facing status of a delivery state; `sending` is still `ready` to a reader. */
const notificationStatusOf = (state: MailState) => (state === 'sending' ? 'ready' : state);

/**
 * A mail found in `sending` whose claim is older than this lease was abandoned (its process died,
 * its job stalled) and may be taken again. Younger, it may still be on the wire: taking it would
 * send it twice, so the caller waits for the lease to run out. The dispatcher passes its own value.
 */
export const defaultClaimLeaseMs = 120_000;

export type ClaimResult =
  | { claimed: OutgoingMail }
  /** Still held by a live claim: try again after `retryInMs`. */
  | { held: { retryInMs: number } }
  /** Done, cancelled or gone: nothing to do. */
  | { done: true };

const claimable = (leaseMs: number) =>
  sql`(${outgoingMails.state} in ('ready', 'deferred') or (${outgoingMails.state} = 'sending' and ${outgoingMails.updatedAt} < now() - make_interval(secs => ${leaseMs / 1000})))`;

/**
 * Takes mails for sending, in one statement: `ready` and `deferred` ones, and `sending` ones whose
 * claim has expired (see defaultClaimLeaseMs). Mails already done or cancelled are left alone, which
 * makes a duplicate job a no-op.
 */
export async function claimOutgoingMails(
  db: DbOrTx,
  ids: readonly string[],
  leaseMs = defaultClaimLeaseMs,
): Promise<OutgoingMail[]> {
  if (ids.length === 0) {
    return [];
  }
  return db
    .update(outgoingMails)
    .set({ state: 'sending', attempts: sql`${outgoingMails.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(inArray(outgoingMails.id, [...ids]), claimable(leaseMs)))
    .returning();
}

/** Takes one mail for sending; tells apart a mail still held by a live claim from one that is done. */
export async function claimOutgoingMail(
  db: DbOrTx,
  id: string,
  leaseMs = defaultClaimLeaseMs,
): Promise<ClaimResult> {
  const [row] = await claimOutgoingMails(db, [id], leaseMs);
  if (row) {
    return { claimed: row };
  }
  const [held] = await findHeldMails(db, [id], leaseMs);
  return held ? { held: { retryInMs: held.retryInMs } } : { done: true };
}

/**
 * Gives back claims a job took but did not use (its time slice ended first): the mails are `ready`
 * again and the claim counts as no attempt.
 */
export async function releaseClaims(db: DbOrTx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await db
    .update(outgoingMails)
    .set({
      state: 'ready',
      attempts: sql`greatest(${outgoingMails.attempts} - 1, 0)`,
      updatedAt: sql`now()`,
    })
    .where(and(inArray(outgoingMails.id, [...ids]), eq(outgoingMails.state, 'sending')));
}

const leaseLeftMs = (leaseMs: number) =>
  sql<number>`ceil(extract(epoch from (${outgoingMails.updatedAt} + make_interval(secs => ${leaseMs / 1000}) - now())) * 1000)::int`;

/** Of these mails, those in `sending` under a claim that has not run out, and when it does. */
export async function findHeldMails(db: DbOrTx, ids: readonly string[], leaseMs = defaultClaimLeaseMs) {
  if (ids.length === 0) {
    return [];
  }
  const rows = await db
    .select({
      id: outgoingMails.id,
      tenantId: outgoingMails.tenantId,
      lane: outgoingMails.lane,
      leftMs: leaseLeftMs(leaseMs),
    })
    .from(outgoingMails)
    .where(and(inArray(outgoingMails.id, [...ids]), eq(outgoingMails.state, 'sending')));
  return rows.map(({ leftMs, ...mail }) => ({ ...mail, retryInMs: Math.max(leftMs, 1_000) }));
}

export async function findOutgoingMail(db: DbOrTx, id: string): Promise<OutgoingMail | undefined> {
  const [row] = await db.select().from(outgoingMails).where(eq(outgoingMails.id, id));
  return row;
}

export type DeliveryUpdate = {
  state: Exclude<MailState, 'sending'>;
  serverId?: string | null;
  fromHeader?: string | null;
  envelopeFrom?: string | null;
  verpToken?: string | null;
  smtpResponse?: string | null;
  smtpQueueId?: string | null;
  failureType?: string | null;
  failureReason?: string | null;
  nextAttemptAt?: Date | null;
  /** The claim led to no SMTP attempt (a quota wait, a deferral): it does not count as one. */
  refundAttempt?: boolean;
};

/** Records an outcome on the mail and its notification together, in one statement (one round trip). */
export async function recordDelivery(db: DbOrTx, id: string, update: DeliveryUpdate): Promise<void> {
  await applyDelivery(db, id, update);
}

async function applyDelivery(
  db: DbOrTx,
  id: string,
  { refundAttempt, ...update }: DeliveryUpdate,
): Promise<void> {
  const failed = update.state === 'exception' || update.state === 'bounced' || update.state === 'deferred';
  const failureType = failed ? (update.failureType ?? null) : null;
  const failureReason = update.state === 'sent' ? null : (update.failureReason ?? null);
  const mailUpdate = db
    .update(outgoingMails)
    .set({
      ...update,
      failureType,
      failureReason,
      sentAt: update.state === 'sent' ? sql`now()` : undefined,
      attempts: refundAttempt ? sql`greatest(${outgoingMails.attempts} - 1, 0)` : undefined,
      updatedAt: sql`now()`,
    })
    .where(eq(outgoingMails.id, id))
    .returning({ id: outgoingMails.id });
  await db
    .with(db.$with('mail').as(mailUpdate))
    .update(notifications)
    .set({ status: notificationStatusOf(update.state), failureType, failureReason, updatedAt: sql`now()` })
    // By the id itself, not a join with `mail`: the planner then always takes the index, even on a
    // table whose statistics are not yet gathered. (The update of `mail` runs all the same.)
    .where(eq(notifications.outgoingMailId, id));
}

export type SentRecord = {
  id: string;
  /** Null for the platform's default server, which has no row. */
  serverId: string | null;
  fromHeader: string;
  envelopeFrom: string;
  verpToken: string | null;
  smtpResponse: string;
  smtpQueueId: string | null;
};

/**
 * Records many sent mails and their notifications in one statement: the dispatcher groups the
 * mails that were accepted while the previous write was in flight (a group commit).
 */
export async function recordSentMails(db: DbOrTx, records: readonly SentRecord[]): Promise<void> {
  if (records.length === 0) {
    return;
  }
  // One array parameter per column (a bare array would be spread into a list of parameters).
  const column = <K extends keyof SentRecord>(key: K) => sql.param(records.map((r) => r[key]));
  // The notifications are found by the mails' ids, not by a join with `mail`: the planner then takes
  // the index even on a table whose statistics are not gathered yet (the join scanned them all).
  await db.execute(sql`
    with v as (
      select * from unnest(
        ${column('id')}::uuid[], ${column('serverId')}::uuid[], ${column('fromHeader')}::text[],
        ${column('envelopeFrom')}::text[], ${column('verpToken')}::text[], ${column('smtpResponse')}::text[],
        ${column('smtpQueueId')}::text[]
      ) as v(id, server_id, from_header, envelope_from, verp_token, smtp_response, smtp_queue_id)
    ), mail as (
      update ${outgoingMails} as o set
        state = 'sent', server_id = v.server_id, from_header = v.from_header,
        envelope_from = v.envelope_from, verp_token = v.verp_token, smtp_response = v.smtp_response,
        smtp_queue_id = v.smtp_queue_id, failure_type = null, failure_reason = null,
        sent_at = now(), updated_at = now()
      from v where o.id = v.id
    )
    update ${notifications} set status = 'sent', failure_type = null, failure_reason = null, updated_at = now()
    where outgoing_mail_id = any(${column('id')}::uuid[])`);
}

/**
 * A mass mail to a blacklisted address (R10.3) is not sent: the mail is cancelled and its mailing
 * trace says `skipped` with the reason, for the mailing's report.
 */
export async function recordBlacklistSkip(db: Db, mailId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(outgoingMails)
      .set({
        state: 'cancelled',
        failureType: 'blacklisted',
        failureReason: 'skipped: blacklisted',
        updatedAt: sql`now()`,
      })
      .where(eq(outgoingMails.id, mailId));
    await tx
      .update(mailingTraces)
      .set({ status: 'skipped', reason: 'blacklisted', updatedAt: sql`now()` })
      .where(eq(mailingTraces.outgoingMailId, mailId));
  });
}

/**
 * An SMTP-time rejection of the recipient (e.g. 550 5.1.1 at RCPT): the mail is `bounced` and the
 * bounce is recorded like one read from a DSN, so the contact's counter and the blacklist rule see
 * it (listmonk's gap #2623).
 */
export async function recordSmtpBounce(
  db: Db,
  mail: OutgoingMail,
  update: DeliveryUpdate & { statusCode: string | null; hard: boolean; reason: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await applyDelivery(tx, mail.id, { ...update, state: 'bounced' });
    const [notification] = await tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(eq(notifications.outgoingMailId, mail.id));
    const inserted = await tx
      .insert(bounceEvents)
      .values({
        tenantId: mail.tenantId,
        sourceKey: `smtp:${mail.id}`,
        outgoingMailId: mail.id,
        notificationId: notification?.id ?? null,
        contactId: mail.recipientContactId,
        email: mail.recipientEmail.toLowerCase(),
        hard: update.hard,
        statusCode: update.statusCode,
        reason: update.reason,
        diagnostic: update.failureReason ?? null,
        kind: 'smtp',
        originalMessageId: mail.smtpMessageId,
        // Refused in our own SMTP session: no report to trust or distrust.
        linkedBy: 'smtp',
      })
      .onConflictDoNothing()
      .returning({ id: bounceEvents.id });
    if (inserted.length > 0 && mail.recipientContactId) {
      await tx
        .update(contacts)
        .set({ bounceCount: sql`${contacts.bounceCount} + 1`, lastBounceAt: sql`now()` })
        .where(eq(contacts.id, mail.recipientContactId));
    }
  });
}

/**
 * Takes one slot of a database's daily limit, atomically: with any number of dispatchers racing,
 * at most `limit` slots are ever taken for one day. Returns false when the day is full.
 */
export async function reserveDailySlot(
  db: DbOrTx,
  tenantId: string,
  day: string,
  limit: number,
): Promise<boolean> {
  if (limit <= 0) {
    return false;
  }
  const rows = await db
    .insert(dailySendCounts)
    .values({ tenantId, day, sent: 1 })
    .onConflictDoUpdate({
      target: [dailySendCounts.tenantId, dailySendCounts.day],
      set: { sent: sql`${dailySendCounts.sent} + 1` },
      setWhere: sql`${dailySendCounts.sent} < ${limit}`,
    })
    .returning({ sent: dailySendCounts.sent });
  return rows.length > 0;
}

/** Gives a slot back when the mail it was taken for was not sent after all. */
export async function releaseDailySlot(db: DbOrTx, tenantId: string, day: string): Promise<void> {
  await db
    .update(dailySendCounts)
    .set({ sent: sql`greatest(${dailySendCounts.sent} - 1, 0)` })
    .where(and(eq(dailySendCounts.tenantId, tenantId), eq(dailySendCounts.day, day)));
}

export async function dailySlotsUsed(db: DbOrTx, tenantId: string, day: string): Promise<number> {
  const [row] = await db
    .select({ sent: dailySendCounts.sent })
    .from(dailySendCounts)
    .where(and(eq(dailySendCounts.tenantId, tenantId), eq(dailySendCounts.day, day)));
  return row?.sent ?? 0;
}

/**
 * Deferred mails whose window has opened, moved back to `ready` (each taken by one caller only),
 * soonest due first whatever their database. Read through the partial index of deferred mail: the
 * sweep runs every few seconds and must not read every mail ever sent.
 */
export async function releaseDueDeferred(db: DbOrTx, now: Date, limit = 1000) {
  const { rows } = await db.execute<{ id: string; tenant_id: string; lane: 'transactional' | 'mass' }>(sql`
    update outgoing_mails o set state = 'ready', next_attempt_at = null, updated_at = now()
      from (select id from outgoing_mails
             where state = 'deferred' and next_attempt_at <= ${now.toISOString()}::timestamptz
             order by next_attempt_at
             limit ${limit}
               for update skip locked) due
     where o.id = due.id
    returning o.id, o.tenant_id, o.lane`);
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, lane: r.lane }));
}

/**
 * Mails that should have a queue job but may not: `ready` or `sending` and untouched for a while
 * (the enqueue after commit failed, or Redis lost the job). Re-enqueueing them is safe: the job id
 * is the mail id, and a mail that is done is not claimable.
 */
export async function findStrandedMails(db: DbOrTx, untouchedSince: Date, limit = 1000) {
  // Through the partial index of mail waiting to be sent (the states are literals so that it
  // applies). Oldest first, so a backlog larger than one sweep is worked through, not rescanned.
  const { rows } = await db.execute<{
    id: string;
    tenant_id: string;
    lane: 'transactional' | 'mass';
    attempts: number;
  }>(sql`
    select id, tenant_id, lane, attempts from outgoing_mails
     where state in ('ready', 'sending') and updated_at <= ${untouchedSince.toISOString()}::timestamptz
     order by updated_at
     limit ${limit}`);
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, lane: r.lane, attempts: r.attempts }));
}

/**
 * Fails a mail the release loop found stranded, only if it still is: a job that took it meanwhile
 * keeps it. Returns whether it was failed.
 */
export async function failStrandedMail(
  db: DbOrTx,
  id: string,
  untouchedSince: Date,
  failureReason: string,
): Promise<boolean> {
  const rows = await db
    .update(outgoingMails)
    .set({ state: 'exception', failureType: 'internal_error', failureReason, updatedAt: sql`now()` })
    .where(
      and(
        eq(outgoingMails.id, id),
        inArray(outgoingMails.state, ['ready', 'sending']),
        lte(outgoingMails.updatedAt, untouchedSince),
      ),
    )
    .returning({ id: outgoingMails.id });
  if (rows.length > 0) {
    await db
      .update(notifications)
      .set({ status: 'exception', failureType: 'internal_error', failureReason, updatedAt: sql`now()` })
      .where(eq(notifications.outgoingMailId, id));
  }
  return rows.length > 0;
}

async function findNotification(db: DbOrTx, tenantId: string, notificationId: string) {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.tenantId, tenantId), eq(notifications.id, notificationId)))
    .for('update');
  return row;
}

/** Failed or cancelled deliveries an admin retries: back to `ready`, counters kept. */
export async function requeueDelivery(db: Db, tenantId: string, notificationId: string) {
  return db.transaction(async (tx) => {
    const notification = await findNotification(tx, tenantId, notificationId);
    if (!notification?.outgoingMailId) {
      return { found: Boolean(notification), mail: undefined };
    }
    const [mail] = await tx
      .update(outgoingMails)
      .set({
        state: 'ready',
        attempts: 0,
        failureType: null,
        failureReason: null,
        nextAttemptAt: null,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(outgoingMails.id, notification.outgoingMailId),
          inArray(outgoingMails.state, ['exception', 'bounced', 'cancelled']),
        ),
      )
      .returning();
    if (mail) {
      await tx
        .update(notifications)
        .set({ status: 'ready', failureType: null, failureReason: null, updatedAt: sql`now()` })
        .where(eq(notifications.id, notificationId));
    }
    return { found: true, mail };
  });
}

/** Cancels a delivery that has not gone out (ready, deferred or failed). */
export async function cancelDelivery(db: Db, tenantId: string, notificationId: string) {
  return db.transaction(async (tx) => {
    const notification = await findNotification(tx, tenantId, notificationId);
    if (!notification?.outgoingMailId) {
      return { found: Boolean(notification), cancelled: false };
    }
    const [mail] = await tx
      .update(outgoingMails)
      .set({ state: 'cancelled', nextAttemptAt: null, updatedAt: sql`now()` })
      .where(
        and(
          eq(outgoingMails.id, notification.outgoingMailId),
          inArray(outgoingMails.state, ['ready', 'deferred', 'exception']),
        ),
      )
      .returning({ id: outgoingMails.id });
    if (mail) {
      await tx
        .update(notifications)
        .set({ status: 'cancelled', updatedAt: sql`now()` })
        .where(eq(notifications.id, notificationId));
    }
    return { found: true, cancelled: Boolean(mail) };
  });
}
