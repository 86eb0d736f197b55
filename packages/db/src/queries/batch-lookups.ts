import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { contacts, followers, rawInboundMessages, threads } from '../schema/index.js';
import { knownMessages } from './inbound.js';

// The lookups the router makes for every mail (inbound.ts), made once for a batch of mails. These run
// once per batch with the batch's own values, so they are planned for those values (no prepared
// statement); each joins its list of keys one by one, so every key is an index lookup.

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
      .from(
        sql`unnest(${sql.param([...new Set(emails.map((e) => e.toLowerCase()))])}::text[]) as wanted(email)`,
      )
      .innerJoin(
        contacts,
        and(eq(contacts.tenantId, tenantId), sql`${contacts.emailNormalized} = wanted.email`),
      )
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
  const r = rawInboundMessages;
  return db
    .select({
      senderEmail: sql<string>`wanted.sender`,
      fingerprint: sql<string>`wanted.fingerprint`,
      ids: sql<string[]>`(array_agg(${r.id}::text))[1:2]`,
    })
    .from(
      sql`unnest(${sql.param(pairs.map((p) => p.senderEmail.toLowerCase()))}::text[],
                 ${sql.param(pairs.map((p) => p.fingerprint))}::text[]) as wanted(sender, fingerprint)`,
    )
    .innerJoin(
      r,
      and(
        eq(r.tenantId, query.tenantId),
        sql`${r.senderEmail} = wanted.sender`,
        sql`${r.contentFingerprint} = wanted.fingerprint`,
        sql`${r.receivedAt} >= ${query.since}::timestamptz`,
      ),
    )
    .groupBy(sql`wanted.sender`, sql`wanted.fingerprint`);
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
  return db
    .select({
      aliasId: sql<string>`wanted.alias_id::text`,
      senderEmail: sql<string>`wanted.sender`,
      n: sql<number>`count(*)::int`,
    })
    .from(
      sql`unnest(${sql.param(pairs.map((p) => p.aliasId))}::uuid[],
                 ${sql.param(pairs.map((p) => p.senderEmail.toLowerCase()))}::text[]) as wanted(alias_id, sender)`,
    )
    .innerJoin(
      threads,
      and(
        sql`${threads.createdByAliasId} = wanted.alias_id`,
        sql`${threads.createdByEmail} = wanted.sender`,
        sql`${threads.createdAt} >= ${query.since}::timestamptz`,
      ),
    )
    .groupBy(sql`wanted.alias_id`, sql`wanted.sender`);
}
