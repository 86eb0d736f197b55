import { createHash } from 'node:crypto';
import { htmlPlainText } from './html-plain-text.js';

// Reply and forward prefixes of common clients and languages (Re, Fwd, AW, WG, SV, VS, RE, TR, RIF…).
const prefix = /^\s*((re|fw|fwd|aw|wg|sv|vs|tr|rif|antw|odp|ynt)(\[\d+\])?\s*:\s*)+/i;

/**
 * What makes two mails "identical" for feedback-loop detection (R9.2): the subject without reply
 * prefixes and the body without quoted lines, whitespace folded. Auto-responders resend the same
 * words around a growing quote, so quotes must not make each round look new. Without a text body
 * (HTML-only mail whose text mailparser could not derive) the HTML's words are the body: the subject
 * alone would make a person's every answer on one topic look like a loop. Attachments count by their
 * content (`attachmentDigests`, in any order): two replies whose only words are "Sent from my phone"
 * are different mail when they carry different photos; a responder's same logo each round is not.
 */
export function contentFingerprint(
  subject: string,
  text: string,
  html?: string | false,
  attachmentDigests: readonly string[] = [],
): string {
  const source = text.trim() === '' && typeof html === 'string' ? htmlPlainText(html) : text;
  const body = source
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('>'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const topic = subject.replace(prefix, '').replace(/\s+/g, ' ').trim().toLowerCase();
  // Without attachments the fingerprint is what it was before they counted, so mail stored earlier
  // still compares with mail routed now.
  const files = attachmentDigests.length > 0 ? `\n${[...attachmentDigests].sort().join(' ')}` : '';
  return createHash('sha256').update(`${topic}\n${body}${files}`).digest('hex');
}
