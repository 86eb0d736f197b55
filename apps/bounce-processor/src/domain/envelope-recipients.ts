import { type HeaderMap, headerMapFromLines, headerValues } from '@sotamail/mail-core';

// Headers that name the address a mail was delivered to, in the order an MTA sets them: the
// delivering server's Delivered-To / X-Original-To first, then the To the bounce was written for.
const RECIPIENT_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'to'];

/**
 * The top-level header section of a raw mail (up to the first empty line), folded lines joined.
 * Read as latin1 so that a stray 8-bit byte never makes it fail: only ASCII matters here.
 */
export function topHeaders(raw: Buffer | string): HeaderMap {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const section = end < 0 ? text : text.slice(0, end);
  const lines: string[] = [];
  for (const line of section.split(/\r?\n/)) {
    const last = lines.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) {
      lines[last] = `${lines[last]} ${line.trim()}`;
    } else {
      lines.push(line);
    }
  }
  return headerMapFromLines(lines);
}

/**
 * Every address a bounce was sent TO, the envelope recipients first (what our SMTP ingress recorded,
 * the most trustworthy), then the headers of the delivering server and the To header. Header values
 * may hold several addresses: they are split at commas, which at worst yields a fragment that no
 * VERP check accepts.
 */
export function envelopeRecipients(raw: Buffer | string, envelopeTo: readonly string[]): string[] {
  const headers = topHeaders(raw);
  const fromHeaders = RECIPIENT_HEADERS.flatMap((name) =>
    headerValues(headers, name).flatMap((value) => value.split(',')),
  );
  const all = [...envelopeTo, ...fromHeaders].map((a) => a.trim()).filter((a) => a !== '');
  return [...new Set(all)];
}
