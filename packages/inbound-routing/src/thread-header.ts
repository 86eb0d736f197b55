import { headerText, type ParsedMail } from './parse-mail.js';

// The X-SotaMail-Thread header we put on every mail (`<model>/<record id, URI-encoded>`), as it comes
// back in a reply: in the reply's own headers (some clients copy X- headers), in the original attached
// to a forward (message/rfc822: mailparser keeps it as an attachment, or folds an inline one into the
// text without its X- headers, so the raw mail is read too), or in a quoted header block. Only a clue:
// see reply-thread.ts for how far it is trusted.

export type ThreadHeaderValue = { raw: string; model: string; recordId: string };

const HEADER_LINE = /^[>\s]*x-sotamail-thread:[ \t]*(\S+)/gim;

/** `sale.order/42` → model and record id; null for anything that is not that shape. */
export function parseThreadHeader(raw: string): ThreadHeaderValue | null {
  const value = raw.trim();
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1 || /\s/.test(value)) {
    return null;
  }
  try {
    const recordId = decodeURIComponent(value.slice(slash + 1));
    // Ours never decodes to a control character; `%00` would only make the thread's lookup fail.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
    return /[\u0000-\u001f\u007f]/.test(recordId)
      ? null
      : { raw: value, model: value.slice(0, slash), recordId };
  } catch {
    return null;
  }
}

/** Header values found in text: a header block or a quoted original (`> X-SotaMail-Thread: …`). */
export function threadHeadersInText(text: string): string[] {
  return [...text.matchAll(HEADER_LINE)].map((m) => m[1] ?? '').filter(Boolean);
}

/** Every thread header value of a mail, the mail's own first, each once (at most five). */
export function threadHeaderValues(mail: ParsedMail, raw?: Buffer): ThreadHeaderValue[] {
  const attached = mail.attachments
    .filter((a) => a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers')
    .map((a) => {
      // Only the header block of the original: its body is not ours to read.
      const text = a.content.subarray(0, 64 * 1024).toString('utf8');
      const end = text.search(/\r?\n\r?\n/);
      return end === -1 ? text : text.slice(0, end);
    });
  const raws = [
    ...headerText(mail, 'x-sotamail-thread'),
    ...attached.flatMap(threadHeadersInText),
    ...threadHeadersInText(mail.text ?? ''),
    // latin1 maps each byte to one character: no decoding cost, and the header is ASCII.
    ...(raw ? threadHeadersInText(raw.toString('latin1')) : []),
  ];
  const seen = new Set<string>();
  const values: ThreadHeaderValue[] = [];
  for (const raw of raws) {
    const parsed = parseThreadHeader(raw);
    if (parsed && !seen.has(parsed.raw)) {
      seen.add(parsed.raw);
      values.push(parsed);
    }
  }
  return values.slice(0, 5);
}
