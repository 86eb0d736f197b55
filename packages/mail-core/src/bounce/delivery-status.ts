import { type HeaderMap, headerValue } from '../header-map.js';
import { parseHeaderSection } from './mime-part.js';

/** One per-recipient group of an RFC 3464 report (§2.3), values cleaned of their type prefixes. */
export type DeliveryStatusRecipient = {
  /** Final-Recipient, else Original-Recipient, else X-Actual-Recipient: a bare address or null. */
  address: string | null;
  action: string | null;
  /** The enhanced status code (RFC 3463) as written, e.g. `5.1.1`; null when absent or malformed. */
  status: string | null;
  /** Diagnostic-Code without its type (`smtp; 550 …` → `550 …`), on one line. */
  diagnostic: string | null;
  remoteMta: string | null;
};

const STATUS = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

/**
 * The per-recipient groups of a message/delivery-status body: groups of fields separated by empty
 * lines, the first being per-message (Reporting-MTA …). Groups without a recipient field are ignored.
 */
export function readDeliveryStatus(text: string): DeliveryStatusRecipient[] {
  const groups = text.split(/\r?\n(?:[ \t]*\r?\n)+/);
  const recipients: DeliveryStatusRecipient[] = [];
  for (const group of groups) {
    const fields = parseHeaderSection(Buffer.from(group, 'utf8').toString('latin1'));
    const recipient = recipientOf(fields);
    if (recipient !== null) {
      recipients.push(recipient);
    }
  }
  return recipients;
}

/** Whether a text holds delivery-status recipient fields (some MTAs put them in text/plain). */
export function hasDeliveryStatusFields(text: string): boolean {
  return /^(?:Final|Original)-Recipient:/im.test(text) && /^(?:Action|Status):/im.test(text);
}

function recipientOf(fields: HeaderMap): DeliveryStatusRecipient | null {
  const address =
    addressOf(headerValue(fields, 'Final-Recipient')) ??
    addressOf(headerValue(fields, 'Original-Recipient')) ??
    addressOf(headerValue(fields, 'X-Actual-Recipient'));
  const action = headerValue(fields, 'Action')?.trim().toLowerCase().split(/[\s(]/)[0] ?? null;
  const status = headerValue(fields, 'Status');
  const diagnostic = withoutType(headerValue(fields, 'Diagnostic-Code'));
  if (address === null && action === null && status === null) {
    return null;
  }
  return {
    address,
    action: action === '' ? null : action,
    status: status === null ? null : (STATUS.exec(status)?.[1] ?? null),
    diagnostic: diagnostic === '' ? null : diagnostic,
    remoteMta: withoutType(headerValue(fields, 'Remote-MTA')),
  };
}

// `rfc822; <user@example.org>` → `user@example.org`; a value without `@` is no address.
function addressOf(value: string | null): string | null {
  const bare = withoutType(value)?.replace(/^.*</, '').replace(/>.*$/, '').trim();
  return bare?.includes('@') ? bare.replace(/^["']|["']$/g, '') : null;
}

function withoutType(value: string | null): string | null {
  if (value === null) {
    return null;
  }
  return value
    .replace(/^[\w-]+\s*;\s*/, '')
    .replace(/\s*\r?\n\s*/g, ' ')
    .trim();
}
