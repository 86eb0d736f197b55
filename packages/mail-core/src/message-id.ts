// An RFC 5322 dot-atom: runs of atom characters separated by single dots. Non-ASCII letters are
// allowed (RFC 6532); whitespace, controls and the specials that delimit a msg-id are not.
const DOT_ATOM = /^[^\s\p{Cc}<>@()[\]\\,;:".]+(?:\.[^\s\p{Cc}<>@()[\]\\,;:".]+)*$/u;

/**
 * R6.2: the Message-ID header value `<unique@domain>` (RFC 5322 msg-id). `unique` is what makes it
 * unique (e.g. a UUID, chosen by the caller so that the id is stable across retries) and `domain` a
 * domain of ours, such as the catchall domain. Both must be dot-atoms (no spaces, `<>@` or the like,
 * no leading, trailing or doubled dots); anything else is a bug, not a data error, and throws a
 * TypeError, because a bad value would produce a header that breaks threading or injects text.
 */
export function formatMessageId(unique: string, domain: string): string {
  if (!DOT_ATOM.test(unique)) {
    throw new TypeError(`not a valid left part of a Message-ID: ${JSON.stringify(unique)}`);
  }
  if (!DOT_ATOM.test(domain)) {
    throw new TypeError(`not a valid domain for a Message-ID: ${JSON.stringify(domain)}`);
  }
  return `<${unique}@${domain}>`;
}

/**
 * One Message-ID as stored and compared: `  <abc@example.com>\r\n ` → `abc@example.com`. Removes all
 * whitespace (folding) and one pair of surrounding angle brackets. Made for a single id, such as a
 * Message-ID header or what nodemailer reports; use parseMessageIdList for headers that may hold
 * several ids, comments or junk.
 */
export function stripMessageId(value: string): string {
  const compact = value.replace(/\s+/g, '');
  const start = compact.startsWith('<') ? 1 : 0;
  const end = compact.endsWith('>') && compact.length > start ? compact.length - 1 : compact.length;
  return compact.slice(start, end);
}

/**
 * The ids in a References or In-Reply-To header (R8 reply detection), without brackets, in order of
 * first appearance, each once. Tolerant of what real mail contains:
 * - folding (line breaks with indentation), also inside an id, where it is removed;
 * - comments `(...)`, nested or not, and quoted strings `"..."` are skipped, with whatever they hold
 *   (a `(` or `"` that is never closed is junk, so a broken phrase cannot hide the ids after it);
 * - junk around the ids (old In-Reply-To forms such as `Your message of Mon, 1 Jan <id@host>`),
 *   commas, and stray `<` (`<<id@host>>` gives `id@host`);
 * - ids without `@` (`<1234567890>`) are kept: some systems make them, and a lookup simply finds nothing;
 * - when there are no `<id>` at all, bare `local@domain` words are taken (some mailers write
 *   `References: a@x b@y`); words without `@` are ignored.
 * An id that is not closed by `>` (a truncated header) is dropped. Comparison is exact: the left part
 * of an id is case-sensitive.
 */
export function parseMessageIdList(header: string): string[] {
  const bracketed: string[] = [];
  const bare: string[] = [];
  let word = '';
  const endWord = (): void => {
    if (word.includes('@')) {
      bare.push(word);
    }
    word = '';
  };

  let i = 0;
  while (i < header.length) {
    const c = header.charAt(i);
    const skipped = c === '(' ? skipComment(header, i + 1) : c === '"' ? skipQuoted(header, i + 1) : -1;
    if (skipped !== -1) {
      endWord();
      i = skipped;
    } else if (c === '<') {
      endWord();
      const close = header.indexOf('>', i + 1);
      if (close === -1) {
        break;
      }
      const reopen = header.lastIndexOf('<', close);
      const id = header.slice(reopen + 1, close).replace(/\s+/g, '');
      if (id !== '') {
        bracketed.push(id);
      }
      i = close + 1;
    } else if (/[\s,>]/.test(c)) {
      endWord();
      i += 1;
    } else {
      word += c;
      i += 1;
    }
  }
  endWord();
  return [...new Set(bracketed.length > 0 ? bracketed : bare)];
}

/** The index after a comment whose `(` is just before `start`; -1 when it is never closed. */
function skipComment(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (c === '\\') {
      i += 1;
    } else if (c === '(') {
      depth += 1;
    } else if (c === ')') {
      depth -= 1;
      if (depth === 0) {
        return i + 1;
      }
    }
  }
  return -1;
}

/** The index after a quoted string whose `"` is just before `start`; -1 when it is never closed. */
function skipQuoted(text: string, start: number): number {
  for (let i = start; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (c === '\\') {
      i += 1;
    } else if (c === '"') {
      return i + 1;
    }
  }
  return -1;
}
