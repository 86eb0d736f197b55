import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import { bounceEvents, contacts, dailySendCounts, notifications, outgoingMails } from '../schema/index.js';

export type OutgoingMail = typeof outgoingMails.$inferSelect;
type MailState = OutgoingMail['state'];

/** The chatter-facing status of a delivery state; `sending` is still `ready` to a reader. */
const notificationStatusOf = (state: MailState) => (state === 'sending' ? 'ready' : state);

/**
 * Takes a mail for sending. `sending` is claimable too: with one queue job per mail, finding it in
 * `sending` means the previous attempt's process died (the job was stalled and handed over).
 * Returns nothing when the mail is already done or cancelled, which makes a duplicate job a no-op.
 */
export async function claimOutgoingMail(db: DbOrTx, id: string): Promise<OutgoingMail | undefined> {
  const [row] = await db
    .update(outgoingMails)
    .set({ state: 'sending', attempts: sql`${outgoingMails.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(outgoingMails.id, id), inArray(outgoingMails.state, ['ready', 'deferred', 'sending'])))
    .returning();
  return row;
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
};

/** Records an outcome on the mail and its notification together, in one statement (one round trip). */
export async function recordDelivery(db: DbOrTx, id: string, update: DeliveryUpdate): Promise<void> {
  await applyDelivery(db, id, update);
}

async function applyDelivery(db: DbOrTx, id: string, update: DeliveryUpdate): Promise<void> {
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
      updatedAt: sql`now()`,
    })
    .where(eq(outgoingMails.id, id))
    .returning({ id: outgoingMails.id });
  await db
    .with(db.$with('mail').as(mailUpdate))
    .update(notifications)
    .set({ status: notificationStatusOf(update.state), failureType, failureReason, updatedAt: sql`now()` })
    .where(sql`${notifications.outgoingMailId} in (select id from mail)`);
}

/**
 * An SMTP-time rejection of the recipient (e.g. 550 5.1.1 at RCPT): the mail is `bounced` and the
 * bounce is recorded like one read from a DSN, so the contact's counter and the blacklist rule see
 * it (listmonk's gap #2623).
 */
export async function recordSmtpBounce(
  db: Db,
  mail: OutgoingMail,
  update: DeliveryUpdate & { statusCode: string | null; hard: boolean },
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
        reason: update.failureType ?? 'recipient_refused',
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

/** Deferred mails whose window has opened, moved back to `ready` (each taken by one caller only). */
export async function releaseDueDeferred(db: DbOrTx, now: Date, limit = 1000) {
  return db
    .update(outgoingMails)
    .set({ state: 'ready', nextAttemptAt: null, updatedAt: sql`now()` })
    .where(
      inArray(
        outgoingMails.id,
        db
          .select({ id: outgoingMails.id })
          .from(outgoingMails)
          .where(and(eq(outgoingMails.state, 'deferred'), lte(outgoingMails.nextAttemptAt, now)))
          .limit(limit)
          .for('update', { skipLocked: true }),
      ),
    )
    .returning({ id: outgoingMails.id, tenantId: outgoingMails.tenantId, lane: outgoingMails.lane });
}

/**
 * Mails that should have a queue job but may not: `ready` or `sending` and untouched for a while
 * (the enqueue after commit failed, or Redis lost the job). Re-enqueueing them is safe: the job id
 * is the mail id, and a mail that is done is not claimable.
 */
export async function findStrandedMails(db: DbOrTx, untouchedSince: Date, limit = 1000) {
  return db
    .select({ id: outgoingMails.id, tenantId: outgoingMails.tenantId, lane: outgoingMails.lane })
    .from(outgoingMails)
    .where(
      and(inArray(outgoingMails.state, ['ready', 'sending']), lte(outgoingMails.updatedAt, untouchedSince)),
    )
    .limit(limit);
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
