import { parseAddress } from './address.js';
import { type HeaderMap, headerValue, headerValues } from './header-map.js';
import { verpTokenOf } from './verp.js';

/** `dsn`: RFC 3464 delivery-status report; `arf`: RFC 5965 feedback report; `non-standard`: any other. */
export type BounceKind = 'dsn' | 'arf' | 'non-standard';

export type BounceSniffInput = {
  headers: HeaderMap;
  /** The top-level Content-Type; when absent, the Content-Type header. */
  contentType?: string | null;
  /**
   * The content types of the MIME parts, if the caller has parsed them (e.g. `message/delivery-status`
   * inside a `multipart/mixed`, as some MTAs send). Optional: the sniff works on headers alone.
   */
  partContentTypes?: readonly string[];
  /** The From header; when absent, the From header of `headers`. */
  from?: string | null;
  /**
   * The envelope sender (SMTP MAIL FROM); `''` is the null sender `<>`. When absent or null, the
   * Return-Path header is used, if any.
   */
  envelopeFrom?: string | null;
  /**
   * The addresses the mail was delivered to (envelope recipients, To, Cc, Delivered-To …), bare or as
   * header values; when absent, To, Cc, Delivered-To, X-Original-To and Envelope-To of `headers`.
   */
  recipients?: readonly string[];
  /** The tenant's bounce address (`bounce@example.com`, see bounceAddress(params)), or null if unset. */
  bounceAddress?: string | null;
  /** The decoded Subject; when absent, the Subject header as written. */
  subject?: string | null;
};

export type BounceSniff = {
  bounce: boolean;
  /** The report's format when bounce is true, else null. */
  kind: BounceKind | null;
  /** Why, one short sentence per signal; empty when bounce is false. */
  reasons: string[];
};

