import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { messages, outgoingMails, rawInboundMessages, threads } from '../schema/index.js';

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
  await db.update(rawInboundMessages).set({ decision }).where(eq(rawInboundMessages.id, rawInboundId));
}
