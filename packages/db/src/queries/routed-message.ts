import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { messages, outgoingMails, rawInboundMessages, threads } from '../schema/index.js';
import { loopKeyColumns } from './inbound.js';
import { followerDeliveries, type PostMessageInput } from './post-message.js';

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
  /** A person's mail resets the bounce counter of its address (R10.2); null for auto-replies. */
  resetBounceOf: string | null;
};

/**
 * What postMessageInTransaction, noteRawDecision and resetBounceCounter do for an incoming mail, as
 * one statement: on its own it is one round trip and one commit, all or nothing (a reply); inside
 * the caller's transaction it joins the record an alias creates and the attachments. Followers are
 * chosen as in postMessage: one mail per address, never to the author.
 */
export async function storeRoutedMessage(
  db: DbOrTx,
  input: RoutedMessage,
): Promise<{ messageId: string; outgoingMailIds: string[]; created: boolean }> {
  const m = input.message;
  const keys = loopKeyColumns(input.decision);
  const resetEmail = input.resetBounceOf?.trim().toLowerCase() ?? '';
  const result = await db.execute<{ id: string | null; mail_ids: string[] }>(sql`
    with noted as (
      update raw_inbound_messages
         set decision = ${JSON.stringify(input.decision)}::jsonb,
             sender_email = coalesce(${keys.senderEmail ?? null}::text, sender_email),
             content_fingerprint = coalesce(${keys.contentFingerprint ?? null}::text, content_fingerprint)
       where id = ${input.rawInboundId}
    ), stored as (
      insert into messages (tenant_id, thread_id, kind, author_contact_id, author_email, author_name, subject,
                            body_html, body_text, message_id, in_reply_to, "references", raw_inbound_id)
      values (${m.tenantId}, ${m.threadId}, ${m.kind}::message_kind, ${m.authorContactId}::uuid, ${m.authorEmail},
              ${m.authorName}, ${m.subject}, ${m.bodyHtml}, ${m.bodyText}, ${m.messageId}, ${m.inReplyTo ?? null},
              ${sql.param(m.references ?? [])}::text[], ${input.rawInboundId})
      on conflict (tenant_id, message_id) do nothing
      returning id, message_id
    ), ${followerDeliveries(m)}, reset as (
      update contacts set bounce_count = 0, updated_at = now()
       where tenant_id = ${m.tenantId} and email_normalized = ${resetEmail} and ${resetEmail} <> ''
         and bounce_count > 0
    )
    select (select id from stored) as id, array(select id from mails) as mail_ids`);
  const row = result.rows[0];
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
