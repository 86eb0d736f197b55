import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

export type { ParsedMail } from 'mailparser';

export function parseMail(raw: Buffer): Promise<ParsedMail> {
  // The text of an HTML-only mail is needed (the thread shows it, loop checks hash it); an HTML
  // rendering of a text-only mail (`textAsHtml`, links made clickable) is not, and costs a pass.
  return simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, maxHtmlLengthToParse: 5_000_000 });
}

export const addressesOf = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((a) => a.value.map((v) => v.address ?? ''))
    .filter(Boolean);

export const headerText = (mail: ParsedMail, name: string): string[] =>
  mail.headerLines.filter((h) => h.key === name).map((h) => h.line.slice(h.line.indexOf(':') + 1).trim());
