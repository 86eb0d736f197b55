import {
  aliasRows,
  type Db,
  findActiveAliases,
  findTenantByAliasDomain,
  findThreadByRecord,
  getParameters,
  incomingServerRows,
  isFollower,
  type Tenant,
  threadRows,
} from '@sotamail/db';
import { defaultFromAddress, parseMessageIdList, stripMessageId } from '@sotamail/mail-core';
import { detectAutomaticMail } from './automatic-mail.js';
import { contentFingerprint } from './content-fingerprint.js';
import { decideNotice, type NoticeVerdict } from './decide-notice.js';
import { type AliasFact, decideRoute, type RouteDecision } from './decide-route.js';
import { addressesOf, headerText, type ParsedMail } from './parse-mail.js';
import { chooseReplyThread, type ReplyClues } from './reply-thread.js';
import { type AuthorContact, databaseLookups, type RouteLookups } from './route-lookups.js';
import { threadHeaderValues } from './thread-header.js';
import { splitThreadToken } from './thread-token.js';

export type InboundEnvelope = {
  /** The stored row, when there is one (a preview has none). */
  id: string | null;
  sha256: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  /** The incoming server it was fetched from: its alias routes mail that names no alias (R7.1). */
  incomingServerId?: string | null;
};

/** The thread id in a genuine Reply-To token of ours, else null (TokenSigner.verify). */
export type VerifyThreadToken = (token: string) => string | null;

export type RoutePlan = {
  decision: RouteDecision;
  /** What the lookups were keyed on. */
  keys: RouteKeys;
  messageId: string;
  senderEmail: string;
  senderName: string | null;
  author: AuthorContact;
  references: string[];
  autoReply: boolean;
  bounce: boolean;
  /** Its Message-ID is already stored (R9.4), perhaps by an unfinished run of this very mail. */
  duplicate: boolean;
  params: Record<string, string>;
  periodStart: Date;
  /**
   * The decision's thread was read while planning (a reply's thread): the router need not read it
   * again to know it exists. False for a thread only named by an alias, which may have gone.
   */
  threadLoaded: boolean;
  /** Whether a refused sender gets a notice (before the once-a-day limit, which the database holds). */
  notice: NoticeVerdict;
  /** What is stored with the raw message: the decision, its reasons, and the keys of later checks. */
  record: Record<string, unknown>;
};

/** The start of the period the loop limits count in (mail.incoming.limit.period, R9.1, R9.2). */
export function loopPeriodStart(now: Date, params: Record<string, string>): Date {
  return new Date(now.getTime() - Number(params['mail.incoming.limit.period'] ?? 60) * 60_000);
}

/**
 * The catchall or bounce alias as routing compares it: recipients are compared lower-cased, and an
 * admin may have typed `Support`. Unset or blank is null.
 */
export function systemAlias(value: string | undefined): string | null {
  return value?.trim().toLowerCase() || null;
}

/** What a mail's lookups are keyed on: worked out once, for its plan and for its batch's prefetch. */
export type RouteKeys = {
  messageId: string;
  senderEmail: string;
  /** Every recipient address, lower-case: the headers, Delivered-To / X-Original-To and the envelope. */
  recipients: string[];
  /** Local parts at the database's alias domain, thread tokens taken off. */
  localParts: string[];
  tokens: string[];
  references: string[];
  fingerprint: string;
  /** Addressed to the catchall: only such mail pays for the feedback-loop check (decide-route.ts). */
  toCatchall: boolean;
};

export function routeKeys(input: {
  tenant: Tenant;
  mail: ParsedMail;
  envelope: Pick<InboundEnvelope, 'sha256' | 'envelopeFrom' | 'envelopeTo'>;
  params: Record<string, string>;
}): RouteKeys {
  const { tenant, mail, envelope, params } = input;
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
  const bounceAlias = systemAlias(params['mail.bounce.alias']);
  // `catchall+<thread token>` routes as `catchall`; the token is a clue to the thread it answers.
  // The bounce address keeps its VERP token for the bounce processor.
  const tokens: string[] = [];
  const localParts = [
    ...new Set(
      recipients
        .filter((a) => a.endsWith(`@${tenant.aliasDomain}`))
        .map((a) => {
          const local = a.slice(0, a.lastIndexOf('@'));
          const tagged = splitThreadToken(local);
          if (tagged.token === null || tagged.base === bounceAlias) {
            return local;
          }
          tokens.push(tagged.token);
          return tagged.base;
        }),
    ),
  ];
  const references = [
    ...parseMessageIdList(headerText(mail, 'in-reply-to').join(' ')),
    ...parseMessageIdList(headerText(mail, 'references').join(' ')),
  ];
  const catchallAlias = systemAlias(params['mail.catchall.alias']);
  return {
    messageId,
    senderEmail,
    recipients,
    localParts,
    tokens,
    references,
    fingerprint: contentFingerprint(
      mail.subject ?? '',
      mail.text ?? '',
      mail.html,
      mail.attachments.map((a) => a.checksum),
    ),
    toCatchall: catchallAlias !== null && localParts.includes(catchallAlias),
  };
}

