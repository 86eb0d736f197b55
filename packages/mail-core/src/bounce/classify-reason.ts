import type { BounceReason } from './bounce-report.js';
import { REASON_PHRASES } from './reason-phrases.js';

export type ReasonInput = {
  /** Enhanced status code such as `5.1.1`, or null. */
  status: string | null;
  /** The server's words (diagnostic), or null. */
  diagnostic: string | null;
  /** DSN Action (`failed`, `delayed` …), or null. */
  action?: string | null;
  /** The SMTP command the server refused, when the report says (see smtpCommandIn). */
  command?: SmtpCommand | null;
  /** The reason the sender's family implies (see familyReason), for when nothing else tells. */
  familyReason?: BounceReason | null;
};

export type SmtpCommand = 'CONN' | 'HELO' | 'MAIL' | 'RCPT' | 'DATA';

// How reports name the command a refusal answered: Postfix "(in reply to RCPT TO command)", Exim
// "after RCPT TO:", Sendmail ">>> DATA", Exchange and others "after end of data".
const COMMANDS: readonly (readonly [SmtpCommand, RegExp])[] = [
  ['DATA', /in reply to (?:end of )?data|after (?:end of )?data|>>> data|\bdata command|end of data/gi],
  ['MAIL', /in reply to mail from|after mail from|>>> mail from/gi],
  [
    'RCPT',
    /in reply to rcpt to|after rcpt(?: to| command)|>>> rcpt to|rcpt to command|did not like our rcpt to|most progress was rcpt|does not like recipient|\[rcpt_to\]|smtp:rcpt/gi,
  ],
  ['HELO', /in reply to (?:helo|ehlo)|after (?:helo|ehlo)|>>> (?:helo|ehlo)|my name was rejected/gi],
  ['CONN', /after initial connection|(?:greeting|banner) from|refused to talk to me|while connected to/gi],
];

// A transcript: the command (">>> RCPT To:<…>") just before the first refusal ("<<< 550 …").
const TRANSCRIPT = />>>\s*(data|rcpt to|mail from|ehlo|helo)\b(?:(?!<<<)[\s\S])*?<<<\s*[45]\d\d/i;
const TRANSCRIPT_COMMANDS: Readonly<Record<string, SmtpCommand>> = {
  data: 'DATA',
  'rcpt to': 'RCPT',
  'mail from': 'MAIL',
  ehlo: 'HELO',
  helo: 'HELO',
};

/**
 * The SMTP command a report says was refused: the one a session transcript shows answered by the
 * first refusal, else the last one named in the words ("in reply to RCPT TO command"), else null.
 */
export function smtpCommandIn(text: string): SmtpCommand | null {
  const transcript = TRANSCRIPT.exec(text)?.[1]?.toLowerCase();
  if (transcript !== undefined) {
    return TRANSCRIPT_COMMANDS[transcript] ?? null;
  }
  let found: SmtpCommand | null = null;
  let at = -1;
  for (const [command, pattern] of COMMANDS) {
    for (const match of text.matchAll(pattern)) {
      if (match.index > at) {
        at = match.index;
        found = command;
      }
    }
  }
  return found;
}

// What an enhanced status code means when the words say nothing we know (RFC 3463 and the IANA
// registry of enhanced status codes, mapped to the reason vocabulary). Exact codes first, then the
// subject.detail without the class.
const BY_STATUS: Readonly<Record<string, BounceReason>> = {
  '1.1': 'userunknown',
  '1.0': 'userunknown',
  '1.2': 'hostunknown',
  '1.3': 'userunknown',
  '1.4': 'userunknown',
  '1.5': 'userunknown',
  '1.6': 'hasmoved',
  '1.7': 'rejected',
  '1.8': 'rejected',
  '1.10': 'notaccept',
  '2.0': 'filtered',
  '2.1': 'suspend',
  '2.2': 'mailboxfull',
  '2.3': 'exceedlimit',
  '2.4': 'mailererror',
  '3.0': 'systemerror',
  '3.1': 'systemfull',
  '3.2': 'notaccept',
  '3.3': 'systemerror',
  '3.4': 'mesgtoobig',
  '3.5': 'systemerror',
  '4.0': 'networkerror',
  '4.1': 'expired',
  '4.2': 'expired',
  '4.3': 'systemerror',
  '4.4': 'hostunknown',
  '4.5': 'networkerror',
  '4.6': 'networkerror',
  '4.7': 'expired',
  '5.0': 'syntaxerror',
  '5.1': 'syntaxerror',
  '5.2': 'syntaxerror',
  '5.3': 'syntaxerror',
  '5.4': 'syntaxerror',
  '5.5': 'syntaxerror',
  '6.0': 'contenterror',
  '6.1': 'contenterror',
  '6.9': 'contenterror',
  '7.0': 'blocked',
  '7.1': 'blocked',
  '7.7': 'securityerror',
  '7.8': 'securityerror',
  '7.9': 'securityerror',
  '7.13': 'suspend',
  '7.23': 'authfailure',
  '7.25': 'requireptr',
  '7.26': 'authfailure',
  '7.27': 'notaccept',
  '7.509': 'authfailure',
};

/**
 * The reason of one bounced recipient: first from the server's words (the reason tables), since the
 * same status code is written for very different refusals (5.7.1 for spam, policy or a blocked IP);
 * then from the status code; then a delayed report is an expiry; else `undefined`.
 */
export function classifyReason(input: ReasonInput): BounceReason {
  const text = normalise(input.diagnostic ?? '');
  if (text !== '') {
    for (const [reason, patterns] of REASON_PHRASES) {
      if (patterns.some((pattern) => pattern.test(text))) {
        return afterCommand(reason, input.command ?? null, input.status, text);
      }
    }
  }
  const byStatus = reasonOfStatus(input.status);
  if (byStatus !== null) {
    return byStatus;
  }
  if (input.familyReason != null) {
    return input.familyReason;
  }
  if (input.action === 'delayed') {
    return 'expired';
  }
  return 'undefined';
}

// An "unknown user" is only that when the status is x.1.x or the server said so at RCPT TO; said at
// DATA, or with no sign of when, it comes from a filter that accepted the recipient first (Sisimai
// reads it so too). Some phrases of mail systems about their own users leave no doubt. Said at MAIL
// FROM, "unknown" is about our sender address.
const UNMISTAKABLY_UNKNOWN =
  /recipient name is not recognized|no valid recipients|address couldn't be found|no mailbox here by that name|check if (?:the )?address is correct|^unknown user:|not listed in public name & address book/;

function afterCommand(
  reason: BounceReason,
  command: SmtpCommand | null,
  status: string | null,
  text: string,
): BounceReason {
  if (reason === 'userunknown' && !/^[45]\.1\./.test(status ?? '') && !UNMISTAKABLY_UNKNOWN.test(text)) {
    if (command === 'DATA' || command === null || command === 'CONN' || command === 'HELO') {
      return 'filtered';
    }
  }
  if ((reason === 'userunknown' || reason === 'hostunknown') && command === 'MAIL') {
    return 'rejected';
  }
  return reason;
}

/** The reason an enhanced status code alone gives, or null for generic codes (x.0.0). */
export function reasonOfStatus(status: string | null): BounceReason | null {
  const match = /^[245]\.(\d{1,3}\.\d{1,3})$/.exec(status ?? '');
  if (match?.[1] === undefined) {
    return null;
  }
  return BY_STATUS[match[1]] ?? null;
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
