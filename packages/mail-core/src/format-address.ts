/**
 * Formats a header value from a display name and an address (the address must come from
 * parseAddress, so it is known to be valid). The name is always quoted, as Odoo does, so that commas,
 * `<`, `@` and the like in it can never be read as another address; `\` and `"` are escaped.
 * Line breaks and control characters in the name become spaces: a name must never inject a header.
 * Non-ASCII names are kept as they are; encoding (RFC 2047) is the MIME composer's job.
 */
export function formatAddress(name: string | null | undefined, address: string): string {
  const cleanName = (name ?? '')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleanName === '') {
    return address;
  }
  return `"${cleanName.replace(/[\\"]/g, '\\$&')}" <${address}>`;
}
