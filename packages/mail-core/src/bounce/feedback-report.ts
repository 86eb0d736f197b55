import { headerValue, headerValues } from '../header-map.js';
import { parseHeaderSection } from './mime-part.js';

export type FeedbackReport = {
  /** abuse, fraud, virus, other … (RFC 5965 §3.5) */
  feedbackType: string | null;
  /** Original-Rcpt-To: the recipients who complained, as bare addresses. */
  recipients: string[];
};

/** The fields of a message/feedback-report part (RFC 5965 §3). */
export function readFeedbackReport(text: string): FeedbackReport {
  const fields = parseHeaderSection(Buffer.from(text, 'utf8').toString('latin1'));
  const recipients = headerValues(fields, 'Original-Rcpt-To')
    .map((value) => value.replace(/^.*</, '').replace(/>.*$/, '').trim())
    .filter((value) => value.includes('@'));
  return { feedbackType: headerValue(fields, 'Feedback-Type')?.trim().toLowerCase() ?? null, recipients };
}