/**
 * Gathers the facts R8 decides on (recipients of our alias domain, the thread a reply answers, the
 * aliases named, the author, loop counters) and decides. Reads only: the router acts on the plan,
 * the API and CLI show it.
 */
export async function planInboundRoute(
  db: Db,
  input: {
    tenant: Tenant;
    mail: ParsedMail;
    envelope: InboundEnvelope;
    now: Date;
    /** The mail as received: an inline forwarded original's headers are only there. */
    raw?: Buffer;
    /** Without it (no secret key configured) thread tokens cannot be checked and are ignored. */
    verifyThreadToken?: VerifyThreadToken | null;
    /** The database's parameters when the caller has them (the router caches them briefly). */
    params?: Record<string, string>;
    /** Every active alias of the database, when the caller has them (the router, with the parameters). */
    activeAliases?: readonly AliasRow[];
    /** The router's answers for a whole batch; the database's, one lookup at a time, without. */
    lookups?: RouteLookups;
    /** routeKeys of this mail, when the caller worked them out already (for its batch's lookups). */
    keys?: RouteKeys;
  },
): Promise<RoutePlan> {
  const { tenant, mail, envelope } = input;
  const params = input.params ?? (await getParameters(db, tenant.id));
  const lookups = input.lookups ?? databaseLookups(db);
  const keys = input.keys ?? routeKeys({ tenant, mail, envelope, params });
  const { messageId, senderEmail, recipients, localParts, tokens, references, fingerprint, toCatchall } =
    keys;
  const from = mail.from?.value[0];
  const bounceAlias = systemAlias(params['mail.bounce.alias']);
  const automatic = detectAutomaticMail(
    mail,
    envelope.envelopeFrom,
    recipients,
    bounceAlias ? `${bounceAlias}@${tenant.aliasDomain}` : null,
  );
  const periodStart = loopPeriodStart(input.now, params);
  const catchallAlias = systemAlias(params['mail.catchall.alias']);
  const [known, aliases, sameContent] = await Promise.all([
    lookups.knownMessages(tenant.id, messageId, references),
    input.activeAliases
      ? input.activeAliases.filter((a) => localParts.includes(a.name))
      : findActiveAliases(db, tenant.id, localParts),
    senderEmail && toCatchall
      ? lookups.sameContentSeen({
          tenantId: tenant.id,
          senderEmail,
          fingerprint,
          since: periodStart,
          exceptId: envelope.id ?? '00000000-0000-0000-0000-000000000000',
        })
      : false,
  ]);
  const { duplicate, replied } = known;
  const ordered = localParts.flatMap((l) => aliases.filter((a) => a.name === l));
  const mailboxAlias = ordered.length === 0 ? await aliasOfMailbox(db, tenant.id, envelope) : null;
  const alias = ordered[0] ?? mailboxAlias;
  const reply = chooseReplyThread(
    await replyClues(db, {
      tenant,
      mail,
      senderEmail,
      byReferences: replied ? { id: replied.thread.id, model: replied.thread.model } : null,
      tokens,
      verifyThreadToken: input.verifyThreadToken ?? null,
      raw: input.raw,
      lookups,
    }),
  );
  const author = senderEmail
    ? await lookups.authorContact(tenant.id, senderEmail, reply.thread?.id ?? alias?.threadId ?? null)
    : undefined;
  const decided = decideRoute({
    localParts,
    catchallAlias,
    bounceAlias: bounceAlias ?? null,
    looksLikeBounce: automatic.bounce,
    duplicate,
    sameContentInPeriod: sameContent,
    replyThread: reply.thread,
    aliases: ordered.map(aliasFact),
    mailboxAlias: mailboxAlias ? aliasFact(mailboxAlias) : null,
    sender: {
      known: Boolean(author),
      followsAliasThread: Boolean(
        author && alias?.threadId && (await isFollower(db, alias.threadId, author.contact.id)),
      ),
    },
    aliasRecordsInPeriod: alias ? await lookups.aliasRecordCount(alias.id, senderEmail, periodStart) : 0,
    aliasLimit: Number(params['mail.incoming.limit.alias'] ?? 5),
  });
  const decision = { ...decided, reasons: [...decided.reasons, ...reply.notes] };
  const nullSender =
    envelope.envelopeFrom === '' ||
    headerText(mail, 'return-path').some((v) => v.replace(/\s/g, '') === '<>');
  const notice =
    decision.action === 'refused'
      ? decideNotice({
          decision,
          autoReply: automatic.autoReply,
          bounce: automatic.bounce,
          nullSender,
          senderEmail,
          ownAddress: await isOwnAddress(db, tenant, params, senderEmail),
        })
      : ({ send: false, why: 'only refused mail gets a notice' } as const);
  return {
    decision,
    keys,
    messageId,
    senderEmail,
    senderName: from?.name || null,
    author,
    references,
    autoReply: automatic.autoReply,
    bounce: automatic.bounce,
    duplicate,
    params,
    periodStart,
    threadLoaded: decision.threadId !== null && decision.threadId === reply.thread?.id,
    notice,
    record: {
      ...decision,
      ...(decision.action === 'refused' && !notice.send ? { notice: { skipped: notice.why } } : {}),
      autoReply: automatic.autoReply,
      automaticReasons: automatic.reasons,
      messageId,
      // Kept for the feedback-loop check of later mail (R9.2).
      sender: senderEmail,
      fingerprint,
    },
  };
}

