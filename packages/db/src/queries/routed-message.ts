import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { messages, outgoingMails, rawInboundMessages, threads } from '../schema/index.js';
import { attachmentColumns } from './attachment-columns.js';
import { loopKeyColumns } from './inbound.js';
import { namedStatement, placeholder as p } from './named-statement.js';
import {
  followerDeliveries,
  followerDeliveryValues,
  type NewAttachment,
  type PostMessageInput,
} from './post-message.js';

/**
 * The message an earlier run of the router already stored for this raw mail, if it died before
 * recording that it was done: its thread, whether the thread began with it, and its mails still
 * waiting to be queued. A re-run finishes that work instead of taking the mail for a duplicate.
 * Looked up by the Message-ID the run noted (the unique index), then checked to be this mail's.
 */
export async function findMessageOfRaw(db: DbOrTx, raw: { tenantId: string; id: string; messageId: string }) {
  const [row] = await db
    .select({ message: messages, thread: threads })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .where(
      and(
        eq(messages.tenantId, raw.tenantId),
        eq(messages.messageId, raw.messageId),
        eq(messages.rawInboundId, raw.id),
      ),
    )
    .limit(1);
  if (!row) {
    return undefined;
  }
  const [first] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(eq(messages.threadId, row.thread.id))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(1);
  const ready = await db
    .select({ id: outgoingMails.id })
    .from(outgoingMails)
    .where(and(eq(outgoingMails.messageId, row.message.id), eq(outgoingMails.state, 'ready')));
  return {
    ...row,
    startedThread: first?.id === row.message.id,
    readyMailIds: ready.map((m) => m.id),
  };
}

/**
 * Keeps the decision on a mail before the router acts on it (the mail stays `received`), so a run
 * that dies half-way leaves the reasons for the one that finishes.
 */
export async function noteRawDecision(
  db: DbOrTx,
  rawInboundId: string,
  decision: Record<string, unknown>,
): Promise<void> {
  await db
    .update(rawInboundMessages)
    .set({ decision, ...loopKeyColumns(decision) })
    .where(eq(rawInboundMessages.id, rawInboundId));
}

export type RoutedMessage = {
  /** The raw mail whose decision is noted with the message (finish-interrupted.ts reads it). */
  rawInboundId: string;
  decision: Record<string, unknown>;
  message: Omit<PostMessageInput, 'attachments' | 'rawInboundId'>;
  /** Stored with the message, in this order; none when absent. */
  attachments?: readonly NewAttachment[];
  /** A person's mail resets the bounce counter of its address (R10.2); null for auto-replies. */
  resetBounceOf: string | null;
};

const storeRouted = namedStatement<{ id: string | null; mail_ids: string[] }>(
  'store_routed_message',
  sql`
    with noted as (
      update raw_inbound_messages
         set decision = ${p('decision')}::jsonb,
             sender_email = coalesce(${p('senderEmail')}::text, sender_email),
             content_fingerprint = coalesce(${p('fingerprint')}::text, content_fingerprint)
       where id = ${p('rawInboundId')}::uuid
    ), stored as (
      insert into messages (tenant_id, thread_id, kind, author_contact_id, author_email, author_name, subject,
                            body_html, body_text, message_id, in_reply_to, "references", raw_inbound_id)
      values (${p('tenantId')}::uuid, ${p('threadId')}::uuid, ${p('kind')}::message_kind, ${p('authorContactId')}::uuid,
              ${p('authorEmail')}::text, ${p('authorName')}::text, ${p('subject')}::text, ${p('bodyHtml')}::text,
              ${p('bodyText')}::text, ${p('messageId')}::text, ${p('inReplyTo')}::text, ${p('references')}::text[],
              ${p('rawInboundId')}::uuid)
      on conflict (tenant_id, message_id) do nothing
      returning id, message_id
    ), ${followerDeliveries({
      tenantId: p('tenantId'),
      threadId: p('threadId'),
      authorContactId: p('authorContactId'),
      authorEmail: p('authorEmailLower'),
      notifyFollowers: p('notifyFollowers'),
    })}, reset as (
      update contacts set bounce_count = 0, updated_at = now()
       where tenant_id = ${p('tenantId')}::uuid and email_normalized = ${p('resetEmail')}::text
         and ${p('resetEmail')}::text <> '' and bounce_count > 0
    ), files as (
      -- Only with a message this statement created: a mail stored before keeps the files it had.
      insert into attachments (tenant_id, message_id, filename, content_type, size, sha256, content)
      select ${p('tenantId')}::uuid, s.id, f.filename, f.content_type, f.size, f.sha256,
             substring(${p('fileBlob')}::bytea from f.start for f.size::int)
        from stored s
        cross join unnest(${p('fileNames')}::text[], ${p('fileTypes')}::text[], ${p('fileSizes')}::bigint[],
                          ${p('fileSha256s')}::text[], ${p('fileStarts')}::int[])
             with ordinality as f(filename, content_type, size, sha256, start, n)
       order by f.n
    )
    select (select id from stored) as id, array(select id from mails) as mail_ids`,
);

/**
 * What postMessageInTransaction, noteRawDecision and resetBounceCounter do for an incoming mail, as
 * one statement, prepared by name (namedStatement), its attachments included: on its own it is one
 * round trip and one commit, all or nothing (a reply); inside the caller's transaction it joins the
 * record an alias creates. Followers are chosen as in postMessage: one mail per address, never to the author.
 */
export async function storeRoutedMessage(
  db: DbOrTx,
  input: RoutedMessage,
): Promise<{ messageId: string; outgoingMailIds: string[]; created: boolean }> {
  const m = input.message;
  const keys = loopKeyColumns(input.decision);
  const deliveries = followerDeliveryValues(m);
  const [row] = await storeRouted(db, {
    decision: JSON.stringify(input.decision),
    senderEmail: keys.senderEmail ?? null,
    fingerprint: keys.contentFingerprint ?? null,
    rawInboundId: input.rawInboundId,
    tenantId: m.tenantId,
    threadId: m.threadId,
    kind: m.kind,
    authorContactId: m.authorContactId,
    authorEmail: m.authorEmail,
    authorName: m.authorName,
    subject: m.subject,
    bodyHtml: m.bodyHtml,
    bodyText: m.bodyText,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo ?? null,
    references: m.references ?? [],
    authorEmailLower: deliveries.authorEmail,
    notifyFollowers: deliveries.notifyFollowers,
    resetEmail: input.resetBounceOf?.trim().toLowerCase() ?? '',
    ...singleMessageFiles(input.attachments ?? []),
  });
  if (row?.id) {
    return { messageId: row.id, outgoingMailIds: row.mail_ids, created: true };
  }
  // Another run stored this Message-ID first (a re-delivery): nothing was created.
  const [existing] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.tenantId, m.tenantId), eq(messages.messageId, m.messageId)));
  if (!existing) {
    throw new Error('message conflict without an existing row');
  }
  return { messageId: existing.id, outgoingMailIds: [], created: false };
}

/** One message's files as the single statement's columns (only the batch statement needs owners). */
function singleMessageFiles(files: readonly NewAttachment[]) {
  const { fileOwners: _owners, ...columns } = attachmentColumns([{ owner: 1, files }]);
  return columns;
}
