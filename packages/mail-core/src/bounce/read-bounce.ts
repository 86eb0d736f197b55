import { detectAutoReply } from '../auto-reply.js';
import { looksLikeBounce } from '../bounce-sniff.js';
import { type HeaderMap, headerValue, headerValues } from '../header-map.js';
import {
  type BouncedRecipient,
  type BounceReason,
  type BounceReport,
  isHardBounce,
} from './bounce-report.js';
import { classifyReason, smtpCommandIn } from './classify-reason.js';
import { hasDeliveryStatusFields, readDeliveryStatus } from './delivery-status.js';
import { decodeEncodedWords } from './encoded-words.js';
import { readFeedbackReport } from './feedback-report.js';
import { type MimePart, parseHeaderSection, parseMime } from './mime-part.js';
import { familyReason } from './mta-families.js';
import { originalIds } from './original-message.js';
import { readSesNotification } from './ses-notification.js';
import { readTextBounce, replyCodeIn, replyLines, statusIn, type TextFinding } from './text-bounce.js';
import { errorSection, quotedOriginal } from './text-sections.js';

/** A bounce as the readers see it, parsed once. */
type ReportView = {
  root: MimePart;
  /** The parts of the report itself, not those inside the returned original. */
  parts: MimePart[];
  /** The human-readable text of the report (text parts, HTML reduced to text). */
  text: string;
  /** That text up to where the returned original is pasted. */
  errorText: string;
  /** The header section of the returned original, when the report carries it. */
  originalHeaders: HeaderMap | null;
  /** Addresses of the report's own sender and addressee: mentioned in its text, but not failed. */
  notRecipients: ReadonlySet<string>;
};

// A reader returns a report, NOT_A_BOUNCE when the mail is of its format but reports no failure (a
// DSN of a delivery), or null when the mail is not of its format.
const NOT_A_BOUNCE = 'not-a-bounce';
type Reading = Omit<BounceReport, 'originalMessageId' | 'originalReferences'> | typeof NOT_A_BOUNCE | null;

