/**
 * One POP3 answer (RFC 1939): its status line and, for multi-line answers, the dot-unstuffed body.
 * During AUTH (RFC 5034) the server may answer `+ <base64>` instead: a SASL challenge.
 */
export type Pop3Response = { ok: boolean; text: string; body: Buffer | null; challenge?: boolean };

/** The server spoke, but not POP3 (or not the POP3 we can use). */
export class Pop3ProtocolError extends Error {
  override readonly name = 'Pop3ProtocolError';
  readonly code = 'EPROTOCOL';
  readonly protocol = 'pop3';
}

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');
/** A line longer than this is not mail any MTA would pass on: the peer is broken or hostile. */
const maxLineBytes = 4 * 1024 * 1024;

/** `+OK text` or `-ERR text`; anything else is a protocol error. */
export function parseStatusLine(line: string): { ok: boolean; text: string } {
  const match = /^(\+OK|-ERR)(?:\s(.*))?$/i.exec(line);
  if (!match) {
    throw new Pop3ProtocolError(`not a POP3 status line: "${line.slice(0, 80)}"`);
  }
  return { ok: match[1]?.toUpperCase() === '+OK', text: (match[2] ?? '').trim() };
}

/**
 * Turns the bytes of a connection into answers. Binary-safe (8-bit headers stay as sent), and fed in
 * arbitrary chunks: an answer is returned once its last line (or, for a multi-line answer, its
 * terminating ".") has arrived. The caller says whether the pending command answers in several lines.
 */
export class Pop3ResponseReader {
  private buffer: Buffer = Buffer.alloc(0);
  private status: { ok: boolean; text: string } | null = null;
  private lines: Buffer[] = [];

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.indexOf(LF) < 0 && this.buffer.length > maxLineBytes) {
      throw new Pop3ProtocolError(`a line longer than ${maxLineBytes} bytes`);
    }
  }

  /** Bytes received and not yet part of an answer (after STLS there must be none). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** `sasl`: the pending command is AUTH, whose answer may be a `+ ` challenge. */
  read(multiline: boolean, sasl = false): Pop3Response | null {
    for (;;) {
      const line = this.takeLine();
      if (line === null) {
        return null;
      }
      if (this.status === null) {
        if (sasl) {
          const challenge = /^\+(?: (.*))?$/.exec(line.toString('latin1'));
          if (challenge) {
            return { ok: true, text: (challenge[1] ?? '').trim(), body: null, challenge: true };
          }
        }
        const status = parseStatusLine(line.toString('utf8'));
        if (!status.ok || !multiline) {
          return { ...status, body: null };
        }
        this.status = status;
        continue;
      }
      if (line.length === 1 && line[0] === DOT) {
        const parts: Buffer[] = [];
        for (const l of this.lines) {
          parts.push(l, CRLF);
        }
        const response = { ...this.status, body: Buffer.concat(parts) };
        this.status = null;
        this.lines = [];
        return response;
      }
      // Dot-unstuffing: a line of the body that starts with "." was sent with one more.
      this.lines.push(line[0] === DOT ? line.subarray(1) : line);
    }
  }

  /** The next line without its CRLF (a bare LF is accepted too), or null when it is incomplete. */
  private takeLine(): Buffer | null {
    const end = this.buffer.indexOf(LF);
    if (end < 0) {
      return null;
    }
    const line = this.buffer.subarray(0, end > 0 && this.buffer[end - 1] === CR ? end - 1 : end);
    this.buffer = this.buffer.subarray(end + 1);
    return line;
  }
}

/** `+OK <count> <octets>` of STAT. */
export function parseStat(text: string): { count: number; octets: number } {
  const match = /^(\d+)\s+(\d+)/.exec(text);
  if (!match) {
    throw new Pop3ProtocolError(`not a STAT answer: "${text.slice(0, 80)}"`);
  }
  return { count: Number(match[1]), octets: Number(match[2]) };
}

export type UidlEntry = { number: number; uid: string };

/** The lines of a UIDL listing: `<message number> <unique id>`, the id 1–70 printable characters. */
export function parseUidlListing(body: Buffer): UidlEntry[] {
  const entries: UidlEntry[] = [];
  for (const line of body.toString('latin1').split('\r\n')) {
    if (line.trim() === '') {
      continue;
    }
    const match = /^\s*(\d+)\s+([\x21-\x7e]{1,70})\s*$/.exec(line);
    if (!match) {
      throw new Pop3ProtocolError(`not a UIDL line: "${line.slice(0, 80)}"`);
    }
    entries.push({ number: Number(match[1]), uid: match[2] ?? '' });
  }
  return entries;
}
