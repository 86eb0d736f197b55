import type { RoutedMessage } from '@sotamail/db';
import type { RouteLookups } from '@sotamail/inbound-routing';

/** A reply of the batch whose store waits for the batch's statement. */
export type PendingReply<Item> = { input: RoutedMessage; item: Item; bytes: number };

/** When the replies held are stored without waiting for more: bounds what one statement carries. */
const MAX_REPLIES = 64;
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * The replies of a routing batch, held so that they are stored together, in one statement and one
 * commit (storeRoutedReplies), rather than one commit per mail. A later mail of the batch must see
 * what the earlier ones stored whenever routing it asks the database: every such question goes
 * through `beforeAsking` (the batch's lookups fall back to the database only where an earlier mail
 * may have changed the answer), and the replies held are stored first.
 *
 * `store` stores a group of replies and records each one's outcome; it settles every reply itself
 * (a failure is recorded for the mail it concerns), so a flush never throws for one mail, whichever
 * mail's routing happened to set it off. Flushes run one after another, in the order they were asked.
 */
export class PendingReplies<Item> {
  private held: PendingReply<Item>[] = [];
  private heldBytes = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly store: (replies: PendingReply<Item>[]) => Promise<void>) {}

  /** Holds a reply; stores the replies held once they are many or large. */
  async add(reply: PendingReply<Item>): Promise<void> {
    this.held.push(reply);
    this.heldBytes += reply.bytes;
    if (this.held.length >= MAX_REPLIES || this.heldBytes >= MAX_BYTES) {
      await this.flush();
    }
  }

  /** Whether a reply to this thread is held: a message stored in it now would come before that reply. */
  holdsThread(threadId: string): boolean {
    return this.held.some((r) => r.input.message.threadId === threadId);
  }

  /** Stores every reply held so far (resolves once they and every earlier flush are settled). */
  flush(): Promise<void> {
    const replies = this.held;
    this.held = [];
    this.heldBytes = 0;
    const previous = this.last;
    const run = previous.then(() => (replies.length > 0 ? this.store(replies) : undefined));
    // `store` settles its replies itself; should it throw all the same, later flushes still run.
    this.last = run.catch(() => undefined);
    return run;
  }

  /** The database's lookups, each asked only after the replies held are stored. */
  beforeAsking(lookups: RouteLookups): RouteLookups {
    return {
      knownMessages: async (tenantId, messageId, references) => {
        await this.flush();
        return lookups.knownMessages(tenantId, messageId, references);
      },
      authorContact: async (tenantId, email, threadId) => {
        await this.flush();
        return lookups.authorContact(tenantId, email, threadId);
      },
      sameContentSeen: async (query) => {
        await this.flush();
        return lookups.sameContentSeen(query);
      },
      aliasRecordCount: async (aliasId, senderEmail, since) => {
        await this.flush();
        return lookups.aliasRecordCount(aliasId, senderEmail, since);
      },
    };
  }
}
