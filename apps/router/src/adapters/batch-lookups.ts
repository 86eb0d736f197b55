import { countSameContentAmong, type Db, findContactsAmong, findKnownMessagesAmong } from '@sotamail/db';
import {
  type AuthorContact,
  databaseLookups,
  type KnownMessages,
  type RouteKeys,
  type RouteLookups,
  type SameContentQuery,
} from '@sotamail/inbound-routing';

type KnownRow = Awaited<ReturnType<typeof findKnownMessagesAmong>>[number];
type ContactRow = Awaited<ReturnType<typeof findContactsAmong>>[number];

const pairKey = (senderEmail: string, fingerprint: string) => `${senderEmail.toLowerCase()}\n${fingerprint}`;

/**
 * The route lookups of a batch of mails, made with three queries for the whole batch instead of three
 * per mail (the known Message-IDs, the authors, the catchall's loop counters).
 *
 * An answer comes from the batch's queries only when no earlier mail of the batch can have changed
 * it; otherwise, and for anything the batch did not ask about, the database is asked as for a single
 * mail. So routing a batch decides exactly what routing its mails one by one would:
 * - a Message-ID stored by an earlier mail of the batch (a duplicate, or a reply to it) is asked again;
 * - an author is answered only for the threads the batch asked about, which already existed (a
 *   record the batch creates is a new thread, asked again);
 * - an earlier mail of the batch with the same sender and content counts as it would once recorded.
 */
export class BatchLookups implements RouteLookups {
  private readonly single: RouteLookups;
  private readonly askedIds = new Set<string>();
  private readonly storedHere = new Set<string>();
  private readonly askedEmails = new Set<string>();
  private readonly askedThreads = new Set<string>();
  private readonly contactsByEmail = new Map<string, ContactRow[]>();
  private readonly sameContent = new Map<string, number>();
  private readonly routedHere = new Map<string, number>();

  private constructor(
    db: Db,
    private readonly tenantId: string,
    private readonly since: Date,
    private readonly batchIds: ReadonlySet<string>,
    private readonly known: KnownRow[],
  ) {
    this.single = databaseLookups(db);
  }

  /**
   * Asks for every mail of the batch at once. `since` is the start of the loop-check period, the
   * same for the whole batch; `keys` are the mails' (by stored id).
   */
  static async prefetch(
    db: Db,
    tenantId: string,
    since: Date,
    keys: ReadonlyMap<string, RouteKeys>,
    aliasThreadIds: readonly string[],
  ): Promise<BatchLookups> {
    const all = [...keys.values()];
    const ids = all.flatMap((k) => [k.messageId, ...k.references]);
    const known = await findKnownMessagesAmong(db, tenantId, ids);
    const lookups = new BatchLookups(db, tenantId, since, new Set(keys.keys()), known);
    for (const id of ids) {
      lookups.askedIds.add(id);
    }
    // The threads an author may be looked up for: those the mails answer, and the aliases' own.
    const threads = [...new Set([...known.map((k) => k.thread.id), ...aliasThreadIds])];
    const emails = [...new Set(all.map((k) => k.senderEmail).filter(Boolean))];
    const catchall = all.filter((k) => k.toCatchall && k.senderEmail);
    const [contacts, counts] = await Promise.all([
      findContactsAmong(db, tenantId, emails, threads),
      countSameContentAmong(db, {
        tenantId,
        pairs: catchall.map((k) => ({ senderEmail: k.senderEmail, fingerprint: k.fingerprint })),
        since,
        exceptIds: [...keys.keys()],
      }),
    ]);
    for (const email of emails) {
      lookups.askedEmails.add(email);
    }
    for (const thread of threads) {
      lookups.askedThreads.add(thread);
    }
    for (const row of contacts) {
      const email = row.contact.emailNormalized;
      lookups.contactsByEmail.set(email, [...(lookups.contactsByEmail.get(email) ?? []), row]);
    }
    for (const k of catchall) {
      lookups.sameContent.set(pairKey(k.senderEmail, k.fingerprint), 0);
    }
    for (const row of counts) {
      lookups.sameContent.set(pairKey(row.senderEmail, row.fingerprint), row.n);
    }
    return lookups;
  }

  /**
   * A mail of the batch was routed, or tried to be: its Message-ID may be stored now, and once its
   * routing is recorded (`recorded`) its sender and content count for the mails after it.
   */
  noteRouted(keys: RouteKeys, recorded: boolean): void {
    this.storedHere.add(keys.messageId);
    if (recorded && keys.senderEmail) {
      const key = pairKey(keys.senderEmail, keys.fingerprint);
      this.routedHere.set(key, (this.routedHere.get(key) ?? 0) + 1);
    }
  }

  async knownMessages(tenantId: string, messageId: string, references: string[]): Promise<KnownMessages> {
    const ids = [messageId, ...references];
    if (tenantId !== this.tenantId || ids.some((id) => !this.askedIds.has(id) || this.storedHere.has(id))) {
      return this.single.knownMessages(tenantId, messageId, references);
    }
    const named = new Set(references);
    // Newest first, as findKnownMessages orders them.
    return {
      duplicate: this.known.some((r) => r.messageId === messageId),
      replied: this.known.find((r) => named.has(r.messageId)),
    };
  }

  async authorContact(tenantId: string, email: string, threadId: string | null): Promise<AuthorContact> {
    const normalized = email.toLowerCase();
    if (
      tenantId !== this.tenantId ||
      !this.askedEmails.has(normalized) ||
      (threadId !== null && !this.askedThreads.has(threadId))
    ) {
      return this.single.authorContact(tenantId, email, threadId);
    }
    // As findAuthorContact ranks them: a follower of the thread first, then the oldest contact.
    const ranked = (this.contactsByEmail.get(normalized) ?? [])
      .map((row) => ({
        contact: row.contact,
        following: threadId !== null && row.follows.includes(threadId),
      }))
      .sort(
        (a, b) =>
          Number(b.following) - Number(a.following) ||
          a.contact.createdAt.getTime() - b.contact.createdAt.getTime(),
      );
    return ranked[0];
  }

  async sameContentCount(query: SameContentQuery): Promise<number> {
    const key = pairKey(query.senderEmail, query.fingerprint);
    const stored = this.sameContent.get(key);
    if (
      stored === undefined ||
      query.tenantId !== this.tenantId ||
      query.since.getTime() !== this.since.getTime() ||
      !this.batchIds.has(query.exceptId)
    ) {
      return this.single.sameContentCount(query);
    }
    return stored + (this.routedHere.get(key) ?? 0);
  }
}
