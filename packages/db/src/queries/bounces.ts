import { and, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import {
  blacklistEntries,
  bounceEvents,
  contacts,
  mailingTraces,
  messages,
  notifications,
  outgoingMails,
} from '../schema/index.js';

/** What the bounce-processor needs of an outgoing mail to link a bounce to it. */
export type BounceCandidate = {
  id: string;
  recipientEmail: string;
  recipientContactId: string | null;
  lane: 'transactional' | 'mass';
  state: (typeof outgoingMails.$inferSelect)['state'];
};

const candidateColumns = {
  id: outgoingMails.id,
  recipientEmail: outgoingMails.recipientEmail,
  recipientContactId: outgoingMails.recipientContactId,
  lane: outgoingMails.lane,
  state: outgoingMails.state,
};

/** The outgoing mail a VERP token names, only within this database. */
export async function findBounceCandidate(
  db: DbOrTx,
  tenantId: string,
  outgoingMailId: string,
): Promise<BounceCandidate | undefined> {
  const [row] = await db
    .select(candidateColumns)
    .from(outgoingMails)
    .where(and(eq(outgoingMails.tenantId, tenantId), eq(outgoingMails.id, outgoingMailId)));
  return row;
}

/** The mails of this database sent with this Message-ID (one per recipient of a message). */
export async function findBounceCandidatesByMessageId(
  db: DbOrTx,
  tenantId: string,
  smtpMessageId: string,
): Promise<BounceCandidate[]> {
  return db
    .select(candidateColumns)
    .from(outgoingMails)
    .where(and(eq(outgoingMails.tenantId, tenantId), eq(outgoingMails.smtpMessageId, smtpMessageId)))
    .limit(1_000);
}

/**
 * The mails of the threads whose messages these Message-IDs name, newest first: a report that only
 * quotes the References of the bounced mail points at its thread, and the latest mail of that thread
 * to the bounced address is the one that bounced.
 */
export async function findBounceCandidatesByReferences(
  db: DbOrTx,
  tenantId: string,
  references: readonly string[],
): Promise<BounceCandidate[]> {
  if (references.length === 0) {
    return [];
  }
  const threadIds = db
    .select({ threadId: messages.threadId })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), inArray(messages.messageId, [...references])));
  return db
    .select(candidateColumns)
    .from(outgoingMails)
    .innerJoin(messages, eq(messages.id, outgoingMails.messageId))
    .where(and(eq(outgoingMails.tenantId, tenantId), inArray(messages.threadId, threadIds)))
    .orderBy(desc(outgoingMails.createdAt))
    .limit(1_000);
}

export type NewBounceEvent = {
  tenantId: string;
  rawInboundId: string | null;
  /** With the tenant and the email, what makes a bounce unique (the raw mail's content hash). */
  sourceKey: string;
  email: string;
  hard: boolean;
  statusCode: string | null;
  reason: string;
  diagnostic: string | null;
  kind: string;
  originalMessageId: string | null;
  linkedBy: 'verp' | 'message_id' | 'references' | 'none';
  outcome: 'bounced' | 'delayed' | 'complaint' | 'ignored';
  action: string | null;
  note: string | null;
  report: Record<string, unknown> | null;
  occurredAt: Date;
  outgoingMailId: string | null;
  contactId: string | null;
};

export type BounceApplication = {
  /** Mark the outgoing mail and its notification `bounced` with this type and text. */
  markMail: { failureType: string; failureReason: string } | null;
  markTrace: boolean;
  countOnContact: boolean;
};

/**
 * Records one bounced recipient and applies it, in one transaction: the event, the red envelope on
 * the mail and its notification, the mailing trace, the contact's counter. The event is unique per
 * (database, raw mail, address), so the same bounce processed twice changes nothing the second time.
 * Returns whether it was new.
 */
