// MIME writing for the inbound benchmark: the mail is written here byte by byte, in the charsets and
// transfer encodings real clients use, so the router meets what it meets in production (nodemailer
// would write everything as UTF-8).

export type Charset = 'us-ascii' | 'utf-8' | 'iso-8859-1' | 'windows-1252' | 'koi8-r' | 'shift_jis';
export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

/** A deterministic generator (mulberry32): the same seed gives the same 5,000 mails on every run. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (maxExclusive: number) => Math.floor(next() * maxExclusive),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) {
        throw new Error('pick from an empty list');
      }
      return item;
    },
    bytes: (n: number) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        out[i] = Math.floor(next() * 256);
      }
      return out;
    },
  };
}
export type Random = ReturnType<typeof seededRandom>;

// Encoding tables built from the platform's own decoders (WHATWG encodings in Node's ICU), reversed.
// Not windows-1252: Node decodes that label as ISO-8859-1, so its 0x80–0x9F row is written out here.
const encodeTables = new Map<Charset, Map<string, number[]>>();

function tableOf(charset: 'koi8-r' | 'shift_jis'): Map<string, number[]> {
  const cached = encodeTables.get(charset);
  if (cached) {
    return cached;
  }
  const decoder = new TextDecoder(charset, { fatal: true });
  const table = new Map<string, number[]>();
  const add = (bytes: number[]) => {
    try {
      const char = decoder.decode(Uint8Array.from(bytes));
      if (!table.has(char)) {
        table.set(char, bytes);
      }
    } catch {
      // Not a valid sequence in this charset.
    }
  };
  for (let b = 0; b < 0x80; b++) {
    add([b]);
  }
  if (charset === 'shift_jis') {
    for (let b = 0xa1; b <= 0xdf; b++) {
      add([b]);
    }
    for (const lead of [...range(0x81, 0x9f), ...range(0xe0, 0xfc)]) {
      for (const trail of [...range(0x40, 0x7e), ...range(0x80, 0xfc)]) {
        add([lead, trail]);
      }
    }
  } else {
    for (let b = 0x80; b <= 0xff; b++) {
      add([b]);
    }
  }
  encodeTables.set(charset, table);
  return table;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// 0x80–0x9F of windows-1252; '\0' where the code page defines nothing.
const WINDOWS_1252_80_9F = '€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ';

/** The text in a charset; a character the charset lacks becomes '?', as mail clients do. */
export function encodeText(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') {
    return Buffer.from(text, 'utf8');
  }
  if (charset === 'windows-1252') {
    return Buffer.from(
      Array.from(text, (c) => {
        const code = c.codePointAt(0) ?? 0x3f;
        const high = WINDOWS_1252_80_9F.indexOf(c);
        return high >= 0 ? 0x80 + high : code <= 0xff && (code < 0x80 || code > 0x9f) ? code : 0x3f;
      }),
    );
  }
  if (charset === 'us-ascii' || charset === 'iso-8859-1') {
    const limit = charset === 'us-ascii' ? 0x7f : 0xff;
    return Buffer.from(
      Array.from(text, (c) => {
        const code = c.codePointAt(0) ?? 0x3f;
        return code <= limit && (code < 0x80 || code > 0x9f) ? code : 0x3f;
      }),
    );
  }
  const table = tableOf(charset);
  return Buffer.from(Array.from(text).flatMap((c) => table.get(c) ?? [0x3f]));
}

