import { type Db, findMessageOfRaw, type RawInbound } from '@sotamail/db';
import type { RoutingEffects } from './routing-effects.js';

/**
 * A run that died after storing the message but before recording the mail as routed left work
 * behind: the followers' mails and the new record's event may not be queued. This finishes it and
 * records the decision the dead run had noted. Without it, the re-run would see its own message as a
 * duplicate (R9.4) and drop the mail, and nobody would be told.
 *
 * Returns null when no earlier run stored anything for this mail (the usual case: a fresh mail has no
 * noted decision, and costs no query here).
 */
export async function finishInterrupted(
  db: Db,
  raw: Pick<RawInbound, 'id' | 'tenantId' | 'decision'>,
  effects: RoutingEffects,
): Promise<{ action: string } | null> {
  const noted = raw.decision;
  if (!noted || typeof noted.messageId !== 'string') {
    return null;
  }
  const stored = await findMessageOfRaw(db, {
    tenantId: raw.tenantId,
    id: raw.id,
    messageId: noted.messageId,
  });
  if (!stored) {
    return null;
  }
  const { thread, message } = stored;
  effects.posted(
    stored.readyMailIds,
    stored.startedThread && thread.createdByAliasId
      ? { id: thread.id, model: thread.model, recordId: thread.recordId, aliasId: thread.createdByAliasId }
      : null,
  );
  const action =
    typeof noted.action === 'string' ? noted.action : thread.createdByAliasId ? 'new-record' : 'reply';
  effects.mark({
    id: raw.id,
    state: 'routed',
    decision: {
      ...noted,
      action,
      threadId: thread.id,
      storedMessageId: message.id,
      finishedAfterInterruption: true,
    },
  });
  return { action };
}
