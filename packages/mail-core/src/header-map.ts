/**
 * The header section of a mail as the pure code of mail-core sees it: header names lower-cased, each
 * name mapped to its values in the order they appear in the mail (a header may occur several times,
 * e.g. Received or Return-Path). Values are unfolded (the line breaks of a folded header removed) and
 * trimmed, otherwise kept as written: encoded words (`=?UTF-8?…?=`) are not decoded. Whoever parses the
 * raw mail (mailparser in the router and the CLI) builds it with headerMap.
 */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

/**
 * Builds a HeaderMap from `[name, value]` pairs in mail order, e.g. mailparser's `headerLines` split at
 * the first colon. Names are trimmed and lower-cased; a pair with an empty name is skipped.
 */
export function headerMap(pairs: Iterable<readonly [string, string]>): HeaderMap {
  const map = new Map<string, string[]>();
  for (const [rawName, rawValue] of pairs) {
    const name = rawName.trim().toLowerCase();
    if (name === '') {
      continue;
    }
    const value = unfold(rawValue);
    const values = map.get(name);
    if (values === undefined) {
      map.set(name, [value]);
    } else {
      values.push(value);
    }
  }
  return map;
}

/**
 * Builds a HeaderMap from raw header lines as written in the mail (`Name: value`, possibly folded over
 * several lines), e.g. mailparser's `headerLines[].line`. A line without a colon is skipped.
 */
export function headerMapFromLines(lines: Iterable<string>): HeaderMap {
  const pairs: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      pairs.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return headerMap(pairs);
}

/** Every value of a header (the name in any case), in mail order; empty when it is absent. */
export function headerValues(headers: HeaderMap, name: string): readonly string[] {
  return headers.get(name.toLowerCase()) ?? [];
}

/** The first value of a header (the name in any case), or null when it is absent. */
export function headerValue(headers: HeaderMap, name: string): string | null {
  return headerValues(headers, name)[0] ?? null;
}

// RFC 5322 §2.2.3: unfolding removes a CRLF that is followed by white space. A lone LF is accepted too.
function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '').trim();
}
