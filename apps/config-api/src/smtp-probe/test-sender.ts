export type TestSenderInput = {
  /** The server's From filter: empty, a domain, a full address, or a comma-separated list of those. */
  fromFilter: string | null | undefined;
  /** The `mail.default.from` parameter: a local part (`notifications`) or a full address. */
  defaultFrom?: string | null | undefined;
  /** Used when the filter is empty, e.g. the database's default From address. */
  fallbackSender?: string | null | undefined;
};

/** Odoo v17's `default_from` of a new alias domain, used when `mail.default.from` is not set. */
export const defaultFromLocalPart = 'notifications';

/**
 * The MAIL FROM address a connection test uses: one the From filter allows, as Odoo v17's
 * `_get_test_email_from` picks it.
 * - The first filter part that contains `@` (a full address) is used as is.
 * - Otherwise the first part is a domain: `mail.default.from` at that domain when the parameter is a
 *   local part (`notifications` when unset), the parameter itself when it is a full address in that
 *   domain, else `noreply@<domain>`.
 * - An empty filter (empty, blank or only commas) gives `fallbackSender`.
 * Returns null when no sender can be derived (empty filter and no fallback).
 */
export function deriveTestSender(input: TestSenderInput): string | null {
  const parts = (input.fromFilter ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const address = parts.find((part) => part.includes('@'));
  if (address !== undefined) {
    return address;
  }
  const domain = parts[0];
  if (domain === undefined) {
    const fallback = input.fallbackSender?.trim();
    return fallback ? fallback : null;
  }
  const defaultFrom = input.defaultFrom?.trim() || defaultFromLocalPart;
  if (!defaultFrom.includes('@')) {
    return `${defaultFrom}@${domain}`;
  }
  const defaultDomain = defaultFrom.slice(defaultFrom.lastIndexOf('@') + 1);
  if (defaultDomain.toLowerCase() === domain.toLowerCase()) {
    return defaultFrom;
  }
  return `noreply@${domain}`;
}
