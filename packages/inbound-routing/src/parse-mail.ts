import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

export type { ParsedMail } from 'mailparser';

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  // The text of an HTML-only mail is needed (the thread shows it, loop checks hash it); an HTML
  // rendering of a text-only mail (`textAsHtml`, links made clickable) is not, and costs a pass.
  const mail = await simpleParser(raw, {
    skipHtmlToText: false,
    skipTextToHtml: true,
    maxHtmlLengthToParse: 5_000_000,
  });
  return withoutNulCharacters(mail);
}

const clean = (value: string): string => (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value);

function cleanAddresses(value: AddressObject | AddressObject[] | undefined): void {
  for (const object of Array.isArray(value) ? value : value ? [value] : []) {
    object.text = clean(object.text);
    for (const address of object.value) {
      address.name = clean(address.name);
      if (address.address) {
        address.address = clean(address.address);
      }
    }
  }
}

/**
 * A NUL character (a `=00` in quoted-printable text, a raw zero byte in a header) is the one
 * character PostgreSQL's text and jsonb cannot hold: left in, storing the mail failed on every
 * attempt. It carries nothing a reader could see, so it is dropped from everything routing reads.
 */
function withoutNulCharacters(mail: ParsedMail): ParsedMail {
  if (mail.subject) {
    mail.subject = clean(mail.subject);
  }
  if (mail.text) {
    mail.text = clean(mail.text);
  }
  if (typeof mail.html === 'string') {
    mail.html = clean(mail.html);
  }
  if (mail.messageId) {
    mail.messageId = clean(mail.messageId);
  }
  if (mail.inReplyTo) {
    mail.inReplyTo = clean(mail.inReplyTo);
  }
  if (typeof mail.references === 'string') {
    mail.references = clean(mail.references);
  } else if (Array.isArray(mail.references)) {
    mail.references = mail.references.map(clean);
  }
  for (const field of [mail.from, mail.to, mail.cc, mail.bcc, mail.replyTo]) {
    cleanAddresses(field);
  }
  for (const line of mail.headerLines) {
    line.line = clean(line.line);
  }
  for (const attachment of mail.attachments) {
    if (attachment.filename) {
      attachment.filename = clean(attachment.filename);
    }
  }
  return mail;
}

export const addressesOf = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((a) => a.value.map((v) => v.address ?? ''))
    .filter(Boolean);

export const headerText = (mail: ParsedMail, name: string): string[] =>
  mail.headerLines.filter((h) => h.key === name).map((h) => h.line.slice(h.line.indexOf(':') + 1).trim());
