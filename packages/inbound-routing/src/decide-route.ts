// R8: what to do with one incoming mail, decided from facts the job gathered. Pure: no I/O here.

import type { ReplyVia } from './reply-thread.js';

export type RouteAction = 'reply' | 'new-record' | 'bounce' | 'refused' | 'dropped' | 'unroutable';

export type AliasFact = {
  id: string;
  name: string;
  model: string;
  threadId: string | null;
  contactPolicy: 'everyone' | 'contacts' | 'followers';
};

export type RouteFacts = {
  /** Local parts of our alias domain among the recipients (To, Cc, Delivered-To, envelope). */
  localParts: string[];
  catchallAlias: string | null;
  bounceAlias: string | null;
  looksLikeBounce: boolean;
  duplicate: boolean;
  /** The same sender sent the same content within the period (R9.2). */
  sameContentInPeriod: boolean;
  /**
   * The thread the mail answers, and by which clue (see reply-thread.ts for the trust order):
   * In-Reply-To/References, our signed Reply-To token, or the thread header of a follower.
   */
  replyThread: { id: string; model: string; via?: ReplyVia } | null;
  /** Aliases named by the recipients, in recipient order. */
  aliases: AliasFact[];
  /** The incoming server's own alias, when the mail was fetched from that alias's mailbox (R7.1). */
  mailboxAlias: AliasFact | null;
  sender: { known: boolean; followsAliasThread: boolean };
  aliasRecordsInPeriod: number;
  aliasLimit: number;
};

/** Why a mail was refused, for the notice its sender gets. */
export type Refusal = {
  kind: 'catchall-not-reply' | 'contacts-only' | 'followers-only';
  /** The local part the mail was refused at (the catchall or the alias). */
  localPart: string;
};

export type RouteDecision = {
  action: RouteAction;
  threadId: string | null;
  alias: AliasFact | null;
  reasons: string[];
  refusal?: Refusal;
};

const replyReasons: Record<ReplyVia, string> = {
  references: 'In-Reply-To/References name a message of this thread',
  'reply-token':
    'the signed thread token of the reply address names this thread (its Message-ID chain was lost)',
  'thread-header': 'the X-SotaMail-Thread header names this thread, and the sender follows it',
};

const decision = (
  action: RouteAction,
  reasons: string[],
  extra: Partial<RouteDecision> = {},
): RouteDecision => ({
  action,
  threadId: null,
  alias: null,
  reasons,
  ...extra,
});

export function decideRoute(f: RouteFacts): RouteDecision {
  if (
    f.looksLikeBounce ||
    (f.bounceAlias !== null &&
      f.localParts.some((l) => l === f.bounceAlias || l.startsWith(`${f.bounceAlias}+`)))
  ) {
    return decision('bounce', [
      'a delivery report, or mail to the bounce address: handed to the bounce processor',
    ]);
  }
  if (f.duplicate) {
    return decision('dropped', ['a message with this Message-ID is already stored (R9.4)']);
  }
  if (f.sameContentInPeriod && f.catchallAlias !== null && f.localParts.includes(f.catchallAlias)) {
    return decision('dropped', [
      'the same sender sent identical mail to the catchall within mail.incoming.limit.period: a feedback loop (R9.2)',
    ]);
  }
  // An alias named by the recipients, else the alias whose mailbox the mail was fetched from (R7.1).
  const named = f.aliases[0] ?? null;
  const alias = named ?? f.mailboxAlias;
  if (f.replyThread) {
    // A reply forwarded to another model's alias creates a record of that model (R8.2). Only an alias
    // the mail is addressed to counts: a reply that merely sits in an alias's mailbox stays a reply.
    if (named && !named.threadId && named.model !== f.replyThread.model) {
      return aliasDecision(f, named, [
        `a reply to a ${f.replyThread.model} thread, addressed to the ${named.name} alias of ${named.model}: a new record`,
      ]);
    }
    return decision('reply', [replyReasons[f.replyThread.via ?? 'references']], {
      threadId: f.replyThread.id,
    });
  }
  if (alias) {
    return aliasDecision(f, alias, [
      named
        ? `addressed to the alias ${alias.name}`
        : `fetched from the mailbox of the alias ${alias.name}, which its headers do not name (R7.1)`,
    ]);
  }
  if (f.catchallAlias !== null && f.localParts.includes(f.catchallAlias)) {
    return decision(
      'refused',
      ['the catchall accepts replies only, and this mail answers no message we know (R8.4)'],
      { refusal: { kind: 'catchall-not-reply', localPart: f.catchallAlias } },
    );
  }
  return decision('unroutable', [
    f.localParts.length > 0
      ? `no alias, reply or catchall matches ${f.localParts.map((l) => `${l}@`).join(', ')}`
      : 'no recipient at this database’s alias domain',
  ]);
}

function aliasDecision(f: RouteFacts, alias: AliasFact, reasons: string[]): RouteDecision {
  if (alias.contactPolicy === 'contacts' && !f.sender.known) {
    return decision(
      'refused',
      [...reasons, `the alias ${alias.name} accepts mail from known contacts only`],
      { alias, refusal: { kind: 'contacts-only', localPart: alias.name } },
    );
  }
  if (alias.contactPolicy === 'followers' && !f.sender.followsAliasThread) {
    return decision('refused', [...reasons, `the alias ${alias.name} accepts mail from followers only`], {
      alias,
      refusal: { kind: 'followers-only', localPart: alias.name },
    });
  }
  if (alias.threadId) {
    return decision('reply', [...reasons, 'the alias feeds one thread'], { alias, threadId: alias.threadId });
  }
  if (f.aliasRecordsInPeriod >= f.aliasLimit) {
    return decision(
      'dropped',
      [
        ...reasons,
        `this sender already made ${f.aliasRecordsInPeriod} records through ${alias.name} in the period (mail.incoming.limit.alias = ${f.aliasLimit}, R9.1)`,
      ],
      { alias },
    );
  }
  return decision('new-record', [...reasons, `a new ${alias.model} record`], { alias });
}
