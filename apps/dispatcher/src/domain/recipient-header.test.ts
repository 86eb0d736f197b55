import { describe, expect, it } from 'vitest';
import { recipientHeader } from './recipient-header.js';

const decodeWords = (value: string) =>
  value
    .replace(/\?=\r\n /g, '?=')
    .replace(/\r\n /g, ' ')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b64: string) => `\u0000${b64}\u0000`)
    .split('\u0000')
    .map((part, i) => (i % 2 === 1 ? Buffer.from(part, 'base64').toString('utf8') : part))
    .join('');

describe('recipientHeader', () => {
  it.each([
    ['no name', { name: null, address: 'ada@example.com' }, 'To: ada@example.com\r\n'],
    ['an empty name', { name: '  ', address: 'ada@example.com' }, 'To: ada@example.com\r\n'],
    [
      'a plain name',
      { name: 'Ada Lovelace', address: 'ada@example.com' },
      'To: Ada Lovelace <ada@example.com>\r\n',
    ],
    [
      'a name with a comma (quoted)',
      { name: 'Lovelace, Ada', address: 'ada@example.com' },
      'To: "Lovelace, Ada" <ada@example.com>\r\n',
    ],
    [
      'quotes and backslashes (escaped)',
      { name: 'Ada "the first" \\ programmer', address: 'ada@example.com' },
      'To: "Ada \\"the first\\" \\\\ programmer" <ada@example.com>\r\n',
    ],
    [
      'a line break in the name (cannot add a header)',
      { name: 'Ada\r\nBcc: all@example.com', address: 'ada@example.com' },
      'To: "Ada Bcc: all@example.com" <ada@example.com>\r\n',
    ],
    [
      'what looks like an encoded word (quoted, so it is not decoded)',
      { name: '=?UTF-8?B?QWRh?=', address: 'ada@example.com' },
      'To: "=?UTF-8?B?QWRh?=" <ada@example.com>\r\n',
    ],
    [
      'a non-ASCII name',
      { name: 'José', address: 'jose@example.com' },
      'To: =?UTF-8?B?Sm9zw6k=?= <jose@example.com>\r\n',
    ],
  ])('%s', (_, recipient, expected) => {
    expect(recipientHeader(recipient)).toBe(expected);
  });

  it('encodes and folds a very long ASCII name rather than passing the line length limit', () => {
    const name = 'A'.repeat(1200);
    const header = recipientHeader({ name, address: 'a@example.com' });
    for (const line of header.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(78);
    }
    expect(decodeWords(header)).toBe(`To: ${name} <a@example.com>\r\n`);
  });

  it('splits a long non-ASCII name into encoded words of at most 75 characters, never inside a character', () => {
    const name = 'Ελληνικά ονόματα είναι μακριά και όμορφα, όπως αυτό εδώ 😀 τέλος';
    const header = recipientHeader({ name, address: 'x@example.gr' });
    const words = header.match(/=\?UTF-8\?B\?[^?]*\?=/g) ?? [];
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      // Each word decodes on its own to whole characters.
      const decoded = Buffer.from(word.slice(10, -2), 'base64').toString('utf8');
      expect(decoded).not.toContain('\uFFFD');
    }
    expect(decodeWords(header)).toBe(`To: ${name} <x@example.gr>\r\n`);
    // Folded lines stay short.
    for (const line of header.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(78);
    }
  });
});
