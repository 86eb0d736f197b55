import { parseAddress } from './address.js';

/**
 * A From filter (R2.1) is empty, a domain, a full address, or a comma-separated list of those. Parts
 * are trimmed and blank parts dropped, so a filter with no non-blank part (``, ` `, `,`) is empty and
 * allows every sender, both when matching and when choosing a server (R4 step 3).
 */
export function fromFilterParts(filter: string | null | undefined): string[] {
  return (filter ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function isEmptyFromFilter(filter: string | null | undefined): boolean {
  return fromFilterParts(filter).length === 0;
}

/** True when a part of the filter is a full address equal to `normalized` (a normalised address). */
export function filterContainsAddress(filter: string | null | undefined, normalized: string): boolean {
  return fromFilterParts(filter).some((part) => {
    if (!part.includes('@')) {
      return false;
    }
    const parsed = parseAddress(part);
    return parsed.ok && parsed.value.normalized === normalized;
  });
}

/**
 * True when a part of the filter is a domain equal to `domain`, ignoring case. Only the exact domain
 * matches: `mail.example.com` is not `example.com`, since a server allowed for a domain is not
 * necessarily allowed (SPF, DKIM) for its sub-domains.
 */
export function filterContainsDomain(filter: string | null | undefined, domain: string): boolean {
  const wanted = domain.toLowerCase();
  return fromFilterParts(filter).some((part) => !part.includes('@') && part.toLowerCase() === wanted);
}

/**
 * Whether a server with this From filter may send as `address` (a bare address or a header value).
 * An empty filter allows everything; an invalid address is allowed only by an empty filter.
 */
export function matchesFromFilter(address: string, filter: string | null | undefined): boolean {
  if (isEmptyFromFilter(filter)) {
    return true;
  }
  const parsed = parseAddress(address);
  if (!parsed.ok) {
    return false;
  }
  return (
    filterContainsAddress(filter, parsed.value.normalized) ||
    filterContainsDomain(filter, parsed.value.domain)
  );
}