export async function recordBounce(
  db: Db,
  event: NewBounceEvent,
  apply: BounceApplication,
): Promise<{ recorded: boolean }> {
  return db.transaction(async (tx) => {
    const [notification] = event.outgoingMailId
      ? await tx
          .select({ id: notifications.id })
          .from(notifications)
          .where(eq(notifications.outgoingMailId, event.outgoingMailId))
      : [];
    const inserted = await tx
      .insert(bounceEvents)
      .values({ ...event, notificationId: notification?.id ?? null })
      .onConflictDoNothing()
      .returning({ id: bounceEvents.id });
    if (inserted.length === 0) {
      return { recorded: false };
    }
    const mailId = event.outgoingMailId;
    if (apply.markMail && mailId) {
      const { failureType, failureReason } = apply.markMail;
      const marked = await tx
        .update(outgoingMails)
        .set({ state: 'bounced', failureType, failureReason, updatedAt: sql`now()` })
        .where(
          and(eq(outgoingMails.id, mailId), inArray(outgoingMails.state, ['sent', 'exception', 'bounced'])),
        )
        .returning({ id: outgoingMails.id });
      if (marked.length > 0) {
        await tx
          .update(notifications)
          .set({ status: 'bounced', failureType, failureReason, updatedAt: sql`now()` })
          .where(eq(notifications.outgoingMailId, mailId));
      }
    }
    if (apply.markTrace && mailId) {
      await tx
        .update(mailingTraces)
        .set({
          status: 'bounced',
          reason: apply.markMail?.failureReason ?? event.reason,
          updatedAt: sql`now()`,
        })
        .where(and(eq(mailingTraces.tenantId, event.tenantId), eq(mailingTraces.outgoingMailId, mailId)));
    }
    if (apply.countOnContact) {
      await tx
        .update(contacts)
        .set({ bounceCount: sql`${contacts.bounceCount} + 1`, lastBounceAt: event.occurredAt })
        .where(
          event.contactId
            ? and(eq(contacts.tenantId, event.tenantId), eq(contacts.id, event.contactId))
            : and(eq(contacts.tenantId, event.tenantId), eq(contacts.emailNormalized, event.email)),
        );
    }
    return { recorded: true };
  });
}

/** The bounce events of a database, newest first (an admin's view; `unlinked` = linked to nothing). */
export async function listBounceEvents(
  db: DbOrTx,
  tenantId: string,
  options: { unlinked?: boolean; rawInboundId?: string; limit?: number } = {},
) {
  return db
    .select()
    .from(bounceEvents)
    .where(
      and(
        eq(bounceEvents.tenantId, tenantId),
        options.unlinked ? eq(bounceEvents.linkedBy, 'none') : undefined,
        options.rawInboundId ? eq(bounceEvents.rawInboundId, options.rawInboundId) : undefined,
      ),
    )
    .orderBy(desc(bounceEvents.occurredAt))
    .limit(options.limit ?? 100);
}

/**
 * The bounces of an address that the blacklist rule may count (R10.3): failures linked to a mail we
 * sent (from a report or refused at SMTP time) since `since`. Unlinked and forged reports never count.
 */
export async function countableBounces(db: DbOrTx, tenantId: string, email: string, since: Date) {
  return db
    .select({
      occurredAt: bounceEvents.occurredAt,
      hard: bounceEvents.hard,
      statusCode: bounceEvents.statusCode,
      reason: bounceEvents.reason,
      diagnostic: bounceEvents.diagnostic,
    })
    .from(bounceEvents)
    .where(
      and(
        eq(bounceEvents.tenantId, tenantId),
        eq(bounceEvents.email, email.toLowerCase()),
        gt(bounceEvents.occurredAt, since),
        ne(bounceEvents.linkedBy, 'none'),
        eq(bounceEvents.outcome, 'bounced'),
      ),
    )
    .orderBy(bounceEvents.occurredAt);
}

/** When a mail to this address was last delivered (`sent` and never bounced), or null. */
export async function lastSuccessfulDelivery(
  db: DbOrTx,
  tenantId: string,
  email: string,
): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date | null>`max(${outgoingMails.sentAt})`.mapWith((v) => (v ? new Date(v) : null)) })
    .from(outgoingMails)
    .where(
      and(
        eq(outgoingMails.tenantId, tenantId),
        sql`lower(${outgoingMails.recipientEmail}) = ${email.toLowerCase()}`,
        eq(outgoingMails.state, 'sent'),
      ),
    );
  return row?.at ?? null;
}

export type BlacklistEntry = typeof blacklistEntries.$inferSelect;

/** The last time an admin took this address off the blacklist, or null. */
export async function lastBlacklistRemoval(
  db: DbOrTx,
  tenantId: string,
  email: string,
): Promise<Date | null> {
  const [row] = await db
    .select({ at: blacklistEntries.removedAt })
    .from(blacklistEntries)
    .where(
      and(
        eq(blacklistEntries.tenantId, tenantId),
        eq(blacklistEntries.email, email.toLowerCase()),
        eq(blacklistEntries.active, false),
      ),
    )
    .orderBy(sql`${blacklistEntries.removedAt} desc nulls last`)
    .limit(1);
  return row?.at ?? null;
}