const MAX_TEXT = 256 * 1024;
const MAX_ERROR_TEXT = 64 * 1024;
const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ENCLOSED = new Set(['message/rfc822', 'message/global']);
const HEADERS_ONLY = new Set(['text/rfc822-headers', 'message/rfc822-headers', 'text/rfc822-header']);
// DSN actions that report no failure (RFC 3464 §2.3.3).
const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);
const ADDRESS = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g;
// What the text of a failure report says, in the languages of the corpus's providers. Only a signal
// together with a returned original or the null sender: a person may write these words too.
const FAILURE_TEXT =
  /could(?: not|n't) be delivered|undeliverable|not (?:be )?delivered|delivery (?:has )?failed|failed to deliver|unable to deliver|permanent (?:error|failure)|returned mail|did not reach|送信できませんでした|配信できませんでした|届きませんでした/i;
// Microsoft's complaint feedback (JMRP) is not ARF: the original alone, marked by this header.
const JMRP_RECIPIENT = 'X-HmXmrOriginalRecipient';

/**
 * Reads a bounce (R10.1): for each failed recipient the address, status, reason, hard/soft and the
 * server's diagnostic, plus the ids of the original mail. Null when the mail is not a bounce: ordinary
 * mail, a vacation reply, a DSN that reports delivery. Never throws on bad input.
 *
 * The readers are tried from the most structured format to the least: a feedback report (ARF), an
 * Amazon SES notification, a delivery-status report (RFC 3464), then the text of a non-standard one.
 */
export function readBounce(raw: Buffer | string): BounceReport | null {
  const view = viewOf(parseMime(raw));
  const reading =
    readFeedback(view) ?? readSes(view) ?? readDeliveryStatusReport(view) ?? readNonStandard(view);
  if (reading === null || reading === NOT_A_BOUNCE) {
    return null;
  }
  const ids = originalIds(view.parts, quotedOriginal(view.text));
  return { ...reading, originalMessageId: ids.messageId, originalReferences: ids.references };
}

function viewOf(root: MimePart): ReportView {
  const parts: MimePart[] = [];
  const visit = (part: MimePart) => {
    parts.push(part);
    if (part.mediaType.startsWith('multipart/')) {
      part.children.forEach(visit);
    }
  };
  visit(root);
  const text = parts
    .filter((part) => part.children.length === 0 && part.mediaType.startsWith('text/'))
    .filter((part) => !HEADERS_ONLY.has(part.mediaType))
    .map((part) => (part.mediaType === 'text/html' ? htmlToText(part.text) : part.text))
    .join('\n');
  // The error report is at the top; a huge text is a pasted original or hostile, and the patterns
  // need not scan it all.
  const errorText = errorSection(text.slice(0, MAX_TEXT)).slice(0, MAX_ERROR_TEXT);
  const notRecipients = ['From', 'To', 'Return-Path', 'Reply-To', 'Sender']
    .flatMap((name) => headerValues(root.headers, name))
    .flatMap((value) => value.match(ADDRESS) ?? [])
    .map((address) => address.toLowerCase());
  return {
    root,
    parts,
    text,
    errorText,
    originalHeaders: originalHeaders(parts, text),
    notRecipients: new Set(notRecipients),
  };
}

function readFeedback(view: ReportView): Reading {
  const report = view.parts.find((part) => part.mediaType === 'message/feedback-report');
  const jmrp = view.originalHeaders === null ? null : headerValue(view.originalHeaders, JMRP_RECIPIENT);
  if (report === undefined && jmrp === null) {
    return null;
  }
  const fields = report === undefined ? null : readFeedbackReport(report.text);
  const fromOriginal =
    (jmrp ?? headerValue(view.originalHeaders ?? new Map(), 'To') ?? '').match(ADDRESS) ?? [];
  const addresses = fields !== null && fields.recipients.length > 0 ? fields.recipients : fromOriginal;
  return { kind: 'arf', recipients: feedbackRecipients(addresses, fields?.feedbackType ?? null) };
}

function readSes(view: ReportView): Reading {
  const notification = readSesNotification(view.text);
  if (notification === null) {
    return null;
  }
  if (notification.type === 'complaint') {
    return {
      kind: 'arf',
      recipients: feedbackRecipients(notification.recipients, notification.feedbackType),
    };
  }
  const recipients = notification.recipients.map((r) =>
    recipientOf({
      address: r.address,
      status: r.status,
      diagnostic: r.diagnostic,
      action: r.action,
      context: '',
    }),
  );
  return { kind: 'non-standard', recipients };
}

function readDeliveryStatusReport(view: ReportView): Reading {
  const groups = view.parts
    .filter((part) => DELIVERY_STATUS.has(part.mediaType))
    .flatMap((part) => readDeliveryStatus(part.text));
  // Some MTAs write the delivery-status fields into a text part instead of their own part.
  if (groups.length === 0 && hasDeliveryStatusFields(view.text)) {
    groups.push(...readDeliveryStatus(view.text));
  }
  if (groups.length === 0) {
    return null;
  }
  const failed = groups.filter((group) => group.action === null || !SUCCESS_ACTIONS.has(group.action));
  if (failed.length === 0) {
    return NOT_A_BOUNCE;
  }
  const findings = readTextBounce(view.errorText, view.notRecipients);
  const recipients = failed.map((group) => {
    // The text part often says more than the Diagnostic-Code (Postfix: "in reply to RCPT TO").
    const finding = findingFor(findings, group.address, failed.length);
    return recipientOf({
      address: group.address ?? finding?.address ?? null,
      status: statusIn(group.diagnostic) ?? group.status ?? finding?.status ?? null,
      diagnostic: group.diagnostic ?? finding?.diagnostic ?? null,
      action: group.action,
      context: failed.length === 1 ? view.errorText : (finding?.diagnostic ?? ''),
    });
  });
  return { kind: 'dsn', recipients };
}

function readNonStandard(view: ReportView): Reading {
  if (!isFailureReport(view)) {
    return null;
  }
  const findings = readTextBounce(view.errorText, view.notRecipients);
  const context = (f: TextFinding) => (findings.length === 1 ? view.errorText : (f.diagnostic ?? ''));
  const family = familyReason(view.text);
  const recipients = findings.map((f) =>
    recipientOf({ ...f, action: null, context: context(f), familyReason: family }),
  );
  // Exim names the failed recipients in a header; others are found only in the returned original.
  const named = headerValues(view.root.headers, 'X-Failed-Recipients').flatMap((v) => v.match(ADDRESS) ?? []);
  const originalTo = headerValue(view.originalHeaders ?? new Map(), 'To')?.match(ADDRESS) ?? [];
  const fallback =
    named.length > 0 ? named : recipients.length === 0 && originalTo.length === 1 ? originalTo : [];
  for (const address of fallback) {
    if (!recipients.some((r) => r.address?.toLowerCase() === address.toLowerCase())) {
      const diagnostic = replyLines(view.errorText) ?? view.errorText.slice(0, 2000);
      const family = familyReason(view.text);
      recipients.push(
        recipientOf({ address, status: null, diagnostic, action: null, context: '', familyReason: family }),
      );
    }
  }
  return { kind: 'non-standard', recipients };
}

type RecipientInput = {
  address: string | null;
  status: string | null;
  diagnostic: string | null;
  action: string | null;
  /** More text about this recipient than the diagnostic, to find the refused SMTP command in. */
  context: string;
  /** What the report's family implies (familyReason of its text), when the words say nothing. */
  familyReason?: BounceReason | null;
};

function recipientOf(input: RecipientInput): BouncedRecipient {
  const diagnostic = input.diagnostic?.replace(/\s+/g, ' ').trim() || null;
  const status =
    input.status ??
    statusFromReplyCode(diagnostic) ??
    statusFromWords(`${diagnostic ?? ''} ${input.context}`, input.action);
  const command = smtpCommandIn(`${input.context} ${diagnostic ?? ''}`);
  const reason = classifyReason({
    status,
    diagnostic,
    action: input.action,
    command,
    familyReason: input.familyReason,
  });
  return {
    address: input.address,
    status,
    hard: isHardBounce(reason, status),
    reason,
    diagnostic,
    action: input.action ?? actionFromWords(`${diagnostic ?? ''} ${input.context}`),
  };
}

function feedbackRecipients(addresses: readonly string[], feedbackType: string | null): BouncedRecipient[] {
  const list = addresses.length > 0 ? addresses : [null];
  return list.map((address) => ({
    address,
    status: null,
    hard: false,
    reason: 'feedback',
    diagnostic: feedbackType,
    action: null,
  }));
}

// A basic SMTP reply code (550) gives the class of the status when the report has no enhanced code.
function statusFromReplyCode(diagnostic: string | null): string | null {
  const code = replyCodeIn(diagnostic);
  return code === null ? null : `${code.charAt(0)}.0.0`;
}

// With no code at all, what the report says of the failure gives the class of the status (RFC 3463
// x.0.0, "other or undefined status"): a delayed DSN or "will be retried" is 4, "permanent" is 5.
const TEMPORARY_WORDS =
  /temporar|will be retried|will (?:continue|keep) (?:to )?try|warning message only|deferred|delayed/i;
const PERMANENT_WORDS =
  /permanent|fatal|given up|giving up|not (?:be )?delivered|undeliverable|delivery (?:has )?failed|unable to deliver|rejected/i;

// A report without a DSN Action still says whether the MTA keeps trying ("warning message only",
// "will be retried") or has given up.
const GAVE_UP_WORDS = /given up|giving up|not going to try again|permanent|fatal/i;

function actionFromWords(text: string): 'delayed' | 'failed' {
  return TEMPORARY_WORDS.test(text) && !GAVE_UP_WORDS.test(text) ? 'delayed' : 'failed';
}

function statusFromWords(text: string, action: string | null): string | null {
  if (action === 'delayed' || (action === null && TEMPORARY_WORDS.test(text))) {
    return '4.0.0';
  }
  if (action === 'failed' || PERMANENT_WORDS.test(text)) {
    return '5.0.0';
  }
  return null;
}

function findingFor(findings: readonly TextFinding[], address: string | null, count: number) {
  const lower = address?.toLowerCase();
  const same = findings.find((f) => f.address.toLowerCase() === lower);
  return same ?? (count === 1 && findings.length === 1 ? findings[0] : undefined);
}

// A mail is read as a non-standard bounce when the sniff of R8 says so (a report content type, a
// mailer-daemon sender, the null sender with a failure subject), or when its text says delivery failed
// and it returns the original or comes from the null sender. Vacation replies say neither.
function isFailureReport(view: ReportView): boolean {
  const subject = decodeEncodedWords(headerValue(view.root.headers, 'Subject') ?? '');
  const sniff = looksLikeBounce({
    headers: view.root.headers,
    subject,
    partContentTypes: view.parts.map((part) => part.mediaType),
  });
  if (sniff.bounce) {
    return true;
  }
  const nullSender = /^<?\s*>?$/.test(headerValue(view.root.headers, 'Return-Path') ?? 'x');
  const returnsOriginal = view.originalHeaders !== null;
  if (!FAILURE_TEXT.test(view.errorText) || !(returnsOriginal || nullSender)) {
    return false;
  }
  return !detectAutoReply(view.root.headers, subject).autoReply || nullSender;
}

function originalHeaders(parts: readonly MimePart[], text: string): HeaderMap | null {
  for (const part of parts) {
    const enclosed = ENCLOSED.has(part.mediaType) ? part.children[0] : undefined;
    if (enclosed !== undefined && enclosed.headers.size > 0) {
      return enclosed.headers;
    }
    if (HEADERS_ONLY.has(part.mediaType)) {
      return parseHeaderSection(part.body.toString('latin1'));
    }
  }
  const quoted = quotedOriginal(text).replace(/^.*\r?\n(?:\s*\r?\n)*/, '');
  const headers = parseHeaderSection(Buffer.from(quoted, 'utf8').toString('latin1'));
  return headerValue(headers, 'Message-ID') !== null || headerValue(headers, 'To') !== null ? headers : null;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(?:style|script)[^>]*>[\s\S]*?<\/(?:style|script)>/gi, '')
    .replace(/<(?:br|p|div|tr|li|h\d)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
