import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { aliases, messages, outgoingServers, tenants, threads } from '../schema/index.js';
import type { OutgoingMail } from './delivery.js';
import { getParameters } from './parameters.js';
import { messageAttachments, threadReferences } from './post-message.js';

export type DeliveryContext = {
  tenant: typeof tenants.$inferSelect;
  message: typeof messages.$inferSelect;
  thread: typeof threads.$inferSelect;
  threadAlias: typeof aliases.$inferSelect | null;
  params: Record<string, string>;
  servers: (typeof outgoingServers.$inferSelect)[];
  references: string[];
  attachments: Awaited<ReturnType<typeof messageAttachments>>;
};

/**
 * Everything the dispatcher needs to build and route the mails of one message (the same for every
 * recipient); undefined if the message is gone.
 */
export async function loadDeliveryContext(db: Db, mail: OutgoingMail): Promise<DeliveryContext | undefined> {
  if (!mail.messageId) {
    return undefined;
  }
  const [row] = await db
    .select({ tenant: tenants, message: messages, thread: threads, threadAlias: aliases })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(tenants, eq(tenants.id, messages.tenantId))
    .leftJoin(aliases, eq(aliases.id, threads.aliasId))
    .where(and(eq(messages.id, mail.messageId), eq(messages.tenantId, mail.tenantId)));
  if (!row) {
    return undefined;
  }
  const [params, servers, references, files] = await Promise.all([
    getParameters(db, mail.tenantId),
    db.select().from(outgoingServers).where(eq(outgoingServers.tenantId, mail.tenantId)),
    threadReferences(db, row.thread.id, row.message.id),
    messageAttachments(db, row.message.id),
  ]);
  return {
    ...row,
    params,
    servers,
    references,
    attachments: files,
  };
}
