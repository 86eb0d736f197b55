// The To header of one recipient, added in front of a message rendered once for all its recipients
// (mime-render.ts). RFC 5322 display names, RFC 2047 encoded words for non-ASCII names.

const atomPhrase = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const printableAscii = /^[\x20-\x7e]*$/;
// An encoded word is at most 75 characters: `=?UTF-8?B?` and `?=` leave 63 for base64, i.e. 45 bytes.
const maxWordBytes = 45;

/** Splits a name into UTF-8 pieces of at most `maxWordBytes`, never inside a character. */
function utf8Pieces(name: string): Buffer[] {
  const pieces: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const char of name) {
    const bytes = Buffer.from(char, 'utf8');
    if (size + bytes.length > maxWordBytes) {
      pieces.push(Buffer.concat(current));
      current = [];
      size = 0;
    }
    current.push(bytes);
    size += bytes.length;
  }
  if (size > 0) {
    pieces.push(Buffer.concat(current));
  }
  return pieces;
}

// Longer names are encoded and folded like non-ASCII ones, so no line passes RFC 5322's limit.
const maxPlainName = 200;

function displayName(name: string): string {
  // `=?` would read as the start of an encoded word: such a name is quoted.
  if (name.length <= maxPlainName && atomPhrase.test(name) && !name.includes('=?')) {
    return name;
  }
  if (name.length <= maxPlainName && printableAscii.test(name)) {
    return `"${name.replace(/["\\]/g, '\\$&')}"`;
  }
  // Folded between the words: a decoder joins adjacent encoded words without the space.
  return utf8Pieces(name)
    .map((piece) => `=?UTF-8?B?${piece.toString('base64')}?=`)
    .join('\r\n ');
}

/**
 * `To: Name <address>\r\n` for one recipient. Line breaks in the name (never legitimate there) are
 * dropped, so no recipient name can add a header; `address` must already be a valid address (the
 * adapter converts an international domain to its ASCII form).
 */
export function recipientHeader(recipient: { name: string | null; address: string }): string {
  const name = (recipient.name ?? '').replace(/[\r\n]+/g, ' ').trim();
  const address = recipient.address.replace(/[\r\n<>]/g, '');
  if (name === '') {
    return `To: ${address}\r\n`;
  }
  const phrase = `To: ${displayName(name)}`;
  const lastLine = phrase.slice(phrase.lastIndexOf('\n') + 1);
  // Folded before the address when the line would pass the 78 characters RFC 5322 asks for.
  const gap = lastLine.length + address.length + 3 > 78 ? '\r\n ' : ' ';
  return `${phrase}${gap}<${address}>\r\n`;
}
