import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { attachmentColumns } from './attachment-columns.js';
import { loopKeyColumns } from './inbound.js';
import { namedStatement, placeholder as p } from './named-statement.js';
import { followerDeliveryValues } from './post-message.js';
import type { RoutedMessage } from './routed-message.js';

/**
 * storeRoutedMessage for many replies of one database at once: each mail's decision noted, its
 * message stored with its attachments (unless its Message-ID is, R9.4), one mail per follower but the
 * author (R6.1), and the bounce counters of their human senders reset (R10.2). One statement and one commit for a batch:
 * a statement per mail spent more on starting, planning and committing it than on its rows.
 *
 * The mails arrive as parallel arrays (unnest), so the statement is prepared once by name whatever
 * the batch's size. A Message-ID already stored, or twice in the batch, stores nothing for the later
 * mail (`created: false`), exactly as the single statement does; the caller decides what that mail is.
 */
const storeReplies = namedStatement<{ ord: number; id: string | null; mail_ids: string[] }>(
  'store_routed_replies',
  sql`
    with input as (
      select *
        from unnest(${p('rawInboundIds')}::uuid[], ${p('decisions')}::jsonb[], ${p('senderEmails')}::text[],
                    ${p('fingerprints')}::text[], ${p('threadIds')}::uuid[], ${p('authorContactIds')}::uuid[],
                    ${p('authorEmails')}::text[], ${p('authorNames')}::text[], ${p('subjects')}::text[],
                    ${p('bodiesHtml')}::text[], ${p('bodiesText')}::text[], ${p('messageIds')}::text[],
                    ${p('inReplyTos')}::text[], ${p('references')}::jsonb[], ${p('authorEmailsLower')}::text[],
                    ${p('notifyFollowers')}::boolean[], ${p('kinds')}::message_kind[])
             with ordinality
             as i(raw_inbound_id, decision, sender_email, fingerprint, thread_id, author_contact_id, author_email,
                  author_name, subject, body_html, body_text, message_id, in_reply_to, refs, author_email_lower,
                  notify_followers, kind, ord)
    ), noted as (
      update raw_inbound_messages r
         set decision = i.decision,
             sender_email = coalesce(i.sender_email, r.sender_email),
             content_fingerprint = coalesce(i.fingerprint, r.content_fingerprint)
        from input i
       -- The database compared as text, so that only the primary key can find the rows: through the
       -- database's index a plan read all its stored mail for a few replies.
       where r.id = i.raw_inbound_id and r.tenant_id::text = ${p('tenantId')}::uuid::text
    ), stored as (
      -- Each message its own moment, in the batch's order (clock_timestamp() is read row by row, after
      -- the sort): a thread lists its messages by time, and the transaction's one now() would tie them.
      insert into messages (tenant_id, thread_id, kind, author_contact_id, author_email, author_name, subject,
                            body_html, body_text, message_id, in_reply_to, "references", raw_inbound_id,
                            created_at)
      select ${p('tenantId')}::uuid, i.thread_id, i.kind, i.author_contact_id, i.author_email, i.author_name,
             i.subject, i.body_html, i.body_text, i.message_id, i.in_reply_to,
             array(select jsonb_array_elements_text(i.refs)), i.raw_inbound_id, clock_timestamp()
        from input i
       order by i.ord
      on conflict (tenant_id, message_id) do nothing
      returning id, message_id, raw_inbound_id
    ), posted as (
      select s.id, s.message_id, i.ord, i.thread_id, i.author_contact_id, i.author_email_lower
        from stored s join input i on i.raw_inbound_id = s.raw_inbound_id
       where i.notify_followers
    ), recipients as (
      -- Per message, so each thread's followers are read through its index, however many there are.
      select p.id as stored_id, p.message_id, r.id, r.name, r.email
        from posted p
        cross join lateral (
          select distinct on (c.email_normalized) c.id, c.name, c.email
            from followers f join contacts c on c.id = f.contact_id
           where f.thread_id = p.thread_id and f.tenant_id = ${p('tenantId')}::uuid
             and c.id is distinct from p.author_contact_id
             and c.email_normalized is distinct from p.author_email_lower
           order by c.email_normalized, f.created_at
        ) r
    ), mails as (
      insert into outgoing_mails (tenant_id, lane, message_id, recipient_email, recipient_name,
                                  recipient_contact_id, smtp_message_id)
      select ${p('tenantId')}::uuid, 'transactional', r.stored_id, r.email, r.name, r.id, r.message_id
        from recipients r
      returning id, message_id, recipient_email, recipient_contact_id
    ), notified as (
      insert into notifications (tenant_id, message_id, contact_id, email, outgoing_mail_id)
      select ${p('tenantId')}::uuid, message_id, recipient_contact_id, recipient_email, id from mails
    ), reset as (
      -- Through the small index of bounced contacts (contacts_bounced_idx), whatever the batch holds.
      update contacts set bounce_count = 0, updated_at = now()
       where tenant_id = ${p('tenantId')}::uuid and email_normalized = any(${p('resetEmailSet')}::text[])
         and bounce_count > 0
    ), files as (
      -- Each reply's files with the message this statement created for it, in the reply's order.
      insert into attachments (tenant_id, message_id, filename, content_type, size, sha256, content)
      select ${p('tenantId')}::uuid, s.id, f.filename, f.content_type, f.size, f.sha256,
             substring(${p('fileBlob')}::bytea from f.start for f.size::int)
        from unnest(${p('fileOwners')}::int[], ${p('fileNames')}::text[], ${p('fileTypes')}::text[],
                    ${p('fileSizes')}::bigint[], ${p('fileSha256s')}::text[], ${p('fileStarts')}::int[])
             with ordinality as f(ord, filename, content_type, size, sha256, start, n)
        join input i on i.ord = f.ord
        join stored s on s.raw_inbound_id = i.raw_inbound_id
       order by f.n
    )
    select i.ord::int as ord, s.id,
           array(select m.id from mails m where m.message_id = s.id) as mail_ids
      from input i left join stored s on s.raw_inbound_id = i.raw_inbound_id
     order by i.ord`,
);

