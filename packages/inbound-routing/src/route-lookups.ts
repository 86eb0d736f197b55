import {
  countAliasRecordsSince,
  countSameContentSince,
  type Db,
  findAuthorContact,
  findKnownMessages,
} from '@sotamail/db';

export type KnownMessages = Awaited<ReturnType<typeof findKnownMessages>>;
export type AuthorContact = Awaited<ReturnType<typeof findAuthorContact>>;
export type SameContentQuery = {
  tenantId: string;
  senderEmail: string;
  fingerprint: string;
  since: Date;
  /** The mail being routed, which does not count against itself. */
  exceptId: string;
};

/**
 * The stored facts a route is decided on, looked up per mail. The router answers most of them for a
 * whole batch of mails at once (its batch-lookups.ts); a preview asks the database directly.
 */
export type RouteLookups = {
  /** Whether the Message-ID is stored (R9.4), and the newest stored message the references name. */
  knownMessages(tenantId: string, messageId: string, references: string[]): Promise<KnownMessages>;
  /** The contact with this address, a follower of the thread first (R6.4). */
  authorContact(tenantId: string, email: string, threadId: string | null): Promise<AuthorContact>;
  /** Whether other stored mail of the sender has the same content in the period (the catchall's loop check, R9.2). */
  sameContentSeen(query: SameContentQuery): Promise<boolean>;
  /** The records the alias created for this sender since the start of the period (R9.1). */
  aliasRecordCount(aliasId: string, senderEmail: string, since: Date): Promise<number>;
};

export function databaseLookups(db: Db): RouteLookups {
  return {
    knownMessages: (tenantId, messageId, references) =>
      findKnownMessages(db, tenantId, messageId, references),
    authorContact: (tenantId, email, threadId) => findAuthorContact(db, tenantId, email, threadId),
    sameContentSeen: async (query) => (await countSameContentSince(db, query)) > 0,
    aliasRecordCount: (aliasId, senderEmail, since) =>
      countAliasRecordsSince(db, aliasId, senderEmail, since),
  };
}
