import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import { attachments, contacts, followers, messages, notifications, outgoingMails } from '../schema/index.js';

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
  const authorEmail = input.authorEmail?.toLowerCase() ?? null;
  const notAuthor = [
    ...(input.authorContactId ? [ne(contacts.id, input.authorContactId)] : []),
    ...(authorEmail ? [ne(contacts.emailNormalized, authorEmail)] : []),
  ];
  const recipients = await tx
    .selectDistinctOn([contacts.emailNormalized], {
      id: contacts.id,
      name: contacts.name,
      email: contacts.email,
      normalized: contacts.emailNormalized,
    })
    .from(followers)
    .innerJoin(contacts, eq(contacts.id, followers.contactId))
    .where(and(eq(followers.threadId, input.threadId), eq(followers.tenantId, input.tenantId), ...notAuthor))
    .orderBy(asc(contacts.emailNormalized), asc(followers.createdAt));
  if (recipients.length === 0 || input.notifyFollowers === false) {
    return { message, outgoingMailIds: [], created: true };
  }
  const mails = await tx
    .insert(outgoingMails)
    .values(
      recipients.map((r) => ({
        tenantId: input.tenantId,
        lane: 'transactional' as const,
        messageId: message.id,
        recipientEmail: r.email,
        recipientName: r.name,
        recipientContactId: r.id,
        smtpMessageId: message.messageId,
      })),
    )
    .returning({
      id: outgoingMails.id,
      email: outgoingMails.recipientEmail,
      contactId: outgoingMails.recipientContactId,
    });
  await tx.insert(notifications).values(
    mails.map((m) => ({
      tenantId: input.tenantId,
      messageId: message.id,
      contactId: m.contactId,
      email: m.email,
      outgoingMailId: m.id,
    })),
  );
  return { message, outgoingMailIds: mails.map((m) => m.id), created: true };
}

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
