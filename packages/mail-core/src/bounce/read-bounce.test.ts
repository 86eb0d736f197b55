import { describe, expect, it } from 'vitest';
import type { BounceReport } from './bounce-report.js';
import { readBounce } from './read-bounce.js';

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

const postfixDsn = crlf(`Return-Path: <>
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: bounce+a1b2@mycompany.com
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="ABC.1/mx.example.org"

--ABC.1/mx.example.org
Content-Type: text/plain; charset=us-ascii

<nobody@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
    <nobody@example.org>: Recipient address rejected: User unknown in local
    recipient table (in reply to RCPT TO command)

--ABC.1/mx.example.org
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; nobody@example.org
Original-Recipient: rfc822;nobody@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address
    rejected: User unknown in local recipient table

--ABC.1/mx.example.org
Content-Type: text/rfc822-headers

From: "Sales" <notifications@mycompany.com>
To: nobody@example.org
Message-ID:
 <outgoing-42@mycompany.com>
References: <thread-1@mycompany.com> <outgoing-41@mycompany.com>

--ABC.1/mx.example.org--
`);

const eximText = crlf(`Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: notifications@mycompany.com
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: full@example.net
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  full@example.net
    SMTP error from remote mail server after RCPT TO:<full@example.net>:
    host mx.example.net [192.0.2.9]: 552 5.2.2 Mailbox is full

------ This is a copy of the message, including all the headers. ------

Message-Id: <outgoing-7@mycompany.com>
From: notifications@mycompany.com
To: full@example.net
Subject: Your invoice

Hello
`);

const qmailText = crlf(`Return-Path: <>
From: MAILER-DAEMON@example.jp
To: notifications@mycompany.com
Subject: failure notice

Hi. This is the qmail-send program at example.jp.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<gone@example.jp>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Message-ID: <outgoing-8@mycompany.com>
To: gone@example.jp
`);

const delayedGmail = crlf(`From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: notifications@mycompany.com
Subject: Delivery Status Notification (Delay)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="b1"; report-type=delivery-status

--b1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Delivery to the following recipient has been delayed:

     slow@example.com

Message will be retried for 2 more day(s)
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com

Final-Recipient: rfc822; slow@example.com
Action: delayed
Status: 4.4.1
Diagnostic-Code: smtp; 421 4.4.1 Connection timed out

--b1--
`);

const arf = crlf(`From: <staff@feedback.example.net>
To: abuse@mycompany.com
Subject: FW: Earn money
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="part1"

--part1
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message received from IP 192.0.2.1.
--part1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Rcpt-To: <complainer@example.net>

--part1
Content-Type: message/rfc822

From: notifications@mycompany.com
To: complainer@example.net
Message-ID: <outgoing-9@mycompany.com>
Subject: Newsletter

Hi
--part1--
`);

const successDsn = crlf(`From: MAILER-DAEMON@mx.example.org
To: notifications@mycompany.com
Subject: Successful Mail Delivery Report
Content-Type: multipart/report; report-type=delivery-status; boundary="b2"

--b2
Content-Type: text/plain

Your message was successfully delivered to the destination(s) listed below.
--b2
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; happy@example.org
Action: delivered
Status: 2.0.0
--b2--
`);

const vacation = crlf(`Return-Path: <>
From: Alice <alice@example.org>
To: bounce+a1b2@mycompany.com
Subject: =?UTF-8?Q?R=C3=A9ponse_automatique=C2=A0:_Your_order?=
Auto-Submitted: auto-replied (vacation)
Content-Type: text/plain; charset=UTF-8

I am away until Monday and could not be reached.
`);

const ordinary = crlf(`Return-Path: <bob@example.org>
From: Bob <bob@example.org>
To: sales@mycompany.com
Subject: Re: The parcel was undeliverable, can you resend?
Message-ID: <human-1@example.org>

The courier says the parcel could not be delivered. Please resend.
`);

// A DSN whose delivery-status part is base64 and whose Japanese text is ISO-2022-JP, as Japanese
// providers send them.
const deliveryStatus = Buffer.from(
  'Reporting-MTA: dns; mx.example.jp\r\n\r\nFinal-Recipient: rfc822; taro@example.jp\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n',
).toString('base64');
const japaneseText = new Uint8Array([
  0x1b, 0x24, 0x42, 0x25, 0x61, 0x21, 0x3c, 0x25, 0x6b, 0x1b, 0x28, 0x42, 0x0d, 0x0a,
]); // "メール" in ISO-2022-JP
const encoded = Buffer.concat([
  Buffer.from(
    crlf(`From: =?ISO-2022-JP?B?GyRCJWEhPCVrGyhC?= <MAILER-DAEMON@example.jp>
To: notifications@mycompany.com
Subject: =?ISO-2022-JP?B?GyRCJWEhPCVrGyhC?=
Content-Type: multipart/report; report-type=delivery-status; boundary="jp"

--jp
Content-Type: text/plain; charset=ISO-2022-JP

`),
  ),
  japaneseText,
  Buffer.from(
    crlf(`--jp
Content-Type: message/delivery-status
Content-Transfer-Encoding: base64

${deliveryStatus}
--jp--
`),
  ),
]);

