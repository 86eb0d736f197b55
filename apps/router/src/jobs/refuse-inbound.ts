import { type RawInbound, recordRefusal, type Tenant } from '@sotamail/db';
import { noticeText, type ParsedMail, type RoutePlan } from '@sotamail/inbound-routing';
import type { Logger } from '@sotamail/logging';
import { enqueueOnce } from '@sotamail/queues';
import type { RouteInboundDeps } from './route-inbound.js';

/**
 * Keeps a refused mail with its reason and, in the same transaction, the notice its sender gets
 * (at most one per sender per day, held by the database). The notice is then queued; if that fails
 * (Redis away), the sweep queues it later, so a notice is never lost between the two.
 */
export async function refuseInbound(
  deps: RouteInboundDeps,
  c: { raw: RawInbound; mail: ParsedMail; tenant: Tenant; plan: RoutePlan },
  logger: Logger,
): Promise<void> {
  const { decision, record, notice: verdict, senderEmail, messageId } = c.plan;
  const refusal = decision.refusal;
  const now = deps.now();
  const text =
    verdict.send && refusal
      ? noticeText({
          databaseName: c.tenant.name,
          refusedAt: `${refusal.localPart}@${c.tenant.aliasDomain}`,
          refusal: refusal.kind,
          senderEmail,
          refusedSubject: c.mail.subject ?? '',
          receivedAt: c.raw.receivedAt,
        })
      : null;
  const { noticeId } = await recordRefusal(deps.db, {
    rawInboundId: c.raw.id,
    decision: record,
    notice: text
      ? {
          tenantId: c.tenant.id,
          rawInboundId: c.raw.id,
          recipient: senderEmail,
          day: now.toISOString().slice(0, 10),
          reason: text.reason,
          subject: text.subject,
          bodyText: text.text,
          // A mail without a Message-ID has a made-up one that nobody could recognise.
          refusedMessageId: c.mail.messageId ? messageId : null,
        }
      : null,
  });
  if (noticeId) {
    await enqueueOnce(deps.producer, 'send-notice', { tenantId: c.tenant.id, noticeId }, noticeId).catch(
      (err: unknown) => logger.warn({ err, noticeId }, 'notice.enqueue_failed'),
    );
  }
}
