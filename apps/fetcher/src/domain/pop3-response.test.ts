import { describe, expect, it } from 'vitest';
import {
  Pop3ProtocolError,
  Pop3ResponseReader,
  parseStat,
  parseStatusLine,
  parseUidlListing,
} from './pop3-response.js';

/** Feeds `wire` to a reader in chunks of `chunkSize` bytes and collects what it answers. */
function readAll(wire: string | Buffer, multiline: boolean[], chunkSize: number) {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const reader = new Pop3ResponseReader();
  const answers: { ok: boolean; text: string; body: string | null }[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    reader.push(bytes.subarray(at, at + chunkSize));
    for (;;) {
      const expectMultiline = multiline[answers.length];
      if (expectMultiline === undefined) {
        break;
      }
      const r = reader.read(expectMultiline);
      if (!r) {
        break;
      }
      answers.push({ ok: r.ok, text: r.text, body: r.body === null ? null : r.body.toString('latin1') });
    }
  }
  return { answers, rest: reader.buffered };
}

describe('parseStatusLine', () => {
  it.each([
    ['+OK Dovecot ready.', { ok: true, text: 'Dovecot ready.' }],
    ['+OK', { ok: true, text: '' }],
    ['-ERR [AUTH] Authentication failed.', { ok: false, text: '[AUTH] Authentication failed.' }],
    ['+ok lower case', { ok: true, text: 'lower case' }],
  ])('%s', (line, expected) => {
    expect(parseStatusLine(line)).toEqual(expected);
  });

  it.each(['* OK IMAP4rev1', '220 smtp.example ESMTP', '', '+OKAY'])('refuses %j as not POP3', (line) => {
    expect(() => parseStatusLine(line)).toThrow(Pop3ProtocolError);
  });
});

describe('Pop3ResponseReader', () => {
  it.each([
    {
      name: 'a single-line answer',
      wire: '+OK 2 320\r\n',
      multiline: [false],
      answers: [{ ok: true, text: '2 320', body: null }],
    },
    {
      name: 'a multi-line answer, body lines joined with CRLF',
      wire: '+OK 120 octets\r\nSubject: hi\r\n\r\nbody\r\n.\r\n',
      multiline: [true],
      answers: [{ ok: true, text: '120 octets', body: 'Subject: hi\r\n\r\nbody\r\n' }],
    },
    {
      name: 'dot-unstuffing: ".." starts a line with one dot, "..." with two',
      wire: '+OK\r\n..\r\n...end\r\n.not-stuffed\r\n.\r\n',
      multiline: [true],
      answers: [{ ok: true, text: '', body: '.\r\n..end\r\nnot-stuffed\r\n' }],
    },
    {
      name: 'an empty body',
      wire: '+OK 0 messages\r\n.\r\n',
      multiline: [true],
      answers: [{ ok: true, text: '0 messages', body: '' }],
    },
    {
      name: '-ERR to a multi-line command has no body',
      wire: '-ERR no such message\r\n+OK next\r\n',
      multiline: [true, false],
      answers: [
        { ok: false, text: 'no such message', body: null },
        { ok: true, text: 'next', body: null },
      ],
    },
    {
      name: 'bare LF line ends',
      wire: '+OK\nline\n.\n',
      multiline: [true],
      answers: [{ ok: true, text: '', body: 'line\r\n' }],
    },
    {
      name: 'a "." inside a line is content, and "." alone ends it',
      wire: '+OK\r\nend. \r\n .\r\n.\r\n',
      multiline: [true],
      answers: [{ ok: true, text: '', body: 'end. \r\n .\r\n' }],
    },
  ])('$name, in any chunking', ({ wire, multiline, answers }) => {
    for (const chunkSize of [1, 2, 3, 7, 1024]) {
      const result = readAll(wire, multiline, chunkSize);
      expect(result.answers, `chunks of ${chunkSize}`).toEqual(answers);
      expect(result.rest).toBe(0);
    }
  });

  it('keeps 8-bit bytes of the message as they were sent', () => {
    const body = Buffer.from([0x53, 0x3a, 0x20, 0xe9, 0xff, 0x00, 0x0d, 0x0a]);
    const wire = Buffer.concat([Buffer.from('+OK\r\n'), body, Buffer.from('.\r\n')]);
    const reader = new Pop3ResponseReader();
    reader.push(wire);
    expect(reader.read(true)?.body).toEqual(body);
  });

  it('waits for the terminating dot before answering', () => {
    const reader = new Pop3ResponseReader();
    reader.push(Buffer.from('+OK\r\nline\r\n'));
    expect(reader.read(true)).toBeNull();
    reader.push(Buffer.from('.\r\n'));
    expect(reader.read(true)?.body?.toString()).toBe('line\r\n');
  });

  it('refuses an endless line', () => {
    const reader = new Pop3ResponseReader();
    expect(() => reader.push(Buffer.alloc(5 * 1024 * 1024, 0x41))).toThrow(/longer than/);
  });
});

describe('parseStat and parseUidlListing', () => {
  it.each([
    ['2 320', { count: 2, octets: 320 }],
    ['0 0', { count: 0, octets: 0 }],
    ['5 1024 extra words', { count: 5, octets: 1024 }],
  ])('STAT %s', (text, expected) => {
    expect(parseStat(text)).toEqual(expected);
  });

  it('refuses a STAT answer without numbers', () => {
    expect(() => parseStat('mailbox locked')).toThrow(Pop3ProtocolError);
  });

  it.each([
    [
      '1 00000001abcd\r\n2 x-y.z@1\r\n',
      [
        { number: 1, uid: '00000001abcd' },
        { number: 2, uid: 'x-y.z@1' },
      ],
    ],
    ['', []],
    ['3  spaced  \r\n', [{ number: 3, uid: 'spaced' }]],
  ])('UIDL %j', (body, expected) => {
    expect(parseUidlListing(Buffer.from(body))).toEqual(expected);
  });

  it.each(['abc def\r\n', '1\r\n', `1 ${'x'.repeat(71)}\r\n`, '1 two words\r\n'])(
    'refuses the UIDL line %j',
    (body) => {
      expect(() => parseUidlListing(Buffer.from(body))).toThrow(Pop3ProtocolError);
    },
  );
});

describe('Pop3ResponseReader during AUTH (RFC 5034)', () => {
  it.each<[string, { ok: boolean; text: string; challenge?: boolean }]>([
    ['+ eyJzdGF0dXMiOiI0MDEifQ==\r\n', { ok: true, text: 'eyJzdGF0dXMiOiI0MDEifQ==', challenge: true }],
    ['+ \r\n', { ok: true, text: '', challenge: true }],
    ['+\r\n', { ok: true, text: '', challenge: true }],
    ['+OK Logged in.\r\n', { ok: true, text: 'Logged in.' }],
    ['-ERR [AUTH] Authentication failed.\r\n', { ok: false, text: '[AUTH] Authentication failed.' }],
  ])('reads %j', (wire, expected) => {
    const reader = new Pop3ResponseReader();
    reader.push(Buffer.from(wire));
    const answer = reader.read(false, true);
    expect(answer).toMatchObject({ ...expected, body: null });
    expect(answer?.challenge).toBe(expected.challenge);
  });

  it('does not take a challenge outside AUTH', () => {
    const reader = new Pop3ResponseReader();
    reader.push(Buffer.from('+ abc\r\n'));
    expect(() => reader.read(false)).toThrow(Pop3ProtocolError);
  });
});