// Local parts that only mail systems send from (Sendmail, Postfix, Exim, qmail, Gmail, Exchange …).
const DAEMON_LOCAL_PART = /^(mailer[-_]?daemon|mail[-_]?daemon|post[-_]?master)$/i;
// `From: MAILER-DAEMON (Mail Delivery System)`: some MTAs write a bare local part, which is no address.
const DAEMON_WORD = /^\s*"?(mailer[-_]?daemon|post[-_]?master)\b/i;
const DAEMON_NAME = /^mail delivery (system|subsystem|service)$|^mailer[-_]?daemon$/i;
// What the subjects of non-delivery reports say, in the languages the major MTAs and providers use.
// Only a signal together with the null envelope sender: a person may write "undeliverable" too.
const FAILURE_SUBJECT = new RegExp(
  [
    'undeliver(?:able|ed)',
    'returned mail',
    'returned to sender',
    'delivery status notification',
    'delivery (?:status )?failure',
    'delivery (?:has )?failed',
    'failed delivery',
    'failure notice',
    'non-?delivery',
    'not (?:be )?delivered',
    'unable to deliver',
    'could not send',
    'mail system error',
    'delivery problem',
    'unzustellbar',
    'nicht zustellbar',
    'non remis',
    '[ée]chec de (?:la )?(?:remise|distribution)',
    'non distribuable',
    'onbestelbaar',
    'niet bezorgd',
    'non recapitabile',
    'mancato recapito',
    'no se (?:pudo|puede) entregar',
    'no entregado',
    'n[ãa]o (?:foi )?entregue',
  ].join('|'),
  'iu',
);
const ADDRESS = /[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g;
const RECIPIENT_HEADERS = ['To', 'Cc', 'Delivered-To', 'X-Original-To', 'Envelope-To'];

/**
 * R8 step 1: a cheap test of whether an incoming mail is a bounce (or a feedback report) to hand to the
 * bounce processor, which reads it fully (R10). Signals, in the order they are reported:
 *
 * - Content-Type `multipart/report; report-type=delivery-status` (dsn) or `feedback-report` (arf), or a
 *   `message/delivery-status` / `message/feedback-report` part; `multipart/report` with another or no
 *   report-type counts as non-standard, except `disposition-notification` (a read receipt, not a bounce);
 * - From (or the envelope sender) is MAILER-DAEMON or postmaster, or From's name is "Mail Delivery
 *   System", "Mail Delivery Subsystem" or "Mail Delivery Service";
 * - the null envelope sender (`<>`) together with a delivery-failure subject ("Undelivered Mail Returned
 *   to Sender", "Delivery Status Notification (Failure)", "Unzustellbar" …); either alone is no signal,
 *   since auto-replies use `<>` too and a person may write "undeliverable";
 * - a recipient equal to the bounce address, or its VERP form `bounce+<token>@` (same domain, compared
 *   without regard to case). A vacation reply sent to our VERP envelope sender is caught here too: the
 *   bounce processor then finds no failed recipient in it.
 *
 * A mail from a person with none of these is never a bounce. A DSN that reports a success (Action:
 * delivered) is still `dsn` here: telling it apart needs the full reading of the report.
 */
export function looksLikeBounce(input: BounceSniffInput): BounceSniff {
  const { headers } = input;
  const reasons: string[] = [];
  let kind: BounceKind | null = null;
  const setKind = (value: BounceKind) => {
    if (kind === null || kind === 'non-standard') {
      kind = value;
    }
  };

  const contentType = input.contentType ?? headerValue(headers, 'Content-Type') ?? '';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === 'multipart/report') {
    const reportType = /;\s*report-type\s*=\s*"?([^";\s]*)"?/i.exec(contentType)?.[1]?.toLowerCase() ?? '';
    if (reportType === 'delivery-status') {
      setKind('dsn');
      reasons.push('Content-Type is multipart/report; report-type=delivery-status (RFC 3464)');
    } else if (reportType === 'feedback-report') {
      setKind('arf');
      reasons.push('Content-Type is multipart/report; report-type=feedback-report (RFC 5965)');
    } else if (reportType !== 'disposition-notification') {
      setKind('non-standard');
      reasons.push(
        reportType === ''
          ? 'Content-Type is multipart/report without a report-type'
          : `Content-Type is multipart/report; report-type=${reportType}`,
      );
    }
  }
  const partTypes = new Set((input.partContentTypes ?? []).map((type) => type.trim().toLowerCase()));
  if (kind === null || kind === 'non-standard') {
    if (partTypes.has('message/delivery-status') || partTypes.has('message/global-delivery-status')) {
      setKind('dsn');
      reasons.push('a message/delivery-status part is present');
    } else if (partTypes.has('message/feedback-report')) {
      setKind('arf');
      reasons.push('a message/feedback-report part is present');
    }
  }

  const from = input.from ?? headerValue(headers, 'From');
  const daemonFrom = from === null ? null : daemonSender(from);
  if (daemonFrom !== null) {
    setKind('non-standard');
    reasons.push(`From is ${daemonFrom}`);
  }

  const envelopeFrom = input.envelopeFrom ?? envelopeFromHeader(headers);
  if (envelopeFrom !== null && envelopeFrom !== '' && daemonFrom === null) {
    const daemonEnvelope = daemonSender(envelopeFrom);
    if (daemonEnvelope !== null) {
      setKind('non-standard');
      reasons.push(`the envelope sender is ${daemonEnvelope}`);
    }
  }
  if (envelopeFrom === '') {
    const subject = input.subject ?? headerValue(headers, 'Subject') ?? '';
    const failure = FAILURE_SUBJECT.exec(subject);
    if (failure !== null) {
      setKind('non-standard');
      reasons.push(`null envelope sender (<>) and the Subject says "${failure[0]}"`);
    }
  }

  const bounce = input.bounceAddress == null ? null : parseAddress(input.bounceAddress);
  if (bounce?.ok) {
    const { localPart, domain } = bounce.value;
    const recipients = input.recipients ?? RECIPIENT_HEADERS.flatMap((name) => headerValues(headers, name));
    const seen = new Set<string>();
    for (const address of recipients.flatMap((value) => value.match(ADDRESS) ?? [])) {
      const lower = address.toLowerCase();
      if (seen.has(lower) || !lower.endsWith(`@${domain.toLowerCase()}`)) {
        continue;
      }
      seen.add(lower);
      if (lower === `${localPart}@${domain}`.toLowerCase()) {
        setKind('non-standard');
        reasons.push(`addressed to the bounce address ${address}`);
      } else if (verpTokenOf(address, localPart) !== null) {
        setKind('non-standard');
        reasons.push(`addressed to the VERP bounce address ${address}`);
      }
    }
  }

  return { bounce: kind !== null, kind, reasons };
}

// "MAILER-DAEMON@host" or "postmaster@host" as written, "Mail Delivery System" (the name), or null.
function daemonSender(value: string): string | null {
  const parsed = parseAddress(value);
  if (parsed.ok) {
    if (DAEMON_LOCAL_PART.test(parsed.value.localPart)) {
      return parsed.value.address;
    }
    const name = parsed.value.name?.trim() ?? '';
    return DAEMON_NAME.test(name) ? `"${name}"` : null;
  }
  return DAEMON_WORD.exec(value)?.[1] ?? null;
}

// The Return-Path header (the envelope sender as the final MTA recorded it): `<>` gives ''.
function envelopeFromHeader(headers: HeaderMap): string | null {
  const value = headerValue(headers, 'Return-Path');
  if (value === null) {
    return null;
  }
  return value.replace(/^<|>$/g, '').trim();
}
