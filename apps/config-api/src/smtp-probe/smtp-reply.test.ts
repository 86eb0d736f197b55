import { describe, expect, it } from 'vitest';
import { formatReply, parseEhloCapabilities, SmtpReplyParser } from './smtp-reply.js';

function parse(...chunks: string[]) {
  const parser = new SmtpReplyParser();
  for (const chunk of chunks) {
    parser.push(Buffer.from(chunk, 'latin1'));
  }
  const replies = [];
  for (let reply = parser.shift(); reply; reply = parser.shift()) {
    replies.push(reply);
  }
  return { replies, invalid: parser.invalid, buffered: parser.hasBufferedData };
}

describe('SmtpReplyParser', () => {
  it.each([
    ['a one-line reply', ['220 mx.example ESMTP\r\n'], [{ code: 220, lines: ['mx.example ESMTP'] }]],
    ['a bare LF line end', ['250 ok\n'], [{ code: 250, lines: ['ok'] }]],
    ['a code without text', ['250\r\n'], [{ code: 250, lines: [''] }]],
    [
      'a multi-line reply split across chunks',
      ['250-mx.example\r\n250-PIPE', 'LINING\r\n250 AUTH PLAIN\r\n'],
      [{ code: 250, lines: ['mx.example', 'PIPELINING', 'AUTH PLAIN'] }],
    ],
    [
      'two replies in one chunk',
      ['250 ok\r\n354 go ahead\r\n'],
      [
        { code: 250, lines: ['ok'] },
        { code: 354, lines: ['go ahead'] },
      ],
    ],
  ])('parses %s', (_name, chunks, expected) => {
    const { replies, invalid, buffered } = parse(...chunks);
    expect(replies).toEqual(expected);
    expect(invalid).toBeNull();
    expect(buffered).toBe(false);
  });

  it('waits for the end of an incomplete reply', () => {
    const { replies, buffered } = parse('250-first\r\n250 la');
    expect(replies).toEqual([]);
    expect(buffered).toBe(true);
  });

  it.each([
    ['a TLS alert', '\x15\x03\x01\x00\x02\x02\x46', true],
    ['a TLS handshake', '\x16\x03\x03\x00\x7a\x02', true],
    ['an HTTP response', 'HTTP/1.1 400 Bad Request\r\n', false],
    ['a line with a bad separator', '220_hello\r\n', false],
  ])('flags %s as not SMTP', (_name, bytes, looksLikeTls) => {
    const { replies, invalid } = parse(bytes);
    expect(replies).toEqual([]);
    expect(invalid?.looksLikeTls).toBe(looksLikeTls);
    expect(invalid?.sample).toMatch(/^[ -~\xa0-\xff]*$/);
  });

  it('gives up on a very long line without a line end', () => {
    expect(parse(`220 ${'x'.repeat(5000)}`).invalid).not.toBeNull();
  });
});

describe('formatReply', () => {
  it('joins lines and strips control characters', () => {
    expect(formatReply({ code: 550, lines: ['5.1.0 Sender', 'rejected\x07 here'] })).toBe(
      '550 5.1.0 Sender rejected here',
    );
  });

  it('truncates long replies', () => {
    const text = formatReply({ code: 550, lines: ['x'.repeat(500)] }, 50);
    expect(text).toHaveLength(50);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('parseEhloCapabilities', () => {
  it('reads keywords and AUTH mechanisms, old AUTH= form included', () => {
    const capabilities = parseEhloCapabilities({
      code: 250,
      lines: [
        'mx.example greets you',
        'PIPELINING',
        'starttls',
        'AUTH PLAIN LOGIN',
        'AUTH=LOGIN XOAUTH2',
        'SIZE 1000',
      ],
    });
    expect([...capabilities.keywords]).toEqual(['PIPELINING', 'STARTTLS', 'AUTH', 'SIZE']);
    expect(capabilities.authMechanisms).toEqual(['PLAIN', 'LOGIN', 'XOAUTH2']);
  });

  it('treats the greeting line as no capability and HELO as none at all', () => {
    expect(parseEhloCapabilities({ code: 250, lines: ['STARTTLS'] }).keywords.size).toBe(0);
    expect(parseEhloCapabilities(null).authMechanisms).toEqual([]);
  });
});