type AliasRow = Awaited<ReturnType<typeof findActiveAliases>>[number];

const aliasFact = (a: AliasRow): AliasFact => ({
  id: a.id,
  name: a.name,
  model: a.model,
  threadId: a.threadId,
  contactPolicy: a.contactPolicy,
});

/** The active alias whose mailbox the mail was fetched from (an incoming server names it, R7.1). */
async function aliasOfMailbox(db: Db, tenantId: string, envelope: InboundEnvelope): Promise<AliasRow | null> {
  if (!envelope.incomingServerId) {
    return null;
  }
  const server = await incomingServerRows.find(db, tenantId, envelope.incomingServerId);
  if (!server?.aliasId) {
    return null;
  }
  const alias = await aliasRows.find(db, tenantId, server.aliasId);
  return alias?.active ? alias : null;
}

/** Looks up each clue of the thread a mail answers; reply-thread.ts weighs them. */
async function replyClues(
  db: Db,
  c: {
    tenant: Tenant;
    mail: ParsedMail;
    senderEmail: string;
    byReferences: { id: string; model: string } | null;
    tokens: string[];
    verifyThreadToken: VerifyThreadToken | null;
    raw: Buffer | undefined;
    lookups: RouteLookups;
  },
): Promise<ReplyClues> {
  const clues: ReplyClues = {
    byReferences: c.byReferences,
    token: {
      present: c.tokens.length > 0,
      checked: c.verifyThreadToken !== null,
      valid: false,
      thread: null,
    },
    header: { value: null, thread: null, senderFollows: false },
  };
  // A stronger clue decides: the weaker ones are not even looked up.
  if (c.byReferences) {
    return clues;
  }
  for (const token of c.tokens) {
    const threadId = c.verifyThreadToken?.(token) ?? null;
    if (threadId) {
      clues.token.valid = true;
      const thread = await threadRows.find(db, c.tenant.id, threadId);
      if (thread) {
        clues.token.thread = { id: thread.id, model: thread.model };
        return clues;
      }
    }
  }
  for (const value of threadHeaderValues(c.mail, c.raw)) {
    clues.header.value ??= value.raw;
    const thread = await findThreadByRecord(db, c.tenant.id, value.model, value.recordId);
    if (!thread) {
      continue;
    }
    clues.header.value = value.raw;
    clues.header.thread = { id: thread.id, model: thread.model };
    const contact = c.senderEmail
      ? await c.lookups.authorContact(c.tenant.id, c.senderEmail, thread.id)
      : undefined;
    clues.header.senderFollows = Boolean(contact?.following);
    return clues;
  }
  return clues;
}

/** Never answer ourselves: any database's alias domain, or this database's default From. */
async function isOwnAddress(
  db: Db,
  tenant: Tenant,
  params: Record<string, string>,
  email: string,
): Promise<boolean> {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!domain || domain === tenant.aliasDomain) {
    return true;
  }
  const defaultFrom = defaultFromAddress({ ...params, 'mail.catchall.domain': tenant.aliasDomain });
  if (defaultFrom?.toLowerCase() === email) {
    return true;
  }
  return Boolean(await findTenantByAliasDomain(db, domain));
}
