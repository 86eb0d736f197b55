/**
 * The bytes of a MIME body from its Content-Transfer-Encoding (RFC 2045 §6). `body` is the body as
 * read, one character per byte (Latin-1). 7bit, 8bit, binary and unknown encodings are taken as they
 * are: a report with a made-up encoding is still read rather than dropped.
 */
export function decodeTransferEncoding(body: string, encoding: string | null): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return Buffer.from(body, 'latin1');
  }
}

/** Quoted-printable to bytes: `=XX` escapes and soft line breaks (`=` at the end of a line). */
export function decodeQuotedPrintable(text: string): Buffer {
  const unfolded = text.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i += 1) {
    const c = unfolded.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(unfolded.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(unfolded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return Buffer.from(bytes);
}
