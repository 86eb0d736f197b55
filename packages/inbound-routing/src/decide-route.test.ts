import { describe, expect, it } from 'vitest';
import { type AliasFact, decideRoute, type RouteFacts } from './decide-route.js';

const sales: AliasFact = {
  id: 'a1',
  name: 'sales',
  model: 'crm.lead',
  threadId: null,
  contactPolicy: 'everyone',
};
const base: RouteFacts = {
  localParts: [],
  catchallAlias: 'catchall',
  bounceAlias: 'bounce',
  looksLikeBounce: false,
  duplicate: false,
  sameContentInPeriod: false,
  replyThread: null,
  aliases: [],
  mailboxAlias: null,
  sender: { known: true, followsAliasThread: false },
  aliasRecordsInPeriod: 0,
  aliasLimit: 5,
};

describe('decideRoute (R8)', () => {
  it.each<[string, Partial<RouteFacts>, string, string | null]>([
    [
      'a delivery report',
      { looksLikeBounce: true, replyThread: { id: 't1', model: 'sale.order' } },
      'bounce',
      null,
    ],
    ['mail to the bounce address', { localParts: ['bounce'] }, 'bounce', null],
    ['mail to a VERP address', { localParts: ['bounce+abc123'] }, 'bounce', null],
    ['a duplicate', { duplicate: true, replyThread: { id: 't1', model: 'sale.order' } }, 'dropped', null],
    [
      'the same content again from the same sender to the catchall',
      { sameContentInPeriod: true, localParts: ['catchall'], replyThread: { id: 't1', model: 'sale.order' } },
      'dropped',
      null,
    ],
    [
      'the same content again to an alias (the alias limit counts those)',
      { sameContentInPeriod: true, localParts: ['sales'], aliases: [sales] },
      'new-record',
      null,
    ],
    [
      'a reply to the catchall',
      { localParts: ['catchall'], replyThread: { id: 't1', model: 'sale.order' } },
      'reply',
      't1',
    ],
    [
      'a reply addressed to the same model’s alias',
      {
        localParts: ['sales'],
        aliases: [{ ...sales, model: 'sale.order' }],
        replyThread: { id: 't1', model: 'sale.order' },
      },
      'reply',
      't1',
    ],
    [
      'a reply forwarded to another model’s alias',
      { localParts: ['sales'], aliases: [sales], replyThread: { id: 't1', model: 'sale.order' } },
      'new-record',
      null,
    ],
    ['mail to an alias', { localParts: ['sales'], aliases: [sales] }, 'new-record', null],
    [
      'mail to a fixed-thread alias',
      { localParts: ['news'], aliases: [{ ...sales, name: 'news', threadId: 't9' }] },
      'reply',
      't9',
    ],
    [
      'mail to an alias from an unknown sender, contacts only',
      {
        localParts: ['sales'],
        aliases: [{ ...sales, contactPolicy: 'contacts' }],
        sender: { known: false, followsAliasThread: false },
      },
      'refused',
      null,
    ],
    [
      'mail to an alias from a non-follower, followers only',
      { localParts: ['sales'], aliases: [{ ...sales, contactPolicy: 'followers' }] },
      'refused',
      null,
    ],
    [
      'mail over the alias limit',
      { localParts: ['sales'], aliases: [sales], aliasRecordsInPeriod: 5 },
      'dropped',
      null,
    ],
    ['a non-reply to the catchall', { localParts: ['catchall'] }, 'refused', null],
    ['mail to an unknown local part', { localParts: ['nobody'] }, 'unroutable', null],
    ['mail with no recipient of ours', {}, 'unroutable', null],
    [
      'mail in an alias’s own mailbox without the alias in its headers',
      { mailboxAlias: sales },
      'new-record',
      null,
    ],
    [
      'mail in a contacts-only alias’s mailbox from an unknown sender',
      {
        mailboxAlias: { ...sales, contactPolicy: 'contacts' },
        sender: { known: false, followsAliasThread: false },
      },
      'refused',
      null,
    ],
    [
      'mail in a fixed-thread alias’s mailbox',
      { mailboxAlias: { ...sales, name: 'news', threadId: 't9' } },
      'reply',
      't9',
    ],
    [
      'mail in an alias’s mailbox over the alias limit',
      { mailboxAlias: sales, aliasRecordsInPeriod: 5 },
      'dropped',
      null,
    ],
    [
      'an alias named in the headers wins over the mailbox’s alias',
      {
        localParts: ['news'],
        aliases: [{ ...sales, name: 'news', threadId: 't9' }],
        mailboxAlias: sales,
      },
      'reply',
      't9',
    ],
    [
      'a reply that sits in another model’s alias mailbox stays a reply',
      { mailboxAlias: sales, replyThread: { id: 't1', model: 'sale.order' } },
      'reply',
      't1',
    ],
    [
      'a non-reply to the catchall fetched from an alias’s mailbox',
      { localParts: ['catchall'], mailboxAlias: sales },
      'new-record',
      null,
    ],
    [
      'a reply found by its signed thread token',
      { localParts: ['catchall'], replyThread: { id: 't2', model: 'sale.order', via: 'reply-token' } },
      'reply',
      't2',
    ],
    [
      'a reply found by a follower’s thread header',
      { localParts: ['catchall'], replyThread: { id: 't3', model: 'sale.order', via: 'thread-header' } },
      'reply',
      't3',
    ],
  ])('%s', (_label, facts, action, threadId) => {
    const result = decideRoute({ ...base, ...facts });
    expect(result.action).toBe(action);
    expect(result.threadId).toBe(threadId);
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it('says why the alias limit stopped a mail', () => {
    const result = decideRoute({ ...base, localParts: ['sales'], aliases: [sales], aliasRecordsInPeriod: 7 });
    expect(result.reasons.join(' ')).toMatch(/mail\.incoming\.limit\.alias = 5/);
  });

  it('names the mailbox’s alias as the reason when the headers name none', () => {
    const result = decideRoute({ ...base, mailboxAlias: sales });
    expect(result.alias?.id).toBe('a1');
    expect(result.reasons.join(' ')).toMatch(/fetched from the mailbox of the alias sales/);
  });

  it('says which clue found the thread of a reply', () => {
    const via = (v?: 'references' | 'reply-token' | 'thread-header') =>
      decideRoute({ ...base, replyThread: { id: 't1', model: 'x', ...(v ? { via: v } : {}) } }).reasons.join(
        ' ',
      );
    expect(via()).toMatch(/In-Reply-To\/References/);
    expect(via('reply-token')).toMatch(/signed thread token/);
    expect(via('thread-header')).toMatch(/X-SotaMail-Thread header .* the sender follows it/);
  });

  it.each<[string, Partial<RouteFacts>, string, string]>([
    ['the catchall', { localParts: ['catchall'] }, 'catchall-not-reply', 'catchall'],
    [
      'a contacts-only alias',
      {
        localParts: ['sales'],
        aliases: [{ ...sales, contactPolicy: 'contacts' }],
        sender: { known: false, followsAliasThread: false },
      },
      'contacts-only',
      'sales',
    ],
    [
      'a followers-only alias',
      { localParts: ['sales'], aliases: [{ ...sales, contactPolicy: 'followers' }] },
      'followers-only',
      'sales',
    ],
  ])('says why %s refused a mail, for the notice', (_label, facts, kind, localPart) => {
    expect(decideRoute({ ...base, ...facts }).refusal).toEqual({ kind, localPart });
  });
});
