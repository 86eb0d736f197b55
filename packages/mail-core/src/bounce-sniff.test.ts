import { describe, expect, it } from 'vitest';
import { type BounceKind, type BounceSniffInput, looksLikeBounce } from './bounce-sniff.js';
import { headerMapFromLines } from './header-map.js';

const BOUNCE = 'bounce@mycompany.com';
const input = (lines: string[], extra: Omit<BounceSniffInput, 'headers'> = {}): BounceSniffInput => ({
  headers: headerMapFromLines(lines),
  bounceAddress: BOUNCE,
  ...extra,
});

type Case = [name: string, input: BounceSniffInput, kind: BounceKind | null, reasons: string[]];

const humanReply = [
  'Return-Path: <alice@example.org>',
  'From: Alice <alice@example.org>',
  'To: "Sales" <sales@mycompany.com>',
  'Cc: bob@example.org',
  'Subject: Re: Undeliverable parcel, can you resend?',
  'Content-Type: multipart/alternative; boundary="b1"',
];

const cases: Case[] = [
  // ----- Reports, by Content-Type.
  [
    'Postfix DSN',
    input([
      'Return-Path: <>',
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
      'To: bounce+a1b2c3@mycompany.com',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="ABC.1/mx.example.org"',
    ]),
    'dsn',
    [
      'Content-Type is multipart/report; report-type=delivery-status (RFC 3464)',
      'From is MAILER-DAEMON@mx.example.org',
      'null envelope sender (<>) and the Subject says "Undelivered"',
      'addressed to the VERP bounce address bounce+a1b2c3@mycompany.com',
    ],
  ],
  [
    'Gmail DSN (Mail Delivery Subsystem), report-type quoted and in capitals',
    input(['From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>'], {
      contentType: 'multipart/report; report-type="Delivery-Status"; boundary="x"',
      envelopeFrom: 'x@example.org',
      recipients: [],
    }),
    'dsn',
    [
      'Content-Type is multipart/report; report-type=delivery-status (RFC 3464)',
      'From is mailer-daemon@googlemail.com',
    ],
  ],
  [
    'ARF abuse report',
    input([
      'From: <staff@hotmail.com>',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
    ]),
    'arf',
    ['Content-Type is multipart/report; report-type=feedback-report (RFC 5965)'],
  ],
  [
    'multipart/report without a report-type',
    input(['From: abuse@isp.example', 'Content-Type: multipart/report; boundary="b"']),
    'non-standard',
    ['Content-Type is multipart/report without a report-type'],
  ],
  [
    'multipart/report without a report-type, with a feedback-report part: arf',
    input(['From: abuse@isp.example', 'Content-Type: multipart/report; boundary="b"'], {
      partContentTypes: ['text/plain', 'message/feedback-report', 'message/rfc822'],
    }),
    'arf',
    ['Content-Type is multipart/report without a report-type', 'a message/feedback-report part is present'],
  ],
  [
    'a delivery-status part inside multipart/mixed',
    input(['From: notices@relay.example', 'Content-Type: multipart/mixed; boundary="b"'], {
      partContentTypes: ['text/plain', 'Message/Delivery-Status'],
    }),
    'dsn',
    ['a message/delivery-status part is present'],
  ],
  // ----- Non-standard bounces, by sender.
  [
    'qmail failure notice',
    input([
      'Return-Path: <>',
      'From: MAILER-DAEMON@mail.example.net',
      'Subject: failure notice',
      'Content-Type: text/plain',
    ]),
    'non-standard',
    [
      'From is MAILER-DAEMON@mail.example.net',
      'null envelope sender (<>) and the Subject says "failure notice"',
    ],
  ],
  [
    'Exchange NDR from postmaster',
    input(['From: postmaster@contoso.onmicrosoft.com', 'Subject: Undeliverable: Your order']),
    'non-standard',
    ['From is postmaster@contoso.onmicrosoft.com'],
  ],
  [
    'From is a bare MAILER-DAEMON (local Sendmail)',
    input(['From: MAILER-DAEMON (Mail Delivery Subsystem)']),
    'non-standard',
    ['From is MAILER-DAEMON'],
  ],
  [
    'only the display name says Mail Delivery System',
    input(['From: "Mail Delivery System" <notify@mx.example.net>']),
    'non-standard',
    ['From is "Mail Delivery System"'],
  ],
  [
    'envelope sender MAILER-DAEMON, From something else',
    input(['From: Postmaster Team <team@example.net>'], { envelopeFrom: 'MAILER-DAEMON@mx.example.net' }),
    'non-standard',
    ['the envelope sender is MAILER-DAEMON@mx.example.net'],
  ],
  [
    'null sender and a German failure subject',
    input(['From: "Systemverwaltung" <admin@example.de>', 'Subject: Unzustellbar: Ihre Bestellung'], {
      envelopeFrom: '',
    }),
    'non-standard',
    ['null envelope sender (<>) and the Subject says "Unzustellbar"'],
  ],
  [
    'null sender and Delivery Status Notification (Failure) as a decoded subject',
    input(['Return-Path: <>', 'Subject: =?UTF-8?Q?x?='], {
      subject: 'Delivery Status Notification (Failure)',
    }),
    'non-standard',
    ['null envelope sender (<>) and the Subject says "Delivery Status Notification"'],
  ],
  // ----- To the bounce address.
  [
    'to the bounce address itself',
    input(['From: someone@example.org', 'To: <BOUNCE@MyCompany.com>', 'Subject: hello']),
    'non-standard',
    ['addressed to the bounce address BOUNCE@MyCompany.com'],
  ],
  [
    'to the VERP address, given as recipients (Delivered-To of the envelope)',
    input(['From: someone@example.org', 'To: sales@mycompany.com'], {
      recipients: ['sales@mycompany.com', '"Bounces" <Bounce+Tok3n@mycompany.com>'],
    }),
    'non-standard',
    ['addressed to the VERP bounce address Bounce+Tok3n@mycompany.com'],
  ],
  [
    'to the VERP address through Delivered-To',
    input(['From: someone@example.org', 'To: list@example.org', 'Delivered-To: bounce+abc@mycompany.com']),
    'non-standard',
    ['addressed to the VERP bounce address bounce+abc@mycompany.com'],
  ],
  // ----- Not bounces.
  ['a plain human reply (with "Undeliverable" in its subject)', input(humanReply), null, []],
  [
    'a human reply from Gmail, Content-Type from the caller',
    input(humanReply, { contentType: 'text/plain; charset=UTF-8', from: 'Bob <bob@gmail.com>' }),
    null,
    [],
  ],
  [
    'a vacation reply with a null sender (not a failure subject)',
    input([
      'Return-Path: <>',
      'From: alice@example.org',
      'Auto-Submitted: auto-replied',
      'Subject: Out of office',
    ]),
    null,
    [],
  ],
  [
    'a failure subject without the null sender',
    input([
      'Return-Path: <alice@example.org>',
      'From: alice@example.org',
      'Subject: Returned mail: see transcript',
    ]),
    null,
    [],
  ],
  [
    'a read receipt (disposition-notification) is not a bounce',
    input([
      'From: alice@example.org',
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"',
    ]),
    null,
    [],
  ],
  [
    'a local part that only resembles the bounce alias, and another domain',
    input([
      'From: a@example.org',
      'To: bouncer+abc@mycompany.com, bounce@other.example, bounce+@mycompany.com',
    ]),
    null,
    [],
  ],
  [
    'the bounce address is ignored when not configured',
    input(['From: a@example.org', 'To: bounce@mycompany.com'], { bounceAddress: null }),
    null,
    [],
  ],
  [
    'a human named "Postmaster General" is not a daemon',
    input(['From: "Postmaster General" <pg@usps.example>']),
    null,
    [],
  ],
  ['no headers at all', input([]), null, []],
];

describe('looksLikeBounce', () => {
  it.each(cases)('%s', (_, sniffInput, kind, reasons) => {
    expect(looksLikeBounce(sniffInput)).toEqual({ bounce: kind !== null, kind, reasons });
  });
});
