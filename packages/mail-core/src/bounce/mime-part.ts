import { type HeaderMap, headerMapFromLines, headerValue } from '../header-map.js';
import { decodeCharset } from './charset.js';
import { decodeEncodedWords } from './encoded-words.js';
import { decodeTransferEncoding } from './transfer-encoding.js';

/** One node of a parsed mail: a leaf part, a multipart, or an enclosed message (message/rfc822). */
export type MimePart = {
  /** Header values as written, 8-bit bytes read as UTF-8 when they are valid UTF-8. */
  headers: HeaderMap;
  /** Lower-case media type, `text/plain` when the part has no Content-Type (RFC 2045 §5.2). */
  mediaType: string;
  /** Content-Type parameters, names lower-cased. */
  params: ReadonlyMap<string, string>;
  /** The body after its transfer encoding is undone. */
  body: Buffer;
  /** The body as text in its charset; for message/* parts the raw text of the enclosed message. */
  text: string;
  /** The parts of a multipart, or the one enclosed message of a message/rfc822 part. */
  children: MimePart[];
};

// Real reports nest a few levels (report → original → its alternatives); deeper is hostile input.
const MAX_DEPTH = 12;
const ENCLOSED_MESSAGE = new Set(['message/rfc822', 'message/global', 'message/partial']);

/** Parses a raw mail into its MIME tree. Never throws: broken structure degrades to a text part. */
export function parseMime(raw: Buffer | string): MimePart {
  const binary =
    typeof raw === 'string' ? Buffer.from(raw, 'utf8').toString('latin1') : raw.toString('latin1');
  // A mail saved from an mbox starts with its "From sender date" separator line, which is no header.
  return parsePart(binary.replace(/^From [^\r\n]*\r?\n/, ''), 0, 'text/plain');
}

/** A header section alone (text/rfc822-headers), values as written. */
export function parseHeaderSection(binary: string): HeaderMap {
  const lines: string[] = [];
  for (const line of binary.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (lines.length > 0) {
        break;
      }
      continue;
    }
    const last = lines.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) {
      lines[last] += `\n${line}`;
    } else {
      lines.push(line);
    }
  }
  return headerMapFromLines(lines.map(textOfBytes));
}

/** A header's first value with encoded words decoded, or null. */
export function decodedHeader(part: MimePart, name: string): string | null {
  const value = headerValue(part.headers, name);
  return value === null ? null : decodeEncodedWords(value);
}

/** Every part of the tree, depth first, the root first. */
export function allParts(root: MimePart): MimePart[] {
  const parts: MimePart[] = [];
  const visit = (part: MimePart) => {
    parts.push(part);
    for (const child of part.children) {
      visit(child);
    }
  };
  visit(root);
  return parts;
}

function parsePart(binary: string, depth: number, defaultType: string): MimePart {
  const { head, body } = splitHeadBody(binary);
  const headers = parseHeaderSection(head);
  const { mediaType, params } = contentType(headerValue(headers, 'Content-Type'), defaultType);
  const bytes = decodeTransferEncoding(body, headerValue(headers, 'Content-Transfer-Encoding'));
  const part: MimePart = { headers, mediaType, params, body: bytes, text: '', children: [] };

  if (depth < MAX_DEPTH && mediaType.startsWith('multipart/')) {
    const boundary = params.get('boundary');
    const sections = boundary === undefined ? null : splitMultipart(bytes.toString('latin1'), boundary);
    if (sections !== null) {
      const childType = mediaType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      part.children = sections.map((section) => parsePart(section, depth + 1, childType));
      return part;
    }
    // A multipart whose boundary never occurs is read as text, so its words are not lost.
    part.mediaType = 'text/plain';
  }
  if (depth < MAX_DEPTH && ENCLOSED_MESSAGE.has(mediaType)) {
    const enclosed = bytes.toString('latin1');
    part.children = [parsePart(enclosed, depth + 1, 'text/plain')];
    part.text = textOfBytes(enclosed);
    return part;
  }
  part.text = decodeCharset(bytes, params.get('charset'));
  return part;
}

// Header and body are separated by the first empty line; a part that starts with one has no header.
function splitHeadBody(binary: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(binary);
  if (/^\r?\n/.test(binary)) {
    return { head: '', body: binary.replace(/^\r?\n/, '') };
  }
  if (match === null) {
    // Only a header, or no header at all: a first line without a colon means text.
    return /^[\x21-\x39\x3b-\x7e]+:/.test(binary) ? { head: binary, body: '' } : { head: '', body: binary };
  }
  const head = binary.slice(0, match.index);
  // Some bounce generators put text before any header; then the whole is body.
  if (!/^[\x21-\x39\x3b-\x7e]+:/.test(head)) {
    return { head: '', body: binary };
  }
  return { head, body: binary.slice(match.index + match[0].length) };
}

/** The sections between `--boundary` lines; null when the boundary never occurs. */
function splitMultipart(body: string, boundary: string): string[] | null {
  const lines = body.split(/\r?\n/);
  const open = `--${boundary}`;
  const sections: string[] = [];
  let current: string[] | null = null;
  let seen = false;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === open || trimmed === `${open}--`) {
      seen = true;
      if (current !== null) {
        sections.push(current.join('\n'));
      }
      current = trimmed === open ? [] : null;
      if (current === null) {
        break;
      }
    } else if (current !== null) {
      current.push(line);
    }
  }
  // A report cut off before its closing boundary keeps its last part.
  if (current !== null) {
    sections.push(current.join('\n'));
  }
  return seen ? sections : null;
}

function contentType(
  value: string | null,
  defaultType: string,
): { mediaType: string; params: ReadonlyMap<string, string> } {
  const params = new Map<string, string>();
  if (value === null) {
    return { mediaType: defaultType, params };
  }
  const [type = '', ...rest] = splitParams(value);
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) {
      const name = param.slice(0, eq).trim().toLowerCase();
      const raw = param.slice(eq + 1).trim();
      params.set(name.replace(/\*$/, ''), unquote(raw));
    }
  }
  const mediaType = type.trim().toLowerCase();
  return { mediaType: /^[\w.+-]+\/[\w.+-]+$/.test(mediaType) ? mediaType : defaultType, params };
}

// Splits at semicolons outside quoted strings.
function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of value.replace(/\r?\n[ \t]*/g, ' ')) {
    if (c === '"') {
      quoted = !quoted;
    }
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

function unquote(value: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"/.exec(value);
  if (m?.[1] !== undefined) {
    return m[1].replace(/\\(.)/g, '$1');
  }
  return value.split(/\s/)[0] ?? value;
}

// Header bytes: UTF-8 when valid (RFC 6532), else Latin-1.
function textOfBytes(binary: string): string {
  return decodeCharset(Buffer.from(binary, 'latin1'), 'utf-8');
}
