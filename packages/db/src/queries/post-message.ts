import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import { attachments, messages, notifications } from '../schema/index.js';

export type NewAttachment = { filename: string; contentType: string; content: Buffer; sha256: string };

export type PostMessageInput = {
  tenantId: string;
  threadId: string;
  kind: 'comment' | 'email' | 'note';
  authorContactId: string | null;
  authorEmail: string | null;
  authorName: string | null;
  subject: string;
  bodyHtml: string;
  bodyText: string;
  /** RFC 5322 Message-ID without brackets; unique per database. */
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  rawInboundId?: string | null;
  attachments?: NewAttachment[];
  /** False for mail that must not be passed on (auto-replies, R9.3): stored, nobody emailed. */
  notifyFollowers?: boolean;
};

export type PostedMessage = {
  message: typeof messages.$inferSelect;
  /** One per recipient: every follower except the author (R6.1). */
  outgoingMailIds: string[];
  /** False when a message with this Message-ID already existed (a re-delivery): nothing was created. */
  created: boolean;
};

/**
 * Stores a message in its thread and, in the same transaction, one outgoing mail and one
 * notification per follower except the author. Either all of it exists or none: a crash cannot
 * leave a message whose followers are silently not notified.
 */
export async function postMessage(db: Db, input: PostMessageInput): Promise<PostedMessage> {
  return db.transaction((tx) => postMessageInTransaction(tx, input));
}

/**
 * postMessage inside the caller's transaction: the router commits the message together with the
 * mail's noted decision and the record an alias creates, in one commit.
 */
export async function postMessageInTransaction(tx: DbOrTx, input: PostMessageInput): Promise<PostedMessage> {
  const [message] = await tx
    .insert(messages)
    .values({
      tenantId: input.tenantId,
      threadId: input.threadId,
      kind: input.kind,
      authorContactId: input.authorContactId,
      authorEmail: input.authorEmail,
      authorName: input.authorName,
      subject: input.subject,
      bodyHtml: input.bodyHtml,
      bodyText: input.bodyText,
      messageId: input.messageId,
      inReplyTo: input.inReplyTo ?? null,
      references: input.references ?? [],
      rawInboundId: input.rawInboundId ?? null,
    })
    .onConflictDoNothing({ target: [messages.tenantId, messages.messageId] })
    .returning();
  if (!message) {
    const [existing] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.tenantId, input.tenantId), eq(messages.messageId, input.messageId)));
    if (!existing) {
      throw new Error('message conflict without an existing row');
    }
    return { message: existing, outgoingMailIds: [], created: false };
  }
  await insertAttachments(tx, input.tenantId, message.id, input.attachments ?? []);
  if (input.notifyFollowers === false) {
    return { message, outgoingMailIds: [], created: true };
  }
  const result = await tx.execute<{ mail_ids: string[] }>(sql`
    with stored as (select ${message.id}::uuid as id, ${message.messageId}::text as message_id),
    ${followerDeliveries(followerDeliveryValues(input))}
    select array(select id from mails) as mail_ids`);
  return { message, outgoingMailIds: result.rows[0]?.mail_ids ?? [], created: true };
}

/**
 * The CTEs `recipients`, `mails` and `notified` (following a CTE `stored (id, message_id)` with the
 * message): one outgoing mail and one notification per follower of the thread except the author,
 * one per address (R6.1). One statement, so a post to 100 followers is one round trip, not three.
 * The values may be `sql.placeholder`s (storeRoutedMessage prepares the statement by name).
 */
export function followerDeliveries(m: {
  tenantId: unknown;
  threadId: unknown;
  authorContactId: unknown;
  /** Lower-case, or null. */
  authorEmail: unknown;
  notifyFollowers: unknown;
}) {
  return sql`recipients as (
      select distinct on (c.email_normalized) c.id, c.name, c.email
        from followers f join contacts c on c.id = f.contact_id
       where f.thread_id = ${m.threadId}::uuid and f.tenant_id = ${m.tenantId}::uuid
         and ${m.notifyFollowers}::boolean
         and c.id is distinct from ${m.authorContactId}::uuid
         and c.email_normalized is distinct from ${m.authorEmail}::text
       order by c.email_normalized, f.created_at
    ), mails as (
      insert into outgoing_mails (tenant_id, lane, message_id, recipient_email, recipient_name,
                                  recipient_contact_id, smtp_message_id)
      select ${m.tenantId}::uuid, 'transactional', stored.id, r.email, r.name, r.id, stored.message_id
        from recipients r cross join stored
      returning id, message_id, recipient_email, recipient_contact_id
    ), notified as (
      insert into notifications (tenant_id, message_id, contact_id, email, outgoing_mail_id)
      select ${m.tenantId}::uuid, message_id, recipient_contact_id, recipient_email, id from mails
    )`;
}

/** The values followerDeliveries needs, from a message's author and its choice to notify. */
export const followerDeliveryValues = (m: {
  tenantId: string;
  threadId: string;
  authorContactId: string | null;
  authorEmail: string | null;
  notifyFollowers?: boolean;
}) => ({
  tenantId: m.tenantId,
  threadId: m.threadId,
  authorContactId: m.authorContactId,
  authorEmail: m.authorEmail?.toLowerCase() ?? null,
  notifyFollowers: m.notifyFollowers !== false,
});

export async function insertAttachments(
  tx: DbOrTx,
  tenantId: string,
  messageId: string,
  files: NewAttachment[],
): Promise<void> {
  if (files.length === 0) {
    return;
  }
  await tx.insert(attachments).values(
    files.map((a) => ({
      tenantId,
      messageId,
      filename: a.filename,
      contentType: a.contentType,
      size: a.content.length,
      sha256: a.sha256,
      content: a.content,
    })),
  );
}

/** The Message-IDs of a thread's earlier messages, oldest first: the References of a new one. */
export async function threadReferences(
  db: Db,
  threadId: string,
  beforeMessageId: string,
  limit = 20,
): Promise<string[]> {
  const rows = await db
    .select({ messageId: messages.messageId })
    .from(messages)
    .where(
      and(
        eq(messages.threadId, threadId),
        ne(messages.id, beforeMessageId),
        sql`${messages.createdAt} <= (select created_at from messages where id = ${beforeMessageId})`,
      ),
    )
    .orderBy(sql`${messages.createdAt} desc`)
    .limit(limit);
  return rows.map((r) => r.messageId).reverse();
}

export async function messageAttachments(db: Db, messageId: string) {
  return db
    .select()
    .from(attachments)
    .where(eq(attachments.messageId, messageId))
    .orderBy(asc(attachments.createdAt));
}

/** Messages of a thread with the delivery state of each recipient (the chatter, R6.3). */
export async function listThreadMessages(db: Db, tenantId: string, threadId: string) {
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.threadId, threadId)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  const ids = rows.map((m) => m.id);
  const notes =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(notifications)
          .where(inArray(notifications.messageId, ids))
          .orderBy(asc(notifications.email));
  return rows.map((message) => ({ message, notifications: notes.filter((n) => n.messageId === message.id) }));
}
