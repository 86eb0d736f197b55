import { createHash, randomBytes } from 'node:crypto';
import { type Db, recordSentMails, schema } from '@sotamail/db';
import { verpAddress } from '@sotamail/mail-core';
import type { Producer } from '@sotamail/queues';
import type { TokenSigner } from '@sotamail/secrets';
import { and, eq } from 'drizzle-orm';

/** One DSN recipient as a test writes it. */
export type DsnRecipient = { address: string; status?: string; action?: string; diagnostic?: string };

/**
 * A delivery-status report (RFC 3464) shaped like the ones Postfix writes: a human part, the
 * `message/delivery-status` part, and the returned headers of the original (its Message-ID and
 * References only when given, as some MTAs strip them).
 */
export function dsn(options: {
  to: string;
  recipients: DsnRecipient[];
  originalMessageId?: string;
  originalReferences?: string[];
  subject?: string;
}): string {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const perRecipient = options.recipients.map((r) =>
    [
      `Final-Recipient: rfc822; ${r.address}`,
      `Original-Recipient: rfc822;${r.address}`,
      `Action: ${r.action ?? 'failed'}`,
      `Status: ${r.status ?? '5.1.1'}`,
      `Remote-MTA: dns; mx.remote.test`,
      `Diagnostic-Code: smtp; ${r.diagnostic ?? `550 5.1.1 <${r.address}>: Recipient address rejected: User unknown`}`,
      '',
    ].join('\r\n'),
  );
  const originalHeaders = [
    'From: "Admin" <notifications@acme.test>',
    `To: ${options.recipients[0]?.address ?? 'nobody@remote.test'}`,
    `Subject: ${options.subject ?? 'Your quote'}`,
    ...(options.originalMessageId ? [`Message-ID: <${options.originalMessageId}>`] : []),
    ...(options.originalReferences?.length
      ? [`References: ${options.originalReferences.map((r) => `<${r}>`).join(' ')}`]
      : []),
    'Date: Tue, 24 Nov 2026 10:00:00 +0000',
  ];
  return [
    'Return-Path: <>',
    `Delivered-To: ${options.to}`,
    'From: Mail Delivery System <MAILER-DAEMON@mx.remote.test>',
    `To: ${options.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${randomBytes(8).toString('hex')}@mx.remote.test>`,
    'Date: Tue, 24 Nov 2026 10:00:05 +0000',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    "I'm sorry to have to inform you that your message could not be delivered.",
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.remote.test',
    'Arrival-Date: Tue, 24 Nov 2026 10:00:00 +0000',
    '',
    ...perRecipient,
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    ...originalHeaders,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/**
 * Stores a bounce as the SMTP ingress would (the raw bytes and the envelope recipients) and hands
 * it to the bounce queue as the router does. `receivedAt` places it in time for the blacklist rule.
 */
export async function storeBounce(
  db: Db,
  options: {
    tenantId: string;
    raw: string;
    envelopeTo: string[];
    receivedAt?: Date;
    source?: 'smtp' | 'imap';
  },
) {
  const bytes = Buffer.from(options.raw);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const source = options.source ?? 'smtp';
  const [row] = await db
    .insert(schema.rawInboundMessages)
    .values({
      tenantId: options.tenantId,
      source,
      sourceKey: `${source}:${sha256}`,
      raw: bytes,
      size: bytes.length,
      sha256,
      envelopeFrom: '',
      envelopeTo: options.envelopeTo,
      state: 'routed',
      ...(options.receivedAt ? { receivedAt: options.receivedAt } : {}),
    })
    .returning();
  if (!row) {
    throw new Error('raw bounce not stored');
  }
  return row;
}

export async function enqueueBounce(
  producer: Producer,
  tenantId: string,
  rawInboundId: string,
  jobId = rawInboundId,
) {
  await producer.enqueue('process-bounce', { tenantId, rawInboundId }, { jobId });
}

/**
 * Records the outgoing mails of a posted message as sent, each with its signed VERP envelope sender,
 * as the dispatcher does once the server accepted them. Returns them with their envelope sender.
 */
export async function markSent(db: Db, signer: TokenSigner, messageRowId: string, bounceAddress: string) {
  const mails = await db
    .select()
    .from(schema.outgoingMails)
    .where(eq(schema.outgoingMails.messageId, messageRowId));
  const sent = mails.map((m) => {
    const token = signer.sign(m.id);
    return { ...m, verpToken: token, envelopeFrom: verpAddress(bounceAddress, token) };
  });
  await recordSentMails(
    db,
    sent.map((m) => ({
      id: m.id,
      serverId: null,
      fromHeader: '"Admin" <notifications@acme.test>',
      envelopeFrom: m.envelopeFrom,
      verpToken: m.verpToken,
      smtpResponse: '250 2.0.0 Ok: queued',
      smtpQueueId: null,
    })),
  );
  return sent;
}

export async function notificationOf(db: Db, outgoingMailId: string) {
  const [row] = await db
    .select()
    .from(schema.notifications)
    .where(eq(schema.notifications.outgoingMailId, outgoingMailId));
  return row;
}

export async function bounceEventsOf(db: Db, tenantId: string, rawInboundId: string) {
  return db
    .select()
    .from(schema.bounceEvents)
    .where(
      and(eq(schema.bounceEvents.tenantId, tenantId), eq(schema.bounceEvents.rawInboundId, rawInboundId)),
    );
}

export async function contactByEmail(db: Db, tenantId: string, email: string) {
  const [row] = await db
    .select()
    .from(schema.contacts)
    .where(
      and(eq(schema.contacts.tenantId, tenantId), eq(schema.contacts.emailNormalized, email.toLowerCase())),
    );
  return row;
}

/** The value, or a test failure that says what was missing. */
export function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) {
    throw new Error(`${what} missing`);
  }
  return value;
}
