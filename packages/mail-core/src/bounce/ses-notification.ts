/**
 * Amazon SES bounce and complaint notifications, as SES (or SNS, wrapping them) mails them: a JSON
 * document in the body instead of a report. https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
 */
export type SesRecipient = {
  address: string;
  status: string | null;
  diagnostic: string | null;
  action: string | null;
};

export type SesNotification =
  | { type: 'bounce'; permanent: boolean; recipients: SesRecipient[] }
  | { type: 'complaint'; feedbackType: string | null; recipients: string[] };

/** The notification a mail body holds, or null when it holds none. Never throws. */
export function readSesNotification(text: string): SesNotification | null {
  if (!text.includes('notificationType')) {
    return null;
  }
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) {
    return null;
  }
  const json = text.slice(start, end + 1);
  // Some mail systems fold the long JSON line; a fold is a line break plus one space.
  const document = parseJson(json) ?? parseJson(json.replace(/\r?\n /g, ''));
  const inner =
    isRecord(document) && typeof document.Message === 'string' ? parseJson(document.Message) : document;
  return isRecord(inner) ? notificationOf(inner) : null;
}

function notificationOf(doc: Record<string, unknown>): SesNotification | null {
  const bounce = doc.bounce;
  if (doc.notificationType === 'Bounce' && isRecord(bounce)) {
    const list = Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients : [];
    const recipients = list.filter(isRecord).flatMap((r): SesRecipient[] =>
      typeof r.emailAddress === 'string'
        ? [
            {
              address: r.emailAddress,
              status: stringOrNull(r.status),
              diagnostic: stringOrNull(r.diagnosticCode)?.replace(/^smtp;\s*/i, '') ?? null,
              action: stringOrNull(r.action),
            },
          ]
        : [],
    );
    return { type: 'bounce', permanent: bounce.bounceType === 'Permanent', recipients };
  }
  const complaint = doc.complaint;
  if (doc.notificationType === 'Complaint' && isRecord(complaint)) {
    const list = Array.isArray(complaint.complainedRecipients) ? complaint.complainedRecipients : [];
    const recipients = list
      .filter(isRecord)
      .flatMap((r) => (typeof r.emailAddress === 'string' ? [r.emailAddress] : []));
    return { type: 'complaint', feedbackType: stringOrNull(complaint.complaintFeedbackType), recipients };
  }
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
