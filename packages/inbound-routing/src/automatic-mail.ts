import { detectAutoReply, headerMap, looksLikeBounce } from '@sotamail/mail-core';
import type { ParsedMail } from 'mailparser';

export type AutomaticMail = { autoReply: boolean; bounce: boolean; reasons: string[] };

/** Feeds what mailparser read to mail-core's pure detectors of auto-replies (R9.3) and bounces (R8.1). */
export function detectAutomaticMail(
  mail: ParsedMail,
  envelopeFrom: string | null,
  recipients: string[],
  bounceAddress: string | null,
): AutomaticMail {
  const headers = headerMap(
    mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()] as const),
  );
  const autoReply = detectAutoReply(headers, mail.subject ?? '');
  const bounce = looksLikeBounce({
    headers,
    contentType: headers.get('content-type')?.[0] ?? '',
    from: mail.from?.value[0]?.address ?? '',
    envelopeFrom,
    recipients,
    bounceAddress,
  });
  return {
    autoReply: autoReply.autoReply,
    bounce: bounce.bounce,
    reasons: [...autoReply.reasons, ...bounce.reasons],
  };
}
