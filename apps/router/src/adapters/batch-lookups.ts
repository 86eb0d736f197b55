import {
  countAliasRecordsAmong,
  type Db,
  findContactsAmong,
  findKnownMessagesAmong,
  findSameContentAmong,
} from '@sotamail/db';
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
type Alias = { id: string; name: string; threadId: string | null };

const pairKey = (a: string, b: string) => `${a.toLowerCase()}\n${b}`;

/** A mail with a longer References list is looked up on its own, so one mail cannot bloat a batch's query. */
const MAX_REFERENCES_AHEAD = 100;

/**
 * The route lookups of a batch of mails, made with four queries for the whole batch instead of up to
 * four per mail (the known Message-IDs, the authors, the catchall's loop check, the records an alias
 * made for a sender).
 *
 * An answer comes from the batch's queries only when no earlier mail of the batch can have changed
 * it; otherwise, and for anything the batch did not ask about, the database is asked as for a single
 * mail (`single`). So routing a batch decides what routing its mails one by one would:
 * - a Message-ID an earlier mail of the batch may have stored (a copy of it, or a reply to it) is
 *   asked again, and so is a mail whose references matched nothing (another router may have stored
 *   what it answers since the batch asked);
 * - an author is answered only for the threads the batch asked about, which already existed (a
 *   record the batch creates is a new thread, asked again);
 * - an earlier mail of the batch received in the period, once recorded, counts in the loop check as
 *   it would in the database;
 * - the records of a sender an earlier mail of the batch came from are counted again.
 */
export class BatchLookups implements RouteLookups {
  private readonly askedIds = new Set<string>();
  private readonly storedHere = new Set<string>();
  private readonly askedEmails = new Set<string>();
  private readonly askedThreads = new Set<string>();
  private readonly contactsByEmail = new Map<string, ContactRow[]>();
  /** Stored mails (ids) per (sender, fingerprint) in the period: the batch's query, then its own. */
  private readonly sameContent = new Map<string, Set<string>>();
  private readonly aliasRecords = new Map<string, number>();
  private readonly sendersHere = new Set<string>();

  private constructor(
    private readonly single: RouteLookups,
    private readonly tenantId: string,
    private readonly since: Date,
    private readonly known: KnownRow[],
  ) {}

  /**
   * Asks for every mail of the batch at once. `since` is the start of the loop-check period, the
   * same for the whole batch; `keys` are the mails' (by stored id); `aliases` the database's active
   * ones. `single` answers what the batch cannot (the database's own lookups by default).
   */
  static async prefetch(
    db: Db,
    batch: {
      tenantId: string;
      since: Date;
      keys: ReadonlyMap<string, RouteKeys>;
      aliases: readonly Alias[];
    },
    single: RouteLookups = databaseLookups(db),
  ): Promise<BatchLookups> {
    const { tenantId, since, aliases } = batch;
    const all = [...batch.keys.values()];
    const ids = all
      .filter((k) => k.references.length <= MAX_REFERENCES_AHEAD)
      .flatMap((k) => [k.messageId, ...k.references]);
    const known = await findKnownMessagesAmong(db, tenantId, ids);
    // The threads an author may be looked up for: those the mails answer, and the aliases' own.
    const threads = [
      ...new Set([
        ...known.map((k) => k.thread.id),
        ...aliases.flatMap((a) => (a.threadId ? [a.threadId] : [])),
      ]),
    ];
    const emails = [...new Set(all.map((k) => k.senderEmail).filter(Boolean))];
    const catchall = all.filter((k) => k.toCatchall && k.senderEmail);
    // Each sender with every alias its mail names: the limit may apply to any of them.
    const aliasPairs = all.flatMap((k) =>
      k.senderEmail
        ? aliases
            .filter((a) => k.localParts.includes(a.name))
            .map((a) => ({ aliasId: a.id, senderEmail: k.senderEmail }))
        : [],
    );
    const [contacts, sameContent, records] = await Promise.all([
      findContactsAmong(db, tenantId, emails, threads),
      findSameContentAmong(db, {
        tenantId,
        pairs: catchall.map((k) => ({ senderEmail: k.senderEmail, fingerprint: k.fingerprint })),
        since,
      }),
      countAliasRecordsAmong(db, { pairs: aliasPairs, since }),
    ]);

    const lookups = new BatchLookups(single, tenantId, since, known);
    for (const id of ids) {
      lookups.askedIds.add(id);
    }
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
      lookups.sameContent.set(pairKey(k.senderEmail, k.fingerprint), new Set());
    }
    for (const row of sameContent) {
      lookups.sameContent.set(pairKey(row.senderEmail, row.fingerprint), new Set(row.ids));
    }
    for (const p of aliasPairs) {
      lookups.aliasRecords.set(pairKey(p.senderEmail, p.aliasId), 0);
    }
    for (const row of records) {
      lookups.aliasRecords.set(pairKey(row.senderEmail, row.aliasId), row.n);
    }
    return lookups;
  }

  /**
   * A mail of the batch was routed, or tried to be, or an earlier run's routing of it was finished:
   * its Message-ID may be stored now, and once its routing is recorded (`recorded`) its sender and
   * content count for the mails after it, as the database would count them.
   */
  noteRouted(mail: { id: string; receivedAt: Date; keys: RouteKeys }, recorded: boolean): void {
    const { keys } = mail;
    this.storedHere.add(keys.messageId);
    this.sendersHere.add(keys.senderEmail);
    const same = this.sameContent.get(pairKey(keys.senderEmail, keys.fingerprint));
    if (recorded && same && keys.senderEmail && mail.receivedAt.getTime() >= this.since.getTime()) {
      same.add(mail.id);
    }
  }

  async knownMessages(tenantId: string, messageId: string, references: string[]): Promise<KnownMessages> {
    const ids = [messageId, ...references];
    if (tenantId !== this.tenantId || ids.some((id) => !this.askedIds.has(id) || this.storedHere.has(id))) {
      return this.single.knownMessages(tenantId, messageId, references);
    }
    const named = new Set(references);
    // Newest first, as findKnownMessages orders them.
    const replied = this.known.find((r) => named.has(r.messageId));
    if (!replied && references.length > 0) {
      return this.single.knownMessages(tenantId, messageId, references);
    }
    return { duplicate: this.known.some((r) => r.messageId === messageId), replied };
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
    // As findAuthorContact ranks them: a follower of the thread first, then in the query's order,
    // oldest first (the sort is stable).
    const ranked = (this.contactsByEmail.get(normalized) ?? [])
      .map((row) => ({
        contact: row.contact,
        following: threadId !== null && row.follows.includes(threadId),
      }))
      .sort((a, b) => Number(b.following) - Number(a.following));
    return ranked[0];
  }

  async sameContentSeen(query: SameContentQuery): Promise<boolean> {
    const same = this.sameContent.get(pairKey(query.senderEmail, query.fingerprint));
    if (!same || query.tenantId !== this.tenantId || query.since.getTime() !== this.since.getTime()) {
      return this.single.sameContentSeen(query);
    }
    // The batch's query keeps two mails per pair: if one is this mail, the other is not.
    return [...same].some((id) => id !== query.exceptId);
  }

  async aliasRecordCount(aliasId: string, senderEmail: string, since: Date): Promise<number> {
    const made = this.aliasRecords.get(pairKey(senderEmail, aliasId));
    if (
      made === undefined ||
      since.getTime() !== this.since.getTime() ||
      this.sendersHere.has(senderEmail.toLowerCase())
    ) {
      return this.single.aliasRecordCount(aliasId, senderEmail, since);
    }
    return made;
  }
}
