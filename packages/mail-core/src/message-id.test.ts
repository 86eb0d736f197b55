import { describe, expect, it } from 'vitest';
import { formatMessageId, parseMessageIdList, stripMessageId } from './message-id.js';

describe('formatMessageId', () => {
  it.each([
    [
      '0f8e6a2c-5b1d-4c3e-9a7f-123456789abc',
      'example.com',
      '<0f8e6a2c-5b1d-4c3e-9a7f-123456789abc@example.com>',
    ],
    [
      '1700000000.123456-sotamail-42-crm.lead',
      'mail.example.co.uk',
      '<1700000000.123456-sotamail-42-crm.lead@mail.example.co.uk>',
    ],
    ["a!#$%&'*+/=?^_`{|}~-z", 'localhost', "<a!#$%&'*+/=?^_`{|}~-z@localhost>"],
    ['abc', 'éxample.com', '<abc@éxample.com>'],
  ])('%s at %s → %s', (unique, domain, expected) => {
    expect(formatMessageId(unique, domain)).toBe(expected);
  });

  it.each([
    ['an empty unique part', '', 'example.com'],
    ['an empty domain', 'abc', ''],
    ['a space', 'a b', 'example.com'],
    ['a line break (header injection)', 'abc\r\nBcc: x@y.com', 'example.com'],
    ['a line break in the domain', 'abc', 'example.com\r\nBcc: x@y.com'],
    ['an @ in the unique part', 'a@b', 'example.com'],
    ['brackets', '<abc>', 'example.com'],
    ['a leading dot', '.abc', 'example.com'],
    ['a trailing dot', 'abc', 'example.com.'],
    ['a doubled dot', 'a..b', 'example.com'],
    ['a quote', '"abc"', 'example.com'],
    ['a domain literal', 'abc', '[127.0.0.1]'],
  ])('throws a TypeError for %s', (_label, unique, domain) => {
    expect(() => formatMessageId(unique, domain)).toThrow(TypeError);
  });
});

describe('stripMessageId', () => {
  it.each([
    ['<abc@example.com>', 'abc@example.com'],
    ['abc@example.com', 'abc@example.com'],
    ['  <abc@example.com>  ', 'abc@example.com'],
    ['<abc@example.com>\r\n', 'abc@example.com'],
    ['<abc@\r\n example.com>', 'abc@example.com'],
    ['\t< abc@example.com >', 'abc@example.com'],
    ['<abc@example.com', 'abc@example.com'],
    ['abc@example.com>', 'abc@example.com'],
    // Case is kept: the left part of an id is case-sensitive.
    ['<CAFx+Y=Z@Mail.Gmail.com>', 'CAFx+Y=Z@Mail.Gmail.com'],
    ['<1234567890>', '1234567890'],
    ['<>', ''],
    ['<', ''],
    ['>', ''],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (value, expected) => {
    expect(stripMessageId(value)).toBe(expected);
  });

  it('undoes formatMessageId', () => {
    expect(stripMessageId(formatMessageId('u-1', 'example.com'))).toBe('u-1@example.com');
  });
});

describe('parseMessageIdList', () => {
  it.each<[string, string, string[]]>([
    ['one id', '<a@x.com>', ['a@x.com']],
    ['several, space separated', '<a@x.com> <b@y.com> <c@z.com>', ['a@x.com', 'b@y.com', 'c@z.com']],
    ['no separator', '<a@x.com><b@y.com>', ['a@x.com', 'b@y.com']],
    ['comma separated', '<a@x.com>, <b@y.com>,<c@z.com>', ['a@x.com', 'b@y.com', 'c@z.com']],
    ['folded', '<a@x.com>\r\n <b@y.com>\r\n\t<c@z.com>', ['a@x.com', 'b@y.com', 'c@z.com']],
    ['folded inside an id', '<a@\r\n x.com>', ['a@x.com']],
    ['order kept, duplicates dropped', '<b@y.com> <a@x.com> <b@y.com> <a@x.com>', ['b@y.com', 'a@x.com']],
    ['case kept and significant', '<A@x.com> <a@x.com>', ['A@x.com', 'a@x.com']],
    ['comments skipped', '<a@x.com> (the parent) <b@y.com>', ['a@x.com', 'b@y.com']],
    ['ids in comments skipped', '(was <old@x.com>) <a@x.com>', ['a@x.com']],
    ['nested comments', '((x) <old@x.com>) <a@x.com>', ['a@x.com']],
    ['escapes in comments', '(a \\) <old@x.com>) <a@x.com>', ['a@x.com']],
    ['unclosed comment is junk', '<a@x.com> (broken <b@y.com>', ['a@x.com', 'b@y.com']],
    [
      'old In-Reply-To phrase',
      'Your message of "Mon, 01 Jan 2001 10:00:00 +0100" <1234.5678@host.example>',
      ['1234.5678@host.example'],
    ],
    ['quoted strings skipped', '"John <john@x.com>" <a@x.com>', ['a@x.com']],
    ['unclosed quote is junk', 'Bob\'s "message <a@x.com>', ['a@x.com']],
    [
      'an email address outside brackets is not an id when ids exist',
      "john@x.com's message <a@x.com>",
      ['a@x.com'],
    ],
    ['doubled brackets', '<<a@x.com>>', ['a@x.com']],
    ['stray < before an id', '< junk <a@x.com>', ['a@x.com']],
    ['id without @ kept', '<1234567890> <a@x.com>', ['1234567890', 'a@x.com']],
    ['empty brackets dropped', '<> <a@x.com>', ['a@x.com']],
    ['unclosed id at the end dropped', '<a@x.com> <b@y.c', ['a@x.com']],
    [
      'Gmail and Outlook ids',
      '<CAB=x+Y_z@mail.gmail.com>\r\n <AM0PR01MB1234.eurprd01.prod.exchangelabs.com>',
      ['CAB=x+Y_z@mail.gmail.com', 'AM0PR01MB1234.eurprd01.prod.exchangelabs.com'],
    ],
    ['bare ids when there are no brackets', 'a@x.com b@y.com, a@x.com', ['a@x.com', 'b@y.com']],
    ['bare words without @ ignored', 'junk a@x.com more junk', ['a@x.com']],
    ['bare ids: comments still skipped', 'a@x.com (c@z.com) b@y.com', ['a@x.com', 'b@y.com']],
    ['empty', '', []],
    ['whitespace', ' \r\n ', []],
    ['junk only', 'no ids here', []],
    ['only a comment', '(<a@x.com>)', []],
  ])('%s', (_label, header, expected) => {
    expect(parseMessageIdList(header)).toEqual(expected);
  });

  it('reads back what formatMessageId wrote', () => {
    const ids = [formatMessageId('u-1', 'example.com'), formatMessageId('u-2', 'example.com')];
    expect(parseMessageIdList(ids.join('\r\n '))).toEqual(['u-1@example.com', 'u-2@example.com']);
  });
});
