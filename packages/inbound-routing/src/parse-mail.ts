import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

export type { ParsedMail } from 'mailparser';

export function parseMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipHtmlToText: false, maxHtmlLengthToParse: 5_000_000 });
}

export const addressesOf = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((a) => a.value.map((v) => v.address ?? ''))
    .filter(Boolean);

export const headerText = (mail: ParsedMail, name: string): string[] =>
  mail.headerLines.filter((h) => h.key === name).map((h) => h.line.slice(h.line.indexOf(':') + 1).trim());
