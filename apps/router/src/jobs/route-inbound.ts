import { createHash } from 'node:crypto';
import {
  addFollower,
  countAliasRecordsSince,
  countSameContentSince,
  createAliasThread,
  type Db,
  findActiveAliases,
  findAuthorContact,
  findRawInbound,
  findThreadByMessageIds,
  getParameters,
  isFollower,
  markRawInbound,
  messageExists,
  postMessage,
  type RawInbound,
  threadRows,
} from '@sotamail/db';
import { parseMessageIdList, stripMessageId } from '@sotamail/mail-core';
import { enqueueSendMail, type JobContext, PermanentError, type Producer } from '@sotamail/queues';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { detectAutomaticMail } from '../adapters/automatic-mail.js';
import { contentFingerprint } from '../domain/content-fingerprint.js';
import { decideRoute, type RouteDecision } from '../domain/decide-route.js';

export type RouteInboundDeps = { db: Db; producer: Producer; now: () => Date };

const addressesOf = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((a) => a.value.map((v) => v.address ?? ''))
    .filter(Boolean);

const headerText = (mail: ParsedMail, name: string): string[] =>
  mail.headerLines.filter((h) => h.key === name).map((h) => h.line.slice(h.line.indexOf(':') + 1).trim());

/**
 * Routes one stored mail (R8): into the thread it answers, into a new record through an alias, or
 * refused / dropped / unroutable with the reason kept on the stored mail. Re-running it is safe: the
 * message is unique per Message-ID, so a second run finds a duplicate and changes nothing.
 */
export function createRouteInboundHandler(deps: RouteInboundDeps) {
  return async (payload: { tenantId: string; rawInboundId: string }, { logger }: JobContext) => {
    const raw = await findRawInbound(deps.db, payload.tenantId, payload.rawInboundId);
    if (!raw) {
      throw new PermanentError('RAW_NOT_FOUND', `stored mail ${payload.rawInboundId} does not exist`);
    }
    if (raw.state !== 'received') {
      return { action: 'skipped', reason: `already ${raw.state}` };
    }
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw.raw, { skipHtmlToText: false, maxHtmlLengthToParse: 5_000_000 });
    } catch (err) {
      await markRawInbound(deps.db, raw.id, {
        state: 'failed',
        error: `the mail cannot be parsed: ${(err as Error).message}`,
      });
      return { action: 'failed' };
    }
    const outcome = await route(deps, raw, mail);
    logger.info(
      { rawInboundId: raw.id, action: outcome.decision.action, reasons: outcome.decision.reasons },
      'inbound.routed',
    );
    return { action: outcome.decision.action };
  };
}