/** Quoted-printable (RFC 2045 §6.7) with CRLF line ends and soft breaks at 76 characters. */
export function quotedPrintable(bytes: Buffer): string {
  const lines: string[] = [];
  let line = '';
  const push = (token: string) => {
    if (line.length + token.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(line);
      line = '';
      i++;
      continue;
    }
    const atLineEnd = i + 1 === bytes.length || bytes[i + 1] === 0x0d;
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !atLineEnd);
    push(literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  lines.push(line);
  return lines.join('\r\n');
}

export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** A header value as RFC 2047 encoded words when it is not plain ASCII. */
export function encodedWords(text: string, charset: Charset, mode: 'B' | 'Q'): string {
  if (/^[\x20-\x7e]*$/.test(text)) {
    return text;
  }
  // A client falls back to UTF-8 for what its charset cannot write (a French name in a KOI8-R mail).
  if (encodeText(text, charset).includes(0x3f) && !text.includes('?')) {
    return encodedWords(text, 'utf-8', mode);
  }
  // Whole characters per word (a multi-byte character must not be split), about 40 bytes each.
  const words: string[] = [];
  let chunk = '';
  for (const c of Array.from(text)) {
    if (encodeText(chunk + c, charset).length > 40) {
      words.push(chunk);
      chunk = '';
    }
    chunk += c;
  }
  words.push(chunk);
  return words
    .map((w) => {
      const bytes = encodeText(w, charset);
      const payload =
        mode === 'B'
          ? bytes.toString('base64')
          : Array.from(bytes, (b) =>
              b === 0x20
                ? '_'
                : (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
                  ? String.fromCharCode(b)
                  : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
            ).join('');
      return `=?${charset.toUpperCase()}?${mode}?${payload}?=`;
    })
    .join('\r\n ');
}

export type MimePart =
  | { kind: 'text'; subtype: 'plain' | 'html'; text: string; charset: Charset; encoding: TransferEncoding }
  | { kind: 'attachment'; contentType: string; filename: string; content: Buffer; inline?: boolean }
  | {
      kind: 'multipart';
      subtype: 'mixed' | 'alternative' | 'related' | 'report';
      parts: MimePart[];
      params?: string;
    }
  | { kind: 'raw'; headers: string[]; body: string };

/** A MIME entity: its headers and its body, with boundaries named after a counter (deterministic). */
export function writePart(part: MimePart, boundaryTag: string): { headers: string[]; body: string } {
  switch (part.kind) {
    case 'text': {
      const bytes = encodeText(part.text.replace(/\r?\n/g, '\r\n'), part.charset);
      const body =
        part.encoding === 'base64'
          ? base64Lines(bytes)
          : part.encoding === 'quoted-printable'
            ? quotedPrintable(bytes)
            : bytes.toString('latin1');
      return {
        headers: [
          `Content-Type: text/${part.subtype}; charset="${part.charset}"`,
          `Content-Transfer-Encoding: ${part.encoding}`,
        ],
        body,
      };
    }
    case 'attachment':
      return {
        headers: [
          `Content-Type: ${part.contentType}; name="${part.filename}"`,
          `Content-Disposition: ${part.inline ? 'inline' : 'attachment'}; filename="${part.filename}"`,
          'Content-Transfer-Encoding: base64',
        ],
        body: base64Lines(part.content),
      };
    case 'raw':
      return { headers: part.headers, body: part.body };
    case 'multipart': {
      const boundary = `----=_Part_${boundaryTag}`;
      const children = part.parts.map((child, i) => {
        const written = writePart(child, `${boundaryTag}_${i}`);
        return `--${boundary}\r\n${written.headers.join('\r\n')}\r\n\r\n${written.body}\r\n`;
      });
      return {
        headers: [`Content-Type: multipart/${part.subtype}; boundary="${boundary}"${part.params ?? ''}`],
        body: `This is a multi-part message in MIME format.\r\n\r\n${children.join('')}--${boundary}--\r\n`,
      };
    }
  }
}

/** The whole message as the bytes sent over SMTP. Header bytes above 0x7f stay raw (8-bit headers). */
export function writeMessage(headers: string[], body: MimePart, boundaryTag: string): Buffer {
  const written = writePart(body, boundaryTag);
  const text = `${[...headers, 'MIME-Version: 1.0', ...written.headers].join('\r\n')}\r\n\r\n${written.body}`;
  return Buffer.from(text, 'latin1');
}
