// Syntax checks for configuration values (not for parsing mail: that is @sotamail/mail-core's job).

const domainPattern =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export const isDomain = (value: string): boolean => domainPattern.test(value);
export const isLocalPart = (value: string): boolean => value.length <= 64 && localPartPattern.test(value);

export function isAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  return at > 0 && isLocalPart(value.slice(0, at)) && isDomain(value.slice(at + 1));
}

/** A From filter: empty, or a comma-separated list of domains and full addresses (R2.1). */
export function fromFilterProblem(value: string): string | null {
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.filter((p) => p !== '' && !(p.includes('@') ? isAddress(p) : isDomain(p)));
  if (bad.length > 0) {
    return `"${bad.join('", "')}" ${bad.length === 1 ? 'is' : 'are'} neither a domain nor an email address`;
  }
  if (parts.every((p) => p === '')) {
    return 'is empty; leave the filter unset instead';
  }
  return null;
}
