import { z } from 'zod';

const id = z.uuid();

/** Fetch one incoming server's mailbox (one scheduled job per confirmed server). */
export const FetchMailboxSchema = z.object({ tenantId: id, incomingServerId: id });
export type FetchMailbox = z.infer<typeof FetchMailboxSchema>;

/** Route one stored raw message (R8). */
export const RouteInboundSchema = z.object({ tenantId: id, rawInboundId: id });
export type RouteInbound = z.infer<typeof RouteInboundSchema>;

/** Route stored raw messages of one database together: one job and a few statements for many mails. */
export const RouteInboundBatchSchema = z.object({ tenantId: id, rawInboundIds: z.array(id).min(1).max(200) });
export type RouteInboundBatch = z.infer<typeof RouteInboundBatchSchema>;

/** Send one outgoing mail (one recipient). */
/** A send that went out but could not be recorded: what to record (see recordSentMails). */
export const SentRecordSchema = z.object({
  id,
  serverId: id.nullable(),
  fromHeader: z.string(),
  envelopeFrom: z.string(),
  verpToken: z.string().nullable(),
  smtpResponse: z.string(),
  smtpQueueId: z.string().nullable(),
});

/** Send one outgoing mail (one recipient); with `sentRecord`, only record that it was sent. */
export const SendMailSchema = z.object({
  tenantId: id,
  outgoingMailId: id,
  sentRecord: SentRecordSchema.optional(),
});
export type SendMail = z.infer<typeof SendMailSchema>;

/**
 * Send the outgoing mails of one posted message (its recipients, a chunk at a time): one job instead
 * of one per recipient, so a post to 100 followers costs the queue one job, not 100.
 */
export const SendMailBatchSchema = z.object({ tenantId: id, outgoingMailIds: z.array(id).min(1).max(200) });
export type SendMailBatch = z.infer<typeof SendMailBatchSchema>;

/** Send the notice a refused sender gets (R8.3, R8.4); the job id is the notice id. */
export const SendNoticeSchema = z.object({ tenantId: id, noticeId: id });
export type SendNotice = z.infer<typeof SendNoticeSchema>;

/** Read one bounce mail and apply it (R10). */
export const ProcessBounceSchema = z.object({ tenantId: id, rawInboundId: id });
export type ProcessBounce = z.infer<typeof ProcessBounceSchema>;

/**
 * Run the auto-blacklist rule (R10.3) for one address, after a bounce that did not come through the
 * bounce queue (a refusal at RCPT during our own SMTP session).
 */
export const CheckBlacklistSchema = z.object({ tenantId: id, email: z.string().min(3).max(320) });
export type CheckBlacklist = z.infer<typeof CheckBlacklistSchema>;

/** A record created by an alias, for the ERP to consume. */
export const ThreadCreatedSchema = z.object({
  tenantId: id,
  threadId: id,
  model: z.string(),
  recordId: z.string(),
  aliasId: id,
});
export type ThreadCreated = z.infer<typeof ThreadCreatedSchema>;
