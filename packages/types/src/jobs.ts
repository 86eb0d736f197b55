import { z } from 'zod';

const id = z.uuid();

/** Fetch one incoming server's mailbox (one scheduled job per confirmed server). */
export const FetchMailboxSchema = z.object({ tenantId: id, incomingServerId: id });
export type FetchMailbox = z.infer<typeof FetchMailboxSchema>;

/** Route one stored raw message (R8). */
export const RouteInboundSchema = z.object({ tenantId: id, rawInboundId: id });
export type RouteInbound = z.infer<typeof RouteInboundSchema>;

/** Send one outgoing mail (one recipient). */
export const SendMailSchema = z.object({ tenantId: id, outgoingMailId: id });
export type SendMail = z.infer<typeof SendMailSchema>;

/** Read one bounce mail and apply it (R10). */
export const ProcessBounceSchema = z.object({ tenantId: id, rawInboundId: id });
export type ProcessBounce = z.infer<typeof ProcessBounceSchema>;

/** A record created by an alias, for the ERP to consume. */
export const ThreadCreatedSchema = z.object({
  tenantId: id,
  threadId: id,
  model: z.string(),
  recordId: z.string(),
  aliasId: id,
});
export type ThreadCreated = z.infer<typeof ThreadCreatedSchema>;