export type StoredReply =
  | { messageId: string; outgoingMailIds: string[]; created: true }
  | { created: false };

/**
 * Stores the replies of one database (`tenantId`) as storeRoutedMessage would one by one, in their
 * order, all or nothing. The answer is in the order of `replies`. Each raw mail at most once.
 */
export async function storeRoutedReplies(
  db: DbOrTx,
  tenantId: string,
  replies: readonly RoutedMessage[],
): Promise<StoredReply[]> {
  if (replies.length === 0) {
    return [];
  }
  if (replies.some((r) => r.message.tenantId !== tenantId)) {
    throw new Error('storeRoutedReplies: every reply must be of the database it is stored for');
  }
  // Each reply's derived values worked out once, then laid out as the statement's columns.
  const prepared = replies.map((r) => ({
    r,
    keys: loopKeyColumns(r.decision),
    delivery: followerDeliveryValues(r.message),
  }));
  const column = <T>(pick: (x: (typeof prepared)[number]) => T): T[] => prepared.map(pick);
  const rows = await storeReplies(db, {
    tenantId,
    rawInboundIds: column(({ r }) => r.rawInboundId),
    decisions: column(({ r }) => JSON.stringify(r.decision)),
    senderEmails: column(({ keys }) => keys.senderEmail ?? null),
    fingerprints: column(({ keys }) => keys.contentFingerprint ?? null),
    threadIds: column(({ r }) => r.message.threadId),
    authorContactIds: column(({ r }) => r.message.authorContactId),
    authorEmails: column(({ r }) => r.message.authorEmail),
    authorNames: column(({ r }) => r.message.authorName),
    subjects: column(({ r }) => r.message.subject),
    bodiesHtml: column(({ r }) => r.message.bodyHtml),
    bodiesText: column(({ r }) => r.message.bodyText),
    messageIds: column(({ r }) => r.message.messageId),
    inReplyTos: column(({ r }) => r.message.inReplyTo ?? null),
    references: column(({ r }) => JSON.stringify(r.message.references ?? [])),
    authorEmailsLower: column(({ delivery }) => delivery.authorEmail),
    notifyFollowers: column(({ delivery }) => delivery.notifyFollowers),
    kinds: column(({ r }) => r.message.kind),
    resetEmailSet: [...new Set(replies.map((r) => r.resetBounceOf?.trim().toLowerCase() ?? ''))].filter(
      Boolean,
    ),
    // Numbered as `with ordinality` numbers the input: from 1, in the order of `replies`.
    ...attachmentColumns(replies.map((r, index) => ({ owner: index + 1, files: r.attachments ?? [] }))),
  });
  const byOrd = new Map(rows.map((row) => [Number(row.ord), row]));
  return replies.map((_, index) => {
    const row = byOrd.get(index + 1);
    return row?.id ? { messageId: row.id, outgoingMailIds: row.mail_ids, created: true } : { created: false };
  });
}
