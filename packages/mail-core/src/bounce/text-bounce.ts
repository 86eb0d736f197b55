/** One failed recipient found in the human-readable text of a bounce. */
export type TextFinding = { address: string; diagnostic: string | null; status: string | null };

const ADDR = String.raw`[\w.!#$%&'*+/=?^\`{|}~-]+@[\w-]+(?:\.[\w-]+)+`;
const ENHANCED = /\b([245]\.\d{1,3}\.\d{1,3})\b/;
const REPLY_CODE = /(?:^|[^\d.#-])([245]\d\d)(?:[ -]|$)/;

type RecipientLine = {
  /** Captures the address, then what follows it on the line. */
  pattern: RegExp;
  /** True for forms that only ever name failed recipients, even the report's own addressee. */
  trusted: boolean;
};

// Lines that name a failed recipient, most telling first. What follows the address on its line and
// the lines below it (up to an empty line or the next recipient) are its diagnostic.
const RECIPIENT_LINES: readonly RecipientLine[] = [
  // Postfix, qmail, Courier, DragonFly: "<user@example.org>: host … said: 550 …"
  { pattern: new RegExp(String.raw`^\s*[<"](${ADDR})[>"]\s*:(.*)$`, 'i'), trusted: true },
  // Sendmail: "550 5.1.1 <user@example.org>... User unknown"
  {
    pattern: new RegExp(
      String.raw`^\s*[45]\d\d[ -](?:[45]\.\d{1,3}\.\d{1,3} )?<?(${ADDR})>?\.\.\.\s*(.*)$`,
      'i',
    ),
    trusted: true,
  },
  // Sendmail's list under "The following addresses had permanent fatal errors": ">>> user@example.org"
  { pattern: new RegExp(String.raw`^>>>\s*<?(${ADDR})>?(.*)$`, 'i'), trusted: true },
  // Exim, Gmail: the address alone on an indented line, the error indented below it.
  { pattern: new RegExp(String.raw`^\s+<?(${ADDR})>?\s*$`, 'i'), trusted: true },
  { pattern: new RegExp(String.raw`^\s*<?(${ADDR})>?\s*(?:[:,]\s*(.*)|\s(.*))?$`, 'i'), trusted: false },
  // Sendmail transcripts and many others: "RCPT TO:<user@example.org>"
  { pattern: new RegExp(String.raw`RCPT TO:\s*<?(${ADDR})>?(.*)$`, 'i'), trusted: false },
  // Labelled lines in several languages: "Recipient: …", "Failed address: …", "Empfänger: …"
  {
    pattern: new RegExp(
      String.raw`(?:recipient|address|addressee|destinataire|empf[äa]nger|destinatario|to|user|mailbox|rcpt)s?[^:\n]{0,40}:\s*<?"?(${ADDR})"?>?(.*)$`,
      'i',
    ),
    trusted: false,
  },
  { pattern: new RegExp(`<(${ADDR})>(.*)$`, 'i'), trusted: false },
  { pattern: new RegExp(`(${ADDR})(.*)$`, 'i'), trusted: false },
];

/**
 * The failed recipients a text report names, each with the words that go with it. `ignore` are
 * addresses that are not recipients (the report's sender and addressee). The most telling line form
 * present wins for the whole report, so a Postfix report's "<user>:" lines are not mixed with
 * addresses merely mentioned in a diagnostic.
 */
export function readTextBounce(errorText: string, ignore: ReadonlySet<string>): TextFinding[] {
  const lines = errorText.split(/\r?\n/);
  for (const { pattern, trusted } of RECIPIENT_LINES) {
    const findings = findWith(lines, pattern, trusted ? new Set() : ignore);
    if (findings.length > 0) {
      return withReplyLines(findings, errorText);
    }
  }
  return [];
}

/** The SMTP reply lines of a text report (lines with a reply code and words), on one line. */
export function replyLines(errorText: string): string | null {
  const lines = errorText
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => REPLY_CODE.test(line) && /[a-z]{3}/i.test(line) && !/^(?:date|received):/i.test(line));
  return lines.length === 0 ? null : lines.join(' ');
}

export function statusIn(text: string | null): string | null {
  return text === null ? null : (ENHANCED.exec(text)?.[1] ?? null);
}

export function replyCodeIn(text: string | null): string | null {
  return text === null ? null : (REPLY_CODE.exec(text)?.[1] ?? null);
}

// A lone recipient whose block holds no reply code gets the report's reply lines: Gmail and others
// write the address in one paragraph and the server's answer in another.
function withReplyLines(findings: TextFinding[], errorText: string): TextFinding[] {
  const [only] = findings;
  if (findings.length !== 1 || only === undefined || replyCodeIn(only.diagnostic) !== null) {
    return findings;
  }
  const replies = replyLines(errorText);
  if (replies === null) {
    return findings;
  }
  const diagnostic = only.diagnostic === null ? replies : `${only.diagnostic} ${replies}`;
  return [{ address: only.address, diagnostic, status: only.status ?? statusIn(replies) }];
}

function findWith(lines: readonly string[], pattern: RegExp, ignore: ReadonlySet<string>): TextFinding[] {
  const hits: { index: number; address: string }[] = [];
  lines.forEach((line, index) => {
    const address = pattern.exec(line)?.[1];
    if (address !== undefined && !ignore.has(address.toLowerCase())) {
      hits.push({ index, address });
    }
  });
  const findings = new Map<string, TextFinding>();
  hits.forEach((hit, n) => {
    const next = hits[n + 1]?.index ?? lines.length;
    const line = (lines[hit.index] ?? '').trim();
    let words = [line, ...blockBelow(lines, hit.index + 1, next)];
    // An address alone, with nothing under it: Lotus Notes and others write the reason above it.
    if (words.length === 1 && line.replace(/[<>"]/g, '') === hit.address) {
      words = [...blockAbove(lines, hit.index, hits[n - 1]?.index ?? -1), line];
    }
    const key = hit.address.toLowerCase();
    const known = findings.get(key);
    // The same recipient named again (a summary, then the transcript) adds to its diagnostic.
    const diagnostic = [known?.diagnostic ?? '', ...words].filter((part) => part !== '').join(' ') || null;
    findings.set(key, { address: known?.address ?? hit.address, diagnostic, status: statusIn(diagnostic) });
  });
  return [...findings.values()];
}

// The lines of the paragraph above a recipient, not going past the previous one.
function blockAbove(lines: readonly string[], at: number, previous: number): string[] {
  const above: string[] = [];
  for (let i = at - 1; i > previous; i -= 1) {
    const line = (lines[i] ?? '').trim();
    if (line === '') {
      break;
    }
    above.unshift(line);
  }
  return above;
}

// The lines under a recipient up to the first empty line after some text, or the next recipient.
function blockBelow(lines: readonly string[], from: number, to: number): string[] {
  const below: string[] = [];
  for (let i = from; i < to; i += 1) {
    const line = (lines[i] ?? '').trim();
    if (line === '') {
      if (below.length > 0) {
        break;
      }
      continue;
    }
    below.push(line);
  }
  return below;
}
