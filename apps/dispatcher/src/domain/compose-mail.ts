// The email for one recipient, as plain data for the SMTP adapter: no I/O library here.

export type ComposeInput = {
  message: {
    subject: string;
    bodyHtml: string;
    bodyText: string;
    messageId: string;
    kind: 'comment' | 'email' | 'note';
  };
  thread: { model: string; recordId: string; subject: string };
  recipient: { email: string; name: string | null };
  fromHeader: string;
  replyTo: string | null;
  /** Message-IDs of the thread's earlier messages, oldest first, without brackets. */
  references: string[];
  envelope: { from: string; to: string };
  attachments: { filename: string; contentType: string; content: Buffer }[];
  date: Date;
};

export type ComposedMail = {
  from: string;
  to: { name: string; address: string };
  subject: string;
  html?: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  replyTo?: string;
  headers: Record<string, string>;
  envelope: { from: string; to: string[] };
  attachments: { filename: string; contentType: string; content: Buffer }[];
  date: Date;
};

/** The header naming the thread a mail belongs to: replies whose Message-ID chain was lost still route by it. */
export const threadHeader = 'X-SotaMail-Thread';

export function threadHeaderValue(model: string, recordId: string): string {
  return `${model}/${encodeURIComponent(recordId)}`;
}

const entities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  euro: '€',
  copy: '©',
  reg: '®',
  hellip: '…',
  ndash: '–',
  mdash: '—',
};

/** A readable text part from the HTML body, for clients and filters that prefer text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|blockquote)>/gi, '\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) {
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      }
      if (name.startsWith('#')) {
        return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
      }
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function composeMail(input: ComposeInput): ComposedMail {
  const { message, thread } = input;
  const headers: Record<string, string> = {
    [threadHeader]: threadHeaderValue(thread.model, thread.recordId),
  };
  if (message.kind === 'note') {
    // System mail (RFC 3834): auto-responders must not answer it, and Exchange should not send OOF.
    headers['Auto-Submitted'] = 'auto-generated';
    headers['X-Auto-Response-Suppress'] = 'OOF, AutoReply';
  }
  const last = input.references.at(-1);
  const text = message.bodyText.trim() !== '' ? message.bodyText : htmlToText(message.bodyHtml);
  return {
    from: input.fromHeader,
    to: { name: input.recipient.name ?? '', address: input.recipient.email },
    subject: message.subject || thread.subject,
    ...(message.bodyHtml.trim() !== '' ? { html: message.bodyHtml } : {}),
    text,
    messageId: `<${message.messageId}>`,
    ...(last ? { inReplyTo: `<${last}>`, references: input.references.map((id) => `<${id}>`) } : {}),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    headers,
    envelope: { from: input.envelope.from, to: [input.envelope.to] },
    attachments: input.attachments,
    date: input.date,
  };
}
