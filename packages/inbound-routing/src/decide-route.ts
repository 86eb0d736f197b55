// R8: what to do with one incoming mail, decided from facts the job gathered. Pure: no I/O here.

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
  /** The thread of a message we sent or stored that the mail answers (In-Reply-To/References). */
  replyThread: { id: string; model: string } | null;
  /** Aliases named by the recipients, in recipient order. */
  aliases: AliasFact[];
  /** The incoming server's own alias, when the mail was fetched from that alias's mailbox (R7.1). */
  mailboxAlias: AliasFact | null;
  sender: { known: boolean; followsAliasThread: boolean };
  aliasRecordsInPeriod: number;
  aliasLimit: number;
};

export type RouteDecision = {
  action: RouteAction;
  threadId: string | null;
  alias: AliasFact | null;
  reasons: string[];
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
  const alias = f.aliases[0] ?? f.mailboxAlias;
  if (f.replyThread) {
    // A reply forwarded to another model's alias creates a record of that model (R8.2).
    if (alias && !alias.threadId && alias.model !== f.replyThread.model) {
      return aliasDecision(f, alias, [
        `a reply to a ${f.replyThread.model} thread, addressed to the ${alias.name} alias of ${alias.model}: a new record`,
      ]);
    }
    return decision('reply', ['In-Reply-To/References name a message of this thread'], {
      threadId: f.replyThread.id,
    });
  }
  if (alias) {
    return aliasDecision(f, alias, [`addressed to the alias ${alias.name}`]);
  }
  if (f.catchallAlias !== null && f.localParts.includes(f.catchallAlias)) {
    return decision('refused', [
      'the catchall accepts replies only, and this mail answers no message we know (R8.4)',
    ]);
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
      { alias },
    );
  }
  if (alias.contactPolicy === 'followers' && !f.sender.followsAliasThread) {
    return decision('refused', [...reasons, `the alias ${alias.name} accepts mail from followers only`], {
      alias,
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
