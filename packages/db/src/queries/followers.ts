import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { contacts, followers } from '../schema/index.js';

export async function listFollowers(db: DbOrTx, tenantId: string, threadId: string) {
  return db
    .select({
      contactId: contacts.id,
      name: contacts.name,
      email: contacts.email,
      followingSince: followers.createdAt,
    })
    .from(followers)
    .innerJoin(contacts, eq(contacts.id, followers.contactId))
    .where(and(eq(followers.tenantId, tenantId), eq(followers.threadId, threadId)))
    .orderBy(asc(followers.createdAt));
}

/** Idempotent: following twice is following. */
export async function addFollower(
  db: DbOrTx,
  tenantId: string,
  threadId: string,
  contactId: string,
): Promise<void> {
  await db.insert(followers).values({ tenantId, threadId, contactId }).onConflictDoNothing();
}

export async function removeFollower(
  db: DbOrTx,
  tenantId: string,
  threadId: string,
  contactId: string,
): Promise<boolean> {
  const rows = await db
    .delete(followers)
    .where(
      and(
        eq(followers.tenantId, tenantId),
        eq(followers.threadId, threadId),
        eq(followers.contactId, contactId),
      ),
    )
    .returning({ contactId: followers.contactId });
  return rows.length > 0;
}