const sesJson = crlf(`From: no-reply@sns.amazonaws.com
To: ops@mycompany.com
Subject: AWS Notification Message
Content-Type: text/plain; charset=UTF-8

{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"nobody@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}}
`);

type Case = [name: string, raw: string | Buffer, expected: Partial<BounceReport> | null];

const cases: Case[] = [
  [
    'a Postfix DSN',
    postfixDsn,
    {
      kind: 'dsn',
      recipients: [
        {
          address: 'nobody@example.org',
          status: '5.1.1',
          hard: true,
          reason: 'userunknown',
          diagnostic:
            '550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table',
          action: 'failed',
        },
      ],
      originalMessageId: 'outgoing-42@mycompany.com',
      originalReferences: ['thread-1@mycompany.com', 'outgoing-41@mycompany.com'],
    },
  ],
  [
    'an Exim text bounce',
    eximText,
    {
      kind: 'non-standard',
      recipients: [
        {
          address: 'full@example.net',
          status: '5.2.2',
          hard: false,
          reason: 'mailboxfull',
          diagnostic:
            'full@example.net SMTP error from remote mail server after RCPT TO:<full@example.net>: host mx.example.net [192.0.2.9]: 552 5.2.2 Mailbox is full',
          action: 'failed',
        },
      ],
      originalMessageId: 'outgoing-7@mycompany.com',
    },
  ],
  [
    'a qmail text bounce',
    qmailText,
    {
      kind: 'non-standard',
      recipients: [
        expect.objectContaining({
          address: 'gone@example.jp',
          status: '5.1.1',
          reason: 'userunknown',
          hard: true,
        }),
      ],
      originalMessageId: 'outgoing-8@mycompany.com',
    },
  ],
  [
    'a delayed DSN (a soft bounce)',
    delayedGmail,
    {
      kind: 'dsn',
      recipients: [
        expect.objectContaining({
          address: 'slow@example.com',
          status: '4.4.1',
          hard: false,
          reason: 'expired',
          action: 'delayed',
        }),
      ],
      originalMessageId: null,
    },
  ],
  [
    'an ARF feedback report',
    arf,
    {
      kind: 'arf',
      recipients: [
        {
          address: 'complainer@example.net',
          status: null,
          hard: false,
          reason: 'feedback',
          diagnostic: 'abuse',
          action: null,
        },
      ],
      originalMessageId: 'outgoing-9@mycompany.com',
    },
  ],
  [
    'a base64 delivery-status part beside ISO-2022-JP text',
    encoded,
    {
      kind: 'dsn',
      recipients: [
        expect.objectContaining({ address: 'taro@example.jp', status: '5.2.2', reason: 'mailboxfull' }),
      ],
    },
  ],
  [
    'an Amazon SES bounce notification (JSON)',
    sesJson,
    {
      kind: 'non-standard',
      recipients: [
        expect.objectContaining({
          address: 'nobody@example.com',
          status: '5.1.1',
          reason: 'userunknown',
          hard: true,
        }),
      ],
    },
  ],
  ['a delivery-success DSN', successDsn, null],
  ['a vacation reply, even one saying "could not be reached"', vacation, null],
  ['an ordinary mail about an undeliverable parcel', ordinary, null],
  ['an empty input', '', null],
  ['binary junk', Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0]), null],
];

describe('readBounce', () => {
  it.each(cases)('%s', (_name, raw, expected) => {
    const report = readBounce(raw);
    if (expected === null) {
      expect(report).toBeNull();
    } else {
      expect(report).toMatchObject(expected);
    }
  });

  it('reads a report given as a string and as bytes alike', () => {
    expect(readBounce(postfixDsn)).toEqual(readBounce(Buffer.from(postfixDsn)));
  });

  it('keeps a report cut off before its closing boundary', () => {
    const cut = postfixDsn.slice(
      0,
      postfixDsn.indexOf('--ABC.1/mx.example.org\r\nContent-Type: text/rfc822-headers'),
    );
    expect(readBounce(cut)?.recipients).toEqual([
      expect.objectContaining({ address: 'nobody@example.org', reason: 'userunknown' }),
    ]);
  });
});