/**
 * Puts an address on the blacklist. At most one entry per address is active (a unique index), so two
 * racing callers make one entry; `created` is false when one was already active (it is returned).
 */
export async function addBlacklistEntry(
  db: DbOrTx,
  entry: {
    tenantId: string;
    email: string;
    note: string;
    source: 'manual' | 'auto';
    createdBy: string | null;
  },
): Promise<{ entry: BlacklistEntry; created: boolean }> {
  const email = entry.email.trim().toLowerCase();
  const [created] = await db
    .insert(blacklistEntries)
    .values({ ...entry, email, active: true })
    .onConflictDoNothing()
    .returning();
  if (created) {
    return { entry: created, created: true };
  }
  const [existing] = await db
    .select()
    .from(blacklistEntries)
    .where(
      and(
        eq(blacklistEntries.tenantId, entry.tenantId),
        eq(blacklistEntries.email, email),
        eq(blacklistEntries.active, true),
      ),
    );
  if (!existing) {
    throw new Error('blacklist conflict without an active entry');
  }
  return { entry: existing, created: false };
}

/** Takes an entry off the list and keeps it as history (who, when, why). Undefined if not active. */
export async function removeBlacklistEntry(
  db: DbOrTx,
  tenantId: string,
  id: string,
  removal: { removedBy: string; note: string | null; at?: Date },
): Promise<BlacklistEntry | undefined> {
  const [row] = await db
    .update(blacklistEntries)
    .set({
      active: false,
      removedAt: removal.at ?? sql`now()`,
      removedBy: removal.removedBy,
      removedNote: removal.note,
    })
    .where(
      and(
        eq(blacklistEntries.tenantId, tenantId),
        eq(blacklistEntries.id, id),
        eq(blacklistEntries.active, true),
      ),
    )
    .returning();
  return row;
}

export async function findBlacklistEntry(
  db: DbOrTx,
  tenantId: string,
  id: string,
): Promise<BlacklistEntry | undefined> {
  const [row] = await db
    .select()
    .from(blacklistEntries)
    .where(and(eq(blacklistEntries.tenantId, tenantId), eq(blacklistEntries.id, id)));
  return row;
}

/** Active entries, newest first; with `history`, removed ones too. */
export async function listBlacklistEntries(
  db: DbOrTx,
  tenantId: string,
  options: { history?: boolean; email?: string } = {},
): Promise<BlacklistEntry[]> {
  return db
    .select()
    .from(blacklistEntries)
    .where(
      and(
        eq(blacklistEntries.tenantId, tenantId),
        options.history ? undefined : eq(blacklistEntries.active, true),
        options.email ? eq(blacklistEntries.email, options.email.trim().toLowerCase()) : undefined,
      ),
    )
    .orderBy(desc(blacklistEntries.createdAt), desc(blacklistEntries.id));
}

/** For the mass lane (R10.3, R11): blacklisted addresses are skipped, never sent to. */
export async function isBlacklisted(db: DbOrTx, tenantId: string, email: string): Promise<boolean> {
  return (await blacklistedAmong(db, tenantId, [email])).size > 0;
}

/** Which of these addresses are blacklisted in this database (lower-cased), in one query. */
export async function blacklistedAmong(
  db: DbOrTx,
  tenantId: string,
  emails: readonly string[],
): Promise<Set<string>> {
  const normalized = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
  if (normalized.length === 0) {
    return new Set();
  }
  const rows = await db
    .select({ email: blacklistEntries.email })
    .from(blacklistEntries)
    .where(
      and(
        eq(blacklistEntries.tenantId, tenantId),
        inArray(blacklistEntries.email, normalized),
        eq(blacklistEntries.active, true),
      ),
    );
  return new Set(rows.map((r) => r.email));
}

/**
 * R10.2: a normal mail (not a bounce, not an auto-reply) received from an address shows it is alive,
 * so its contacts' bounce counters go back to zero. Returns how many contacts were reset.
 */
export async function resetBounceCounter(db: DbOrTx, tenantId: string, email: string): Promise<number> {
  const normalized = email.trim().toLowerCase();
  if (normalized === '') {
    return 0;
  }
  const rows = await db
    .update(contacts)
    .set({ bounceCount: 0, updatedAt: sql`now()` })
    .where(
      and(
        eq(contacts.tenantId, tenantId),
        eq(contacts.emailNormalized, normalized),
        gt(contacts.bounceCount, 0),
      ),
    )
    .returning({ id: contacts.id });
  return rows.length;
}
