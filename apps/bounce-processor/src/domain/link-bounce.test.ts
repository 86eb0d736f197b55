import type { BouncedRecipient, BounceReport } from '@sotamail/mail-core';
import { describe, expect, it } from 'vitest';
import { type LinkFacts, linkBounce, type MailRef } from './link-bounce.js';

const mail = (id: string, recipientEmail: string, extra: Partial<MailRef> = {}): MailRef => ({
  id,
  recipientEmail,
  recipientContactId: `contact-${id}`,
  lane: 'transactional',
  state: 'sent',
  ...extra,
});
const failed = (address: string | null, extra: Partial<BouncedRecipient> = {}): BouncedRecipient => ({
  address,
  status: '5.1.1',
  hard: true,
  reason: 'userunknown',
  diagnostic: '550 5.1.1 no such user',
  action: 'failed',
  ...extra,
});
const report = (recipients: BouncedRecipient[], extra: Partial<BounceReport> = {}): BounceReport => ({
  kind: 'dsn',
  recipients,
  originalMessageId: 'orig@acme.test',
  originalReferences: [],
  ...extra,
});
const facts = (extra: Partial<LinkFacts>): LinkFacts => ({
  verp: { kind: 'none' },
  verpMail: null,
  byMessageId: [],
  byReferences: [],
  ...extra,
});
const verp = { kind: 'valid', token: 'tok', outgoingMailId: 'm1' } as const;

type Row = [
  string,
  BounceReport,
  LinkFacts,
  { email: string; mail: string | null; linkedBy: string; note: RegExp }[],
];

describe('linkBounce: the order of trust (R10.1) and forged reports', () => {
  it.each<Row>([
    [
      'a genuine VERP token links the recipient it names',
      report([failed('mary@customer.test')]),
      facts({ verp, verpMail: mail('m1', 'Mary@Customer.test') }),
      [{ email: 'mary@customer.test', mail: 'm1', linkedBy: 'verp', note: /signed VERP token/ }],
    ],
    [
      'VERP wins over a Message-ID that names another mail',
      report([failed('mary@customer.test')]),
      facts({
        verp,
        verpMail: mail('m1', 'mary@customer.test'),
        byMessageId: [mail('m9', 'mary@customer.test')],
      }),
      [{ email: 'mary@customer.test', mail: 'm1', linkedBy: 'verp', note: /VERP/ }],
    ],
    [
      'with VERP, a report under another address (a forward) is the mail’s recipient',
      report([failed('mary.forward@elsewhere.test')]),
      facts({ verp, verpMail: mail('m1', 'mary@customer.test') }),
      [{ email: 'mary@customer.test', mail: 'm1', linkedBy: 'verp', note: /the report names mary\.forward/ }],
    ],
    [
      'with VERP, a report that names nobody still fails the mail',
      report([]),
      facts({ verp, verpMail: mail('m1', 'mary@customer.test') }),
      [{ email: 'mary@customer.test', mail: 'm1', linkedBy: 'verp', note: /VERP/ }],
    ],
    [
      'with VERP, other recipients of the report are not linked',
      report([failed('other@x.test'), failed('mary@customer.test')]),
      facts({ verp, verpMail: mail('m1', 'mary@customer.test') }),
      [
        { email: 'other@x.test', mail: null, linkedBy: 'none', note: /not the recipient/ },
        { email: 'mary@customer.test', mail: 'm1', linkedBy: 'verp', note: /VERP/ },
      ],
    ],
    [
      'a token with a bad signature changes nothing, whatever the content says',
      report([failed('mary@customer.test')]),
      facts({ verp: { kind: 'invalid', token: 'bad' }, byMessageId: [mail('m1', 'mary@customer.test')] }),
      [
        {
          email: 'mary@customer.test',
          mail: null,
          linkedBy: 'none',
          note: /no valid signature: ignored as forged/,
        },
      ],
    ],
    [
      'a genuine token of a mail this database does not have links nothing',
      report([failed('mary@customer.test')]),
      facts({ verp, verpMail: null }),
      [{ email: 'mary@customer.test', mail: null, linkedBy: 'none', note: /does not have/ }],
    ],
    [
      'without VERP, the original Message-ID links the recipient among the mail’s recipients',
      report([failed('Joe@Customer.test')]),
      facts({ byMessageId: [mail('m1', 'mary@customer.test'), mail('m2', 'joe@customer.test')] }),
      [
        {
          email: 'joe@customer.test',
          mail: 'm2',
          linkedBy: 'message_id',
          note: /original Message-ID <orig@acme\.test>/,
        },
      ],
    ],
    [
      'a recipient the Message-ID’s mail was not sent to is forged',
      report([failed('stranger@evil.test')]),
      facts({
        byMessageId: [mail('m1', 'mary@customer.test')],
        byReferences: [mail('m3', 'stranger@evil.test')],
      }),
      [
        {
          email: 'stranger@evil.test',
          mail: null,
          linkedBy: 'none',
          note: /was not sent: ignored as forged/,
        },
      ],
    ],
    [
      'References are the last resort: the newest mail of the thread to that address',
      report([failed('mary@customer.test')], {
        originalMessageId: null,
        originalReferences: ['first@acme.test'],
      }),
      facts({ byReferences: [mail('m5', 'mary@customer.test'), mail('m4', 'mary@customer.test')] }),
      [{ email: 'mary@customer.test', mail: 'm5', linkedBy: 'references', note: /References/ }],
    ],
    [
      'a recipient never written to in the referenced threads is forged',
      report([failed('stranger@evil.test')], { originalReferences: ['first@acme.test'] }),
      facts({ byReferences: [mail('m5', 'mary@customer.test')] }),
      [{ email: 'stranger@evil.test', mail: null, linkedBy: 'none', note: /ignored as forged/ }],
    ],
    [
      'nothing names a mail of ours: kept unlinked',
      report([failed('mary@customer.test')]),
      facts({}),
      [
        {
          email: 'mary@customer.test',
          mail: null,
          linkedBy: 'none',
          note: /neither the original Message-ID nor/,
        },
      ],
    ],
    [
      'without VERP, a recipient without an address links nothing',
      report([failed(null)]),
      facts({ byMessageId: [mail('m1', 'mary@customer.test')] }),
      [{ email: '', mail: null, linkedBy: 'none', note: /names no recipient address/ }],
    ],
  ])('%s', (_, r, f, expected) => {
    const links = linkBounce(r, f);
    expect(
      links.map((l) => ({ email: l.email, mail: l.mail?.id ?? null, linkedBy: l.linkedBy, note: l.note })),
    ).toEqual(expected.map((e) => ({ ...e, note: expect.stringMatching(e.note) })));
  });

  it('keeps what the report said about each recipient', () => {
    const r = failed('mary@customer.test', { status: '4.2.2', reason: 'mailboxfull', hard: false });
    const [link] = linkBounce(report([r]), facts({ byMessageId: [mail('m1', 'mary@customer.test')] }));
    expect(link?.recipient).toBe(r);
  });
});
