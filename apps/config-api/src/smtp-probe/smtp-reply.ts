/** One SMTP reply: its three-digit code and the text of each line, without the code prefix. */
export type SmtpReply = { code: number; lines: string[] };

/** Bytes that are not an SMTP reply, as seen at the start of a line. */
export type InvalidReplyData = {
  /** The first bytes, printable characters only, for a diagnosis. */
  sample: string;
  /** A TLS record (handshake or alert) starts with 0x15/0x16 then 0x03: the peer speaks TLS. */
  looksLikeTls: boolean;
};

/** RFC 5321 4.5.3.1.5 limits a reply line to 512 octets; allow generous slack before giving up. */
const maxLineBytes = 4096;
const replyLine = /^(\d{3})(?:([ -])(.*))?$/s;

/**
 * Splits the bytes a server sends into SMTP replies (RFC 5321 4.2: `250-first`, `250 last`).
 * Pure: feed it chunks with `push` and take complete replies with `shift`. A line that is not a
 * reply (a TLS record, an HTTP banner, binary noise) sets `invalid` and stops the parser.
 */
export class SmtpReplyParser {
  private buffer: Buffer = Buffer.alloc(0);
  private pendingLines: string[] = [];
  private readonly replies: SmtpReply[] = [];
  invalid: InvalidReplyData | null = null;

  push(chunk: Buffer): void {
    if (this.invalid) {
      return;
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length > 0 && !isDigit(this.buffer[0])) {
        // A reply line always starts with a digit, so there is no need to wait for a line end
        // (a TLS record may never contain one).
        this.invalid = describeInvalid(this.buffer);
        return;
      }
      const end = this.buffer.indexOf(0x0a);
      if (end < 0) {
        if (this.buffer.length > maxLineBytes) {
          this.invalid = describeInvalid(this.buffer);
        }
        return;
      }
      const raw = this.buffer.subarray(0, end);
      const line = raw.toString('utf8').replace(/\r$/, '');
      const match = replyLine.exec(line);
      if (!match) {
        this.invalid = describeInvalid(raw);
        return;
      }
      this.buffer = this.buffer.subarray(end + 1);
      this.pendingLines.push(match[3] ?? '');
      if (match[2] !== '-') {
        this.replies.push({ code: Number(match[1]), lines: this.pendingLines });
        this.pendingLines = [];
      }
    }
  }

  /** The oldest complete reply not taken yet. */
  shift(): SmtpReply | undefined {
    return this.replies.shift();
  }

  /** True when bytes were received that do not make a complete reply yet (or replies are queued). */
  get hasBufferedData(): boolean {
    return this.buffer.length > 0 || this.pendingLines.length > 0 || this.replies.length > 0;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function describeInvalid(bytes: Buffer): InvalidReplyData {
  const looksLikeTls = (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
  const sample = printable(bytes.subarray(0, 80).toString('latin1'));
  return { sample, looksLikeTls };
}

/** Replaces control characters (and anything outside printable ASCII and Latin-1) with a dot. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '.');
}

/** The reply as one line for a message: `550 5.1.0 Sender rejected`, without control characters. */
export function formatReply(reply: SmtpReply, maxLength = 300): string {
  const text = `${reply.code} ${reply.lines.join(' ')}`
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** What an EHLO reply advertises (RFC 5321 4.1.1.1): the extension keywords and the AUTH mechanisms. */
export type EhloCapabilities = { keywords: Set<string>; authMechanisms: string[] };

export function parseEhloCapabilities(reply: SmtpReply | null): EhloCapabilities {
  const keywords = new Set<string>();
  const authMechanisms: string[] = [];
  // The first line is the server's name and greeting, the extensions follow.
  for (const line of reply?.lines.slice(1) ?? []) {
    // `AUTH=PLAIN LOGIN` is an old, non-standard form some servers still send next to `AUTH ...`.
    const [keyword = '', ...params] = line
      .trim()
      .toUpperCase()
      .split(/[\s=]+/);
    if (keyword === '') {
      continue;
    }
    keywords.add(keyword);
    if (keyword === 'AUTH') {
      for (const mechanism of params) {
        if (mechanism !== '' && !authMechanisms.includes(mechanism)) {
          authMechanisms.push(mechanism);
        }
      }
    }
  }
  return { keywords, authMechanisms };
}
