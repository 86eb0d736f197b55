import { fail, ok, type Result } from './result.js';

export type ParsedAddress = {
  /** Display name, unquoted and unescaped, whitespace collapsed; null when there is none. */
  name: string | null;
  /** The address (addr-spec) as written: the original case is kept for headers and envelopes. */
  address: string;
  localPart: string;
  domain: string;
  /** The form used for comparisons: see normalizeAddress. */
  normalized: string;
};

// Line breaks or other control characters in a header value would let a caller inject headers.
const CONTROL_CHARACTER = /[^\P{Cc}\t]/u;
// Characters that cannot appear unquoted in a local part (RFC 5322 specials plus whitespace).
const LOCAL_PART_FORBIDDEN = /[\s()<>[\]:;@\\,"]/;
// A domain label: letters (any script, so internationalised domains are kept as written), digits, `-`, `_`.
// Odoo accepts `_` (its tests use `test@unknown_domain.com`), so we do too.
const DOMAIN_LABEL = /^[\p{L}\p{M}\p{N}_-]+$/u;
const ASCII = /^\p{ASCII}*$/u;

/**
 * Parses one mailbox as found in a From header: `admin@example.com`, `"Admin" <admin@example.com>`,
 * `Admin <admin@example.com>`, `<admin@example.com>` or `admin@example.com (Admin)`.
 * When angle brackets are present only their content is the address, so a display name may itself
 * contain something that looks like an address (`Name name@strange.name <x@y.com>` is x@y.com).
 * A list (a comma outside quotes) is refused: a From names one author.
 */
export function parseAddress(value: string): Result<ParsedAddress> {
  const invalid = (why: string): Result<ParsedAddress> =>
    fail('INVALID_ADDRESS', `${JSON.stringify(value)} is not a valid email address: ${why}`);

  if (value.trim() === '') {
    return invalid('it is empty');
  }
  if (CONTROL_CHARACTER.test(value)) {
    return invalid('it contains a line break or another control character');
  }

  let nameText = '';
  let commentText = '';
  let angle: string | null = null;
  let sawQuote = false;
  let i = 0;
  while (i < value.length) {
    const c = value.charAt(i);
    if (c === '"') {
      const quoted = readDelimited(value, i + 1, '"');
      if (quoted === null) {
        return invalid('a quote is not closed');
      }
      if (angle !== null) {
        return invalid('there is text after the <address>');
      }
      sawQuote = true;
      nameText += quoted.text;
      i = quoted.end;
    } else if (c === '(') {
      const comment = readComment(value, i + 1);
      if (comment === null) {
        return invalid('a "(" is not closed');
      }
      commentText += ` ${comment.text}`;
      i = comment.end;
    } else if (c === '<') {
      if (angle !== null) {
        return invalid('it contains more than one <address>');
      }
      const close = value.indexOf('>', i + 1);
      if (close === -1) {
        return invalid('a "<" is not closed');
      }
      angle = value.slice(i + 1, close).trim();
      if (angle.includes('<')) {
        return invalid('it contains a "<" inside <address>');
      }
      i = close + 1;
    } else if (c === '>') {
      return invalid('it contains a ">" without "<"');
    } else if (c === ',') {
      return invalid('it contains more than one address (a comma outside quotes separates addresses)');
    } else {
      if (angle !== null && !/\s/.test(c)) {
        return invalid('there is text after the <address>');
      }
      nameText += c;
      i += 1;
    }
  }

  let addrSpec: string;
  let name: string | null;
  if (angle !== null) {
    if (angle === '') {
      return invalid('there is nothing between "<" and ">"');
    }
    addrSpec = angle;
    name = collapse(nameText) || collapse(commentText) || null;
  } else {
    if (sawQuote) {
      return invalid('it has a quoted name but no <address>');
    }
    addrSpec = nameText.trim();
    if (/\s/.test(addrSpec)) {
      return invalid('it contains spaces; write a name and an address as Name <address>');
    }
    name = collapse(commentText) || null;
  }

  const spec = splitAddrSpec(addrSpec);
  if (typeof spec === 'string') {
    return invalid(spec);
  }
  const normalized = `${ASCII.test(spec.localPart) ? spec.localPart.toLowerCase() : spec.localPart}@${spec.domain.toLowerCase()}`;
  return ok({ name, address: addrSpec, localPart: spec.localPart, domain: spec.domain, normalized });
}

/**
 * The comparison form of an address, as Odoo's `email_normalize`: the domain is lower-cased, and the
 * local part too when it is ASCII (strictly, local parts are case-sensitive, but no real mail system
 * treats `Admin@` and `admin@` as two mailboxes). Accepts a bare address or a header value.
 */
export function normalizeAddress(value: string): Result<string> {
  const parsed = parseAddress(value);
  return parsed.ok ? ok(parsed.value.normalized) : parsed;
}

/** The lower-cased domain of an address (bare or header value). */
export function domainOf(value: string): Result<string> {
  const parsed = parseAddress(value);
  return parsed.ok ? ok(parsed.value.domain.toLowerCase()) : parsed;
}

type AddrSpec = { localPart: string; domain: string };

/** Returns the parts, or the reason the addr-spec is invalid. */
function splitAddrSpec(spec: string): AddrSpec | string {
  const at = spec.indexOf('@');
  if (at === -1) {
    return 'it has no "@"';
  }
  if (spec.indexOf('@', at + 1) !== -1) {
    return 'it has more than one "@"';
  }
  const localPart = spec.slice(0, at);
  const domain = spec.slice(at + 1);
  if (localPart === '') {
    return 'it has nothing before the "@"';
  }
  if (domain === '') {
    return 'it has no domain after the "@"';
  }
  const forbidden = LOCAL_PART_FORBIDDEN.exec(localPart);
  if (forbidden !== null) {
    return `the part before the "@" contains ${JSON.stringify(forbidden[0])}`;
  }
  if (!domain.split('.').every((label) => DOMAIN_LABEL.test(label))) {
    return `the domain ${JSON.stringify(domain)} is not a valid domain name`;
  }
  return { localPart, domain };
}

/** Reads up to an unescaped `end` character, unescaping `\x`. Returns null when it is never found. */
function readDelimited(value: string, start: number, end: string): { text: string; end: number } | null {
  let text = '';
  for (let i = start; i < value.length; i += 1) {
    const c = value.charAt(i);
    if (c === '\\' && i + 1 < value.length) {
      text += value.charAt(i + 1);
      i += 1;
    } else if (c === end) {
      return { text, end: i + 1 };
    } else {
      text += c;
    }
  }
  return null;
}

/** Reads a (possibly nested) comment; the text is used as display name when there is no other. */
function readComment(value: string, start: number): { text: string; end: number } | null {
  let depth = 1;
  let text = '';
  for (let i = start; i < value.length; i += 1) {
    const c = value.charAt(i);
    if (c === '\\' && i + 1 < value.length) {
      text += value.charAt(i + 1);
      i += 1;
    } else if (c === '(') {
      depth += 1;
      text += c;
    } else if (c === ')') {
      depth -= 1;
      if (depth === 0) {
        return { text, end: i + 1 };
      }
      text += c;
    } else {
      text += c;
    }
  }
  return null;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
