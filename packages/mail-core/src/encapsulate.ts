import type { ParsedAddress } from './address.js';
import { formatAddress } from './format-address.js';

/**
 * R3.3: sends "as" the default From while keeping the author recognisable: the author's display name is
 * kept and the address becomes `defaultFrom`. An author without a display name gets its local part as
 * name, so `test@unknown_domain.com` becomes `"test" <notifications@test.com>`.
 */
export function encapsulateAddress(author: ParsedAddress, defaultFrom: string): string {
  return formatAddress(author.name ?? author.localPart, defaultFrom);
}
