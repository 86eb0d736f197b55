import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { contacts, followers, rawInboundMessages, threads } from '../schema/index.js';
import { knownMessages } from './inbound.js';

// The lookups the router makes for every mail (inbound.ts), made once for a batch of mails. These run
// once per batch with the batch's own values, so they are planned for those values (no prepared
// statement). Each goes through its list of keys one by one, in a LATERAL subquery the planner keeps
// apart (OFFSET 0, LIMIT or an aggregate): every key is an index lookup whatever the statistics say.
// Joined plainly, a database whose rows the statistics did not yet count (a new one, or one that grew
// since the last ANALYZE) was read whole for every batch.

/** Stored messages with any of these Message-IDs, newest first, with their threads. */
export async function findKnownMessagesAmong(db: DbOrTx, tenantId: string, messageIds: readonly string[]) {
  if (messageIds.length === 0) {
    return [];
  }
  return knownMessages(db, tenantId, [...new Set(messageIds)]);
}

/**
 * The contacts with any of these addresses, oldest first, each with the threads among `threadIds` it
 * follows: what findAuthorContact answers for one address and one thread, for a batch of both.
 */
export async function findContactsAmong(
  db: DbOrTx,
  tenantId: string,
  emails: readonly string[],
  threadIds: readonly string[],
) {
  if (emails.length === 0) {
    return [];
  }
  return (
    db
      .select({
        contact: contacts,
        follows: sql<string[]>`array(select ${followers.threadId}::text from ${followers}
        where ${followers.contactId} = ${contacts.id} and ${followers.threadId} = any(${sql.param([...threadIds])}::uuid[]))`,
      })
      // Address by address through the (tenant, address) index: OFFSET 0 keeps each lookup its own, so
      // no estimate can turn it into a read of all the database's contacts.
      .from(
        sql`unnest(${sql.param([...new Set(emails.map((e) => e.toLowerCase()))])}::text[]) as wanted(email)
            cross join lateral (
              select found.id from ${contacts} as found
               where found.tenant_id = ${tenantId}::uuid and found.email_normalized = wanted.email
              offset 0
            ) as matched`,
      )
      .innerJoin(contacts, eq(contacts.id, sql`matched.id`))
      // findAuthorContact's order after following, in PostgreSQL's microseconds (a JS Date keeps ms).
      .orderBy(contacts.createdAt, contacts.id)
  );
}

/**
 * For each (sender, fingerprint), up to two stored mails with that content since a moment: enough to
 * tell whether any mail other than a given one is there (the catchall's feedback-loop check, R9.2,
 * which countSameContentSince answers for one mail).
 */
export async function findSameContentAmong(
  db: DbOrTx,
  query: {
    tenantId: string;
    pairs: readonly { senderEmail: string; fingerprint: string }[];
    since: Date;
  },
): Promise<{ senderEmail: string; fingerprint: string; ids: string[] }[]> {
  const pairs = [
    ...new Map(
      query.pairs.map((p) => [`${p.senderEmail.toLowerCase()}\n${p.fingerprint}`, p] as const),
    ).values(),
  ];
  if (pairs.length === 0) {
    return [];
  }
  // Pair by pair through the same-content index, at most two rows each: a feedback loop's thousand
  // copies cost no more than two, and no estimate can turn it into a read of the database's mail.
  const { rows } = await db.execute<{ sender_email: string; fingerprint: string; ids: string[] }>(sql`
    select wanted.sender as sender_email, wanted.fingerprint, array_agg(same.id::text) as ids
      from unnest(${sql.param(pairs.map((p) => p.senderEmail.toLowerCase()))}::text[],
                  ${sql.param(pairs.map((p) => p.fingerprint))}::text[]) as wanted(sender, fingerprint)
      cross join lateral (
        select r.id from ${rawInboundMessages} as r
         where r.tenant_id = ${query.tenantId}::uuid and r.sender_email = wanted.sender
           and r.content_fingerprint = wanted.fingerprint and r.received_at >= ${query.since}::timestamptz
         limit 2
      ) as same
     group by wanted.sender, wanted.fingerprint`);
  return rows.map((row) => ({ senderEmail: row.sender_email, fingerprint: row.fingerprint, ids: row.ids }));
}

/** For each (alias, sender), the records the alias created for the sender since a moment (R9.1). */
export async function countAliasRecordsAmong(
  db: DbOrTx,
  query: { pairs: readonly { aliasId: string; senderEmail: string }[]; since: Date },
): Promise<{ aliasId: string; senderEmail: string; n: number }[]> {
  const pairs = [...new Map(query.pairs.map((p) => [`${p.aliasId}\n${p.senderEmail}`, p])).values()];
  if (pairs.length === 0) {
    return [];
  }
  // Pair by pair through the (alias, sender, created_at) index; an aggregate is never merged into the
  // outer query, so no estimate can turn this into a scan of every record.
  const { rows } = await db.execute<{ alias_id: string; sender_email: string; n: number }>(sql`
    select wanted.alias_id::text as alias_id, wanted.sender as sender_email, made.n
      from unnest(${sql.param(pairs.map((p) => p.aliasId))}::uuid[],
                  ${sql.param(pairs.map((p) => p.senderEmail.toLowerCase()))}::text[]) as wanted(alias_id, sender)
      cross join lateral (
        select count(*)::int as n from ${threads} as t
         where t.created_by_alias_id = wanted.alias_id and t.created_by_email = wanted.sender
           and t.created_at >= ${query.since}::timestamptz
      ) as made
     where made.n > 0`);
  return rows.map((row) => ({ aliasId: row.alias_id, senderEmail: row.sender_email, n: row.n }));
}
