import { decodeCharset } from './charset.js';
import { decodeQuotedPrintable } from './transfer-encoding.js';

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
// White space between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
const BETWEEN_WORDS = /(\?=)\s+(?==\?)/g;

/**
 * A header value with its RFC 2047 encoded words (`=?ISO-2022-JP?B?…?=`) decoded. Words in a charset
 * nobody knows, or malformed ones, are left as written.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) {
    return value;
  }
  return value.replace(BETWEEN_WORDS, '$1').replace(ENCODED_WORD, (_word, charset: string, mode, data) => {
    // RFC 2231 allows a language after the charset: `=?utf-8*en?Q?…?=`.
    const name = charset.split('*')[0] ?? charset;
    const bytes =
      mode.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : decodeQuotedPrintable(data.replace(/_/g, ' '));
    return decodeCharset(bytes, name);
  });
}