async function route(
  deps: RouteInboundDeps,
  raw: RawInbound,
  mail: ParsedMail,
): Promise<{ decision: RouteDecision }> {
  const tenant =
    (await deps.db.query.tenants.findFirst({ where: (t, { eq }) => eq(t.id, raw.tenantId) })) ?? null;
  if (!tenant) {
    throw new PermanentError('TENANT_NOT_FOUND', `database ${raw.tenantId} does not exist`);
  }
  const params = await getParameters(deps.db, tenant.id);
  // A mail without Message-ID gets a stable one from its content, so a re-delivery is still a duplicate.
  const messageId =
    stripMessageId(mail.messageId ?? '') || `missing-${raw.sha256.slice(0, 32)}@${tenant.aliasDomain}`;
  const from = mail.from?.value[0];
  const senderEmail = (from?.address ?? raw.envelopeFrom ?? '').toLowerCase();
  const recipients = [
    ...addressesOf(mail.to),
    ...addressesOf(mail.cc),
    ...headerText(mail, 'delivered-to'),
    ...headerText(mail, 'x-original-to'),
    ...raw.envelopeTo,
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
    raw.envelopeFrom,
    recipients,
    bounceAlias ? `${bounceAlias}@${tenant.aliasDomain}` : null,
  );
  const [duplicate, replied, aliases] = await Promise.all([
    messageExists(deps.db, tenant.id, messageId),
    findThreadByMessageIds(deps.db, tenant.id, references),
    findActiveAliases(deps.db, tenant.id, localParts),
  ]);
  const ordered = localParts.flatMap((l) => aliases.filter((a) => a.name === l));
  const alias = ordered[0] ?? null;
  const author = senderEmail
    ? await findAuthorContact(deps.db, tenant.id, senderEmail, replied?.thread.id ?? alias?.threadId ?? null)
    : undefined;
  const periodMinutes = Number(params['mail.incoming.limit.period'] ?? 60);
  const periodStart = new Date(deps.now().getTime() - periodMinutes * 60_000);
  const fingerprint = contentFingerprint(mail.subject ?? '', mail.text ?? '');
  const sameContent = senderEmail
    ? await countSameContentSince(deps.db, {
        tenantId: tenant.id,
        senderEmail,
        fingerprint,
        since: periodStart,
        exceptId: raw.id,
      })
    : 0;
  const decision = decideRoute({
    localParts,
    catchallAlias: params['mail.catchall.alias'] ?? null,
    bounceAlias: params['mail.bounce.alias'] ?? null,
    looksLikeBounce: automatic.bounce,
    duplicate,
    sameContentInPeriod: sameContent > 0,
    replyThread: replied ? { id: replied.thread.id, model: replied.thread.model } : null,
    aliases: ordered,
    mailboxAlias: null,
    sender: {
      known: Boolean(author),
      followsAliasThread: Boolean(
        author && alias?.threadId && (await isFollower(deps.db, alias.threadId, author.contact.id)),
      ),
    },
    aliasRecordsInPeriod: alias
      ? await countAliasRecordsSince(deps.db, alias.id, senderEmail, periodStart)
      : 0,
    aliasLimit: Number(params['mail.incoming.limit.alias'] ?? 5),
  });
  const record = {
    ...decision,
    autoReply: automatic.autoReply,
    automaticReasons: automatic.reasons,
    messageId,
    // Kept for the feedback-loop check of later mail (R9.2).
    sender: senderEmail,
    fingerprint,
  };

  switch (decision.action) {
    case 'bounce':
      await deps.producer.enqueue(
        'process-bounce',
        { tenantId: tenant.id, rawInboundId: raw.id },
        { jobId: raw.id },
      );
      await markRawInbound(deps.db, raw.id, { state: 'routed', decision: record });
      return { decision };
    case 'reply':
    case 'new-record': {
      let threadId = decision.threadId;
      if (decision.action === 'new-record' && decision.alias) {
        const created = await createAliasThread(
          deps.db,
          {
            tenantId: tenant.id,
            aliasId: decision.alias.id,
            model: decision.alias.model,
            // The ERP gives the record its own id when it consumes the event; the thread is unique per
            // mail, so a re-run of this job finds the same one.
            recordId: `mail-${createHash('sha256').update(`${tenant.id}:${messageId}`).digest('hex').slice(0, 20)}`,
            subject: mail.subject ?? '',
            senderEmail,
          },
          { max: Number(params['mail.incoming.limit.alias'] ?? 5), since: periodStart },
        );
        if ('limited' in created) {
          const dropped = {
            ...record,
            action: 'dropped',
            reasons: [
              ...decision.reasons,
              `the sender reached mail.incoming.limit.alias (${created.count} records in the period, R9.1)`,
            ],
          };
          await markRawInbound(deps.db, raw.id, { state: 'ignored', decision: dropped });
          return { decision: { ...decision, action: 'dropped' } };
        }
        const thread = created.thread;
        threadId = thread.id;
        if (author) {
          await addFollower(deps.db, tenant.id, thread.id, author.contact.id);
        }
      }
      if (!threadId || !(await threadRows.find(deps.db, tenant.id, threadId))) {
        await markRawInbound(deps.db, raw.id, {
          state: 'ignored',
          decision: {
            ...record,
            action: 'unroutable',
            reasons: [...decision.reasons, 'the thread no longer exists'],
          },
        });
        return { decision };
      }
      const posted = await postMessage(deps.db, {
        tenantId: tenant.id,
        threadId,
        kind: 'email',
        authorContactId: author?.contact.id ?? null,
        authorEmail: senderEmail || null,
        authorName: author?.contact.name ?? from?.name ?? null,
        subject: mail.subject ?? '',
        bodyHtml: typeof mail.html === 'string' ? mail.html : '',
        bodyText: mail.text ?? '',
        messageId,
        inReplyTo: references[0] ?? null,
        references,
        rawInboundId: raw.id,
        // Auto-replies are kept in their thread but never passed on (R9.3): no loop can start here.
        notifyFollowers: !automatic.autoReply,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename ?? 'attachment',
          contentType: a.contentType,
          content: a.content,
          sha256: createHash('sha256').update(a.content).digest('hex'),
        })),
      });
      await markRawInbound(deps.db, raw.id, {
        state: 'routed',
        decision: { ...record, threadId, storedMessageId: posted.message.id },
      });
      for (const id of posted.outgoingMailIds) {
        await enqueueSendMail(deps.producer, { id, tenantId: tenant.id, lane: 'transactional' });
      }
      if (decision.action === 'new-record' && decision.alias && posted.created) {
        const thread = await threadRows.find(deps.db, tenant.id, threadId);
        await deps.producer.enqueue(
          'thread-created',
          {
            tenantId: tenant.id,
            threadId,
            model: thread?.model ?? decision.alias.model,
            recordId: thread?.recordId ?? '',
            aliasId: decision.alias.id,
          },
          { jobId: `thread-created-${threadId}` },
        );
      }
      return { decision };
    }
    default:
      await markRawInbound(deps.db, raw.id, { state: 'ignored', decision: record });
      return { decision };
  }
}
