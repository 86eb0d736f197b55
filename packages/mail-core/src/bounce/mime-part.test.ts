import { describe, expect, it } from 'vitest';
import { decodeCharset } from './charset.js';
import { decodeEncodedWords } from './encoded-words.js';
import { allParts, parseMime } from './mime-part.js';
import { decodeQuotedPrintable, decodeTransferEncoding } from './transfer-encoding.js';

describe('decodeEncodedWords', () => {
  it.each([
    ['=?UTF-8?Q?R=C3=A9ponse_automatique?=', 'Réponse automatique'],
    ['=?ISO-2022-JP?B?GyRCJWEhPCVrGyhC?=', 'メール'],
    ['=?iso-8859-1?q?Unzustellbar=3A?= =?iso-8859-1?q?_Best=E4tigung?=', 'Unzustellbar: Bestätigung'],
    ['=?x-no-such-charset?B?aGVsbG8=?=', 'hello'],
    ['plain text', 'plain text'],
    ['=?broken', '=?broken'],
  ])('%s → %s', (value, decoded) => {
    expect(decodeEncodedWords(value)).toBe(decoded);
  });
});

describe('transfer encodings and charsets', () => {
  it('undoes quoted-printable escapes and soft line breaks', () => {
    expect(decodeQuotedPrintable('caf=C3=A9 au=\r\n lait=3D').toString('utf8')).toBe('café au lait=');
  });

  it('decodes base64 with line breaks, and takes unknown encodings as they are', () => {
    expect(decodeTransferEncoding('aGVs\r\nbG8=', 'base64').toString()).toBe('hello');
    expect(decodeTransferEncoding('as is', 'x-made-up').toString()).toBe('as is');
  });

  it('falls back to UTF-8, then Latin-1, when the declared charset is wrong or unknown', () => {
    expect(decodeCharset(Buffer.from('é', 'utf8'), 'x-unknown')).toBe('é');
    expect(decodeCharset(Buffer.from([0xe9]), 'utf-8')).toBe('é');
    expect(decodeCharset(Buffer.from([0x82, 0xa0]), 'shift_jis')).toBe('あ');
  });
});

describe('parseMime', () => {
  it('walks multiparts and enclosed messages', () => {
    const root = parseMime(
      [
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'caf=C3=A9',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        'Message-ID: <inner@example.org>',
        'Subject: inner',
        '',
        'body',
        '--outer--',
      ].join('\r\n'),
    );
    expect(allParts(root).map((part) => part.mediaType)).toEqual([
      'multipart/mixed',
      'text/plain',
      'message/rfc822',
      'text/plain',
    ]);
    expect(root.children[0]?.text).toBe('café');
    expect(root.children[1]?.children[0]?.headers.get('message-id')).toEqual(['<inner@example.org>']);
  });

  it('reads a multipart whose boundary never occurs as text, and skips an mbox From line', () => {
    const root = parseMime(
      'From MAILER-DAEMON Mon Jan 1 00:00:00 2024\nContent-Type: multipart/report; boundary="x"\n\nplain words\n',
    );
    expect(root.mediaType).toBe('text/plain');
    expect(root.text).toBe('plain words\n');
  });
});
