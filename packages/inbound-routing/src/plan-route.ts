import {
  countAliasRecordsSince,
  countSameContentSince,
  type Db,
  findActiveAliases,
  findAuthorContact,
  findThreadByMessageIds,
  getParameters,
  isFollower,
  messageExists,
  type Tenant,
} from '@sotamail/db';
import { parseMessageIdList, stripMessageId } from '@sotamail/mail-core';
import { detectAutomaticMail } from './automatic-mail.js';
import { contentFingerprint } from './content-fingerprint.js';
import { decideRoute, type RouteDecision } from './decide-route.js';
import { addressesOf, headerText, type ParsedMail } from './parse-mail.js';

export type InboundEnvelope = {
  /** The stored row, when there is one (a preview has none). */
  id: string | null;
  sha256: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
};

export type RoutePlan = {
  decision: RouteDecision;
  messageId: string;
  senderEmail: string;
  senderName: string | null;
  author: Awaited<ReturnType<typeof findAuthorContact>>;
  references: string[];
  autoReply: boolean;
  bounce: boolean;
  params: Record<string, string>;
  periodStart: Date;
  /** What is stored with the raw message: the decision, its reasons, and the keys of later checks. */
  record: Record<string, unknown>;
};

/**
 * Gathers the facts R8 decides on (recipients of our alias domain, the thread a reply answers, the
 * aliases named, the author, loop counters) and decides. Reads only: the router acts on the plan,
 * the API and CLI show it.
 */
export async function planInboundRoute(
  db: Db,
  input: { tenant: Tenant; mail: ParsedMail; envelope: InboundEnvelope; now: Date },
): Promise<RoutePlan> {
  const { tenant, mail, envelope } = input;
  const params = await getParameters(db, tenant.id);
  // A mail without Message-ID gets a stable one from its content, so a re-delivery is still a duplicate.
  const messageId =
    stripMessageId(mail.messageId ?? '') || `missing-${envelope.sha256.slice(0, 32)}@${tenant.aliasDomain}`;
  const from = mail.from?.value[0];
  const senderEmail = (from?.address ?? envelope.envelopeFrom ?? '').toLowerCase();
  const recipients = [
    ...addressesOf(mail.to),
    ...addressesOf(mail.cc),
    ...headerText(mail, 'delivered-to'),
    ...headerText(mail, 'x-original-to'),
    ...envelope.envelopeTo,
  ].map((a) => a.toLowerCase());
  const localParts = [
    ...new Set(
      recipients
        .filter((a) => a.endsWith(`@${tenant.aliasDomain}`))
        .map((a) => a.slice(0, a.lastIndexOf('@'))),
    ),
  ];
  const references = [
    ...parseMessageIdList(headerText(mail, 'in-reply-to').join(' ')),
    ...parseMessageIdList(headerText(mail, 'references').join(' ')),
  ];
  const bounceAlias = params['mail.bounce.alias'];
  const automatic = detectAutomaticMail(
    mail,
    envelope.envelopeFrom,
    recipients,
    bounceAlias ? `${bounceAlias}@${tenant.aliasDomain}` : null,
  );
  const [duplicate, replied, aliases] = await Promise.all([
    messageExists(db, tenant.id, messageId),
    findThreadByMessageIds(db, tenant.id, references),
    findActiveAliases(db, tenant.id, localParts),
  ]);
  const ordered = localParts.flatMap((l) => aliases.filter((a) => a.name === l));
  const alias = ordered[0] ?? null;
  const author = senderEmail
    ? await findAuthorContact(db, tenant.id, senderEmail, replied?.thread.id ?? alias?.threadId ?? null)
    : undefined;
  const periodMinutes = Number(params['mail.incoming.limit.period'] ?? 60);
  const periodStart = new Date(input.now.getTime() - periodMinutes * 60_000);
  const fingerprint = contentFingerprint(mail.subject ?? '', mail.text ?? '');
  const sameContent = senderEmail
    ? await countSameContentSince(db, {
        tenantId: tenant.id,
        senderEmail,
        fingerprint,
        since: periodStart,
        exceptId: envelope.id ?? '00000000-0000-0000-0000-000000000000',
      })
    : 0;
  const decision = decideRoute({
    localParts,
    catchallAlias: params['mail.catchall.alias'] ?? null,
    bounceAlias: bounceAlias ?? null,
    looksLikeBounce: automatic.bounce,
    duplicate,
    sameContentInPeriod: sameContent > 0,
    replyThread: replied ? { id: replied.thread.id, model: replied.thread.model } : null,
    aliases: ordered,
    mailboxAlias: null,
    sender: {
      known: Boolean(author),
      followsAliasThread: Boolean(
        author && alias?.threadId && (await isFollower(db, alias.threadId, author.contact.id)),
      ),
    },
    aliasRecordsInPeriod: alias ? await countAliasRecordsSince(db, alias.id, senderEmail, periodStart) : 0,
    aliasLimit: Number(params['mail.incoming.limit.alias'] ?? 5),
  });
  return {
    decision,
    messageId,
    senderEmail,
    senderName: from?.name || null,
    author,
    references,
    autoReply: automatic.autoReply,
    bounce: automatic.bounce,
    params,
    periodStart,
    record: {
      ...decision,
      autoReply: automatic.autoReply,
      automaticReasons: automatic.reasons,
      messageId,
      // Kept for the feedback-loop check of later mail (R9.2).
      sender: senderEmail,
      fingerprint,
    },
  };
}
