import { headerValues } from '@sotamail/mail-core';
import { describe, expect, it } from 'vitest';
import { envelopeRecipients, topHeaders } from './envelope-recipients.js';

const bounce = [
  'Return-Path: <>',
  'Delivered-To: bounce+tok1@acme.test',
  'X-Original-To: Bounce+TOK2@acme.test',
  'From: MAILER-DAEMON@mx.example (Mail Delivery System)',
  'To: "Bounces" <bounce+tok3@acme.test>,',
  '  other@acme.test',
  'Subject: Undelivered Mail Returned to Sender',
  '',
  'To: body+nope@acme.test',
  '',
].join('\r\n');

describe('topHeaders', () => {
  it('reads the top-level header section only, with folded lines joined', () => {
    const headers = topHeaders(Buffer.from(bounce));
    expect(headerValues(headers, 'to')).toEqual(['"Bounces" <bounce+tok3@acme.test>, other@acme.test']);
    expect(headerValues(headers, 'subject')).toEqual(['Undelivered Mail Returned to Sender']);
  });

  it('takes a mail without a body (no empty line) as all headers', () => {
    expect(headerValues(topHeaders('To: a@b.test\nSubject: x'), 'to')).toEqual(['a@b.test']);
  });

  it('survives bytes that are not UTF-8', () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('\r\nTo: a@b.test\r\n\r\n'),
    ]);
    expect(headerValues(topHeaders(raw), 'to')).toEqual(['a@b.test']);
  });
});

describe('envelopeRecipients', () => {
  it.each<[string, string[], string[]]>([
    [
      'envelope first, then Delivered-To, X-Original-To and every To address, without duplicates',
      ['bounce+tok1@acme.test'],
      [
        'bounce+tok1@acme.test',
        'Bounce+TOK2@acme.test',
        '"Bounces" <bounce+tok3@acme.test>',
        'other@acme.test',
      ],
    ],
    [
      'headers only when the envelope is unknown (a fetched mailbox)',
      [],
      [
        'bounce+tok1@acme.test',
        'Bounce+TOK2@acme.test',
        '"Bounces" <bounce+tok3@acme.test>',
        'other@acme.test',
      ],
    ],
  ])('%s', (_, envelopeTo, expected) => {
    expect(envelopeRecipients(Buffer.from(bounce), envelopeTo)).toEqual(expected);
  });
});
