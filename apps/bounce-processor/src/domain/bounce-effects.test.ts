import type { BouncedRecipient, BounceReport } from '@sotamail/mail-core';
import { describe, expect, it } from 'vitest';
import {
  type BounceEffects,
  type BounceOutcome,
  effectsOf,
  failureTextOf,
  outcomeOf,
} from './bounce-effects.js';
import type { MailRef } from './link-bounce.js';

const recipient = (extra: Partial<BouncedRecipient>): BouncedRecipient => ({
  address: 'mary@customer.test',
  status: '5.1.1',
  hard: true,
  reason: 'userunknown',
  diagnostic: null,
  action: 'failed',
  ...extra,
});

describe('outcomeOf', () => {
  it.each<[string, BounceReport['kind'], Partial<BouncedRecipient>, boolean, BounceOutcome]>([
    ['a failed, linked recipient bounced', 'dsn', {}, true, 'bounced'],
    ['a non-standard report has no Action: a failure', 'non-standard', { action: null }, true, 'bounced'],
    [
      'a soft failure is still a bounce',
      'dsn',
      { reason: 'mailboxfull', hard: false, status: '5.2.2' },
      true,
      'bounced',
    ],
    ['linked to nothing: ignored', 'dsn', {}, false, 'ignored'],
    [
      'a delay warning is not a failure yet',
      'dsn',
      { action: 'delayed', status: '4.4.1', hard: false },
      true,
      'delayed',
    ],
    ['Action is read without regard to case', 'dsn', { action: 'Delayed' }, true, 'delayed'],
    [
      'a success notice changes nothing',
      'dsn',
      { action: 'delivered', reason: 'delivered', status: '2.0.0' },
      true,
      'ignored',
    ],
    ['relayed to a non-DSN system: not a failure', 'dsn', { action: 'relayed' }, true, 'ignored'],
    [
      'a vacation reply is not a bounce',
      'non-standard',
      { reason: 'vacation', action: null },
      true,
      'ignored',
    ],
    ['a feedback report is a complaint', 'arf', { reason: 'feedback', action: null }, true, 'complaint'],
  ])('%s', (_, kind, extra, linked, expected) => {
    expect(outcomeOf(kind, recipient(extra), linked)).toBe(expected);
  });
});

const mail = (extra: Partial<MailRef> = {}): MailRef => ({
  id: 'm1',
  recipientEmail: 'mary@customer.test',
  recipientContactId: 'c1',
  lane: 'transactional',
  state: 'sent',
  ...extra,
});
const none: BounceEffects = {
  markMailBounced: false,
  markTrace: false,
  countOnContact: false,
  checkBlacklist: false,
};

describe('effectsOf', () => {
  it.each<[string, BounceOutcome, MailRef | null, BounceEffects]>([
    [
      'a bounce of a sent notification: red envelope, counter, rule',
      'bounced',
      mail(),
      { markMailBounced: true, markTrace: false, countOnContact: true, checkBlacklist: true },
    ],
    [
      'a bounce of mass mail also marks the trace',
      'bounced',
      mail({ lane: 'mass' }),
      { markMailBounced: true, markTrace: true, countOnContact: true, checkBlacklist: true },
    ],
    [
      'a failed (exception) mail becomes bounced: the report says why',
      'bounced',
      mail({ state: 'exception' }),
      { markMailBounced: true, markTrace: false, countOnContact: true, checkBlacklist: true },
    ],
    [
      'a mail being retried keeps its new attempt, the bounce still counts',
      'bounced',
      mail({ state: 'ready' }),
      { markMailBounced: false, markTrace: false, countOnContact: true, checkBlacklist: true },
    ],
    [
      'a cancelled mail stays cancelled',
      'bounced',
      mail({ state: 'cancelled' }),
      { markMailBounced: false, markTrace: false, countOnContact: true, checkBlacklist: true },
    ],
    ['a delay changes nothing', 'delayed', mail(), none],
    ['a complaint changes nothing here', 'complaint', mail(), none],
    ['an ignored report changes nothing', 'ignored', mail(), none],
    ['nothing linked, nothing changed', 'bounced', null, none],
  ])('%s', (_, outcome, m, expected) => {
    expect(effectsOf(outcome, m)).toEqual(expected);
  });
});

describe('failureTextOf', () => {
  it.each<[Partial<BouncedRecipient>, string]>([
    [
      { diagnostic: '  550 5.1.1 <mary@customer.test>: user unknown ' },
      '550 5.1.1 <mary@customer.test>: user unknown',
    ],
    [{ diagnostic: null }, 'bounced with status 5.1.1 (userunknown, hard)'],
    [{ diagnostic: '', status: null, reason: 'mailboxfull', hard: false }, 'bounced (mailboxfull, soft)'],
  ])('%j → %s', (extra, expected) => {
    expect(failureTextOf(recipient(extra))).toBe(expected);
  });
});
