/**
 * The one place that decides what a failed SMTP send means (house style: errors are permanent or
 * transient, classified in one place). Pure: it reads what nodemailer reports about the failure
 * (its `err.code` first, then the SMTP reply) and never touches a connection.
 *
 * Kinds:
 * - `permanent`: retrying the same mail would fail the same way (SMTP 5xx, an invalid address, bad
 *   credentials, a TLS set-up that cannot work). The notification becomes `exception` at once.
 * - `transient`: may work later (SMTP 4xx, the network, an unknown error). Retried with backoff
 *   (retryDelayMs) up to a limit, then `exception`.
 * - `throttled`: transient, and the server asks us to send less (421, 432, 4.3.2, "too many
 *   connections", rate and quota wording). The mail is retried like a transient failure, and the
 *   dispatcher also slows down for that server instead of failing more mail.
 */

/**
 * What failed, stored as the notification's failure type (R6.1) and shown with the reason (R6.3):
 * - `connection`: no connection, or it broke, or the server refused the session (greeting, EHLO);
 * - `timeout`: the server did not answer in time (connecting, greeting or any command);
 * - `dns`: the server's host name could not be resolved;
 * - `tls`: TLS could not be set up: SSL against a STARTTLS port or the reverse, a certificate that
 *   does not verify, STARTTLS refused;
 * - `auth`: the credentials were refused or are missing (EAUTH, 535, 534 "application-specific
 *   password required"), or an OAuth2 token could not be obtained;
 * - `sender_refused`: the server refused the envelope sender (a reply to MAIL FROM);
 * - `recipient_refused`: the server refused the recipient (a reply to RCPT TO, or one recipient's
 *   reply in LMTP);
 * - `message_refused`: the server refused the message itself (DATA, or the reply after the data:
 *   content, size, spam, DMARC);
 * - `server_busy`: throttled: too many connections or threads, the server is busy or going down (421);
 * - `rate_limited`: throttled: too many messages or recipients for a period, a sending quota;
 * - `invalid_address`: the envelope was refused before anything was sent (nodemailer's EENVELOPE
 *   without a server reply: "No recipients defined", an invalid sender or recipient);
 * - `protocol`: the server's replies made no sense (EPROTOCOL) or came out of sequence (503);
 * - `config`: our set-up is wrong in a way no retry fixes (ECONFIG, file or URL access refused,
 *   more recipients than allowed, Node's permission model);
 * - `unknown`: anything else. Transient: retrying a few times is safer than dropping mail.
 */
export const SMTP_FAILURE_TYPES = [
  'connection',
  'timeout',
  'dns',
  'tls',
  'auth',
  'sender_refused',
  'recipient_refused',
  'message_refused',
  'server_busy',
  'rate_limited',
  'invalid_address',
  'protocol',
  'config',
  'unknown',
] as const;

export type SmtpFailureType = (typeof SMTP_FAILURE_TYPES)[number];

export type SmtpOutcomeKind = 'transient' | 'throttled' | 'permanent';

/**
 * The fields of a nodemailer error (or of one entry of `info.rejectedErrors`), copied by the adapter:
 * mail-core imports no I/O library.
 */
export type SmtpErrorReport = {
  /** nodemailer's `err.code`: ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, ETLS, EAUTH, EENVELOPE, EMESSAGE, EPROTOCOL… */
  code?: string | undefined;
  /** nodemailer's `err.originalCode`: the system error under its code (ECONNREFUSED, ERR_SSL_…, CERT_…). */
  originalCode?: string | undefined;
  /** The SMTP reply code, e.g. 550. */
  responseCode?: number | undefined;
  /** The server's reply, as nodemailer gives it (continuation lines joined with `\n`). */
  response?: string | undefined;
  /** The command that failed: 'CONN', 'EHLO', 'STARTTLS', 'AUTH PLAIN', 'MAIL FROM', 'RCPT TO', 'DATA', 'API'… */
  command?: string | undefined;
  message?: string | undefined;
  /**
   * True for an error about one recipient while the others may have been accepted: an entry of
   * `info.rejectedErrors` (a refused RCPT TO, or one recipient's reply after the data in LMTP).
   */
  rejectedRecipient?: boolean | undefined;
};

export type SmtpOutcome = {
  kind: SmtpOutcomeKind;
  failureType: SmtpFailureType;
  /**
   * The enhanced status code (RFC 3463) of the reply, e.g. `5.1.1`; else `4.0.0` / `5.0.0` from the
   * reply code; null when there was no 4xx or 5xx reply (network, TLS, local errors).
   */
  statusCode: string | null;
  /**
   * For a person (R6.3): what failed, then the server's words on one line (continuation lines joined),
   * at most 500 characters. `RCPT TO refused: 550 5.1.1 <x@y>: Recipient address rejected: User unknown`.
   */
  reason: string;
  /**
   * A recipient refused at SMTP time with a permanent reply (5xx at RCPT TO, or one recipient's 5xx
   * in LMTP): record it as a bounce of that recipient (R10.2). False when the refusal is about us
   * rather than the recipient (5.7.x policy: relay denied, SPF/DKIM/DMARC, our IP blocked, spam; our
   * sender refused at RCPT TO: 5.1.7, 5.1.8, "Sender address rejected", "Sender verify failed"), so
   * that our own misconfiguration never counts towards blacklisting a contact (R10.3). A 5xx after
   * the data (one reply for the whole message) is `message_refused` and not a bounce.
   */
  isRecipientBounce: boolean;
  /**
   * The bounce says the address is permanently undeliverable (5.1.x other than the sender's 5.1.7 and
   * 5.1.8, 5.2.1 mailbox disabled, Microsoft's 5.4.1 "Recipient address rejected", or a 5xx without
   * enhanced code saying "user unknown" or the like). Only ever true with isRecipientBounce; a full
   * mailbox (5.2.2) is a soft bounce.
   */
  hardBounce: boolean;
};

/** Decides what a failed send means. Total: any input, even empty, gives an outcome. */
export function classifySmtpError(error: SmtpErrorReport): SmtpOutcome {
  const reply = replyCodeOf(error);
  if (reply === null) {
    return withoutReply(error);
  }
  const stage = stageOf(error);
  const words = error.response?.trim() ? serverWords(error.response) : singleLine(error.message ?? '');
  const statusCode = enhancedStatus(words, reply) ?? `${Math.floor(reply / 100)}.0.0`;
  const reason = truncate(`${replyPrefix(stage, error)}: ${words || String(reply)}`);
  const base = { statusCode, reason, isRecipientBounce: false, hardBounce: false };

  const throttle = throttleType(reply, statusCode, words);
  if (throttle !== null) {
    return { ...base, kind: 'throttled', failureType: throttle };
  }
  const failureType = stageFailureType(stage, error);
  if (reply < 500) {
    return { ...base, kind: 'transient', failureType };
  }
  // 503 "bad sequence of commands": the session was in the wrong state, not the mail refused; a new
  // session can succeed (as nodemailer's isPermanentResponseCode says). At AUTH it means AUTH is not
  // offered, which no retry fixes.
  if (reply === 503 && stage !== 'auth') {
    return { ...base, kind: 'transient', failureType: 'protocol' };
  }
  // 'rcpt' includes one recipient's reply after the data (rejectedRecipient, LMTP).
  const isRecipientBounce = stage === 'rcpt' && !isAboutUs(statusCode, words);
  return {
    ...base,
    kind: 'permanent',
    failureType,
    isRecipientBounce,
    hardBounce: isRecipientBounce && isAddressGone(statusCode, words),
  };
}

// ---------------------------------------------------------------------------------------------------
// Stages: which step of the SMTP session failed.

type Stage = 'connect' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'other';

function stageOf(error: SmtpErrorReport): Stage {
  const command = (error.command ?? '').trim().toUpperCase();
  // One recipient's error, even when it came with DATA (LMTP answers once per recipient after the data).
  if (command.startsWith('RCPT') || error.rejectedRecipient === true) {
    return 'rcpt';
  }
  if (command.startsWith('MAIL')) {
    return 'mail';
  }
  if (command.startsWith('DATA') || command.startsWith('BDAT') || command === '.') {
    return 'data';
  }
  if (command.startsWith('AUTH')) {
    return 'auth';
  }
  if (command === 'STARTTLS') {
    return 'tls';
  }
  const code = normalizedCode(error.code);
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2') {
    return 'auth';
  }
  if (code === 'ETLS' || code === 'EREQUIRETLS') {
    return 'tls';
  }
  if (code === 'EMESSAGE') {
    return 'data';
  }
  if (['CONN', 'EHLO', 'HELO', 'LHLO', 'GREETING'].includes(command)) {
    return 'connect';
  }
  return 'other';
}

function stageFailureType(stage: Stage, error: SmtpErrorReport): SmtpFailureType {
  switch (stage) {
    case 'connect':
      return 'connection';
    case 'tls':
      return 'tls';
    case 'auth':
      return 'auth';
    case 'mail':
      return 'sender_refused';
    case 'rcpt':
      return 'recipient_refused';
    case 'data':
      return 'message_refused';
    case 'other':
      return codeFailure(error)?.failureType ?? (error.command?.trim() ? 'protocol' : 'unknown');
  }
}

function replyPrefix(stage: Stage, error: SmtpErrorReport): string {
  const command = (error.command ?? '').trim().toUpperCase();
  switch (stage) {
    case 'rcpt':
      return command.startsWith('DATA') ? 'Message refused for the recipient' : 'RCPT TO refused';
    case 'mail':
      return 'MAIL FROM refused';
    case 'data':
      return normalizedCode(error.code) === 'EMESSAGE' ? 'Message refused' : 'DATA refused';
    case 'auth':
      return 'Authentication failed';
    case 'tls':
      return command === 'STARTTLS' ? 'STARTTLS refused' : 'TLS failed';
    case 'connect':
      if (command === 'EHLO' || command === 'HELO' || command === 'LHLO') {
        return `${command} refused`;
      }
      return normalizedCode(error.code) === 'ECONNECTION'
        ? 'Server closed the connection'
        : 'Server refused the connection';
    case 'other':
      return command && command !== 'API' ? `${command} failed` : 'Sending failed';
  }
}

// ---------------------------------------------------------------------------------------------------
// Failures without an SMTP 4xx/5xx reply: classified on the codes, never on the message text (except
// for an error that has no code at all).

type CodeFailure = { kind: SmtpOutcomeKind; failureType: SmtpFailureType; prefix: string };

// Whole codes (EPROTO is OpenSSL's "wrong version number" in older Node, not EPROTOCOL), then the
// prefixes of Node's TLS and OpenSSL certificate codes.
const TLS_CODE =
  /^(?:(?:ETLS|EREQUIRETLS|EPROTO|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)$|ERR_SSL_|ERR_TLS_|ERR_OSSL_|CERT_|UNABLE_TO_(?:GET|VERIFY|DECRYPT)_)/;
const CONFIG_CODES = new Set(['ECONFIG', 'EFILEACCESS', 'EURLACCESS', 'EMAXRECIPIENTS', 'ERR_ACCESS_DENIED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const DNS_CODES = new Set([
  'EDNS',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENODATA',
  'ESERVFAIL',
]);
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EPROXY',
  'EMAXLIMIT',
]);

/**
 * The failure a code names, looking at nodemailer's code and the system code under it (ESOCKET over
 * ECONNREFUSED, or over ERR_SSL_WRONG_VERSION_NUMBER when `secure: true` meets a STARTTLS port).
 *
 * TLS failures are permanent: a wrong port or TLS mode, or a certificate that does not verify, fails
 * identically on every retry, and saying so at once (R2.2's "TLS mismatch") gets the server fixed
 * sooner than retries that end in the same exception. A server that answers STARTTLS with a 4xx
 * ("454 4.7.0 TLS not available due to local problem") has a reply, so it is transient.
 *
 * An OAuth2 token that cannot be obtained (EOAUTH2) is transient: the token endpoint may be down; a
 * revoked grant fails every retry and ends as an exception after the limit. Refused or missing
 * credentials (EAUTH, ENOAUTH) are permanent.
 */
function codeFailure(error: SmtpErrorReport): CodeFailure | null {
  const codes = [normalizedCode(error.originalCode), normalizedCode(error.code)].filter((c) => c !== '');
  const any = (test: (code: string) => boolean): boolean => codes.some(test);
  if (any((c) => TLS_CODE.test(c))) {
    return { kind: 'permanent', failureType: 'tls', prefix: 'TLS failed' };
  }
  if (any((c) => c === 'EAUTH' || c === 'ENOAUTH')) {
    return { kind: 'permanent', failureType: 'auth', prefix: 'Authentication failed' };
  }
  if (any((c) => c === 'EOAUTH2')) {
    return { kind: 'transient', failureType: 'auth', prefix: 'Authentication failed' };
  }
  if (any((c) => c === 'EENVELOPE')) {
    return { kind: 'permanent', failureType: 'invalid_address', prefix: 'Invalid address' };
  }
  if (any((c) => c === 'EMESSAGE')) {
    return { kind: 'permanent', failureType: 'message_refused', prefix: 'Message refused' };
  }
  if (any((c) => CONFIG_CODES.has(c))) {
    return { kind: 'permanent', failureType: 'config', prefix: 'Configuration error' };
  }
  if (any((c) => TIMEOUT_CODES.has(c))) {
    return { kind: 'transient', failureType: 'timeout', prefix: 'Timed out' };
  }
  if (any((c) => DNS_CODES.has(c))) {
    return { kind: 'transient', failureType: 'dns', prefix: 'DNS lookup failed' };
  }
  if (any((c) => c === 'ECONNREFUSED')) {
    return { kind: 'transient', failureType: 'connection', prefix: 'Connection refused' };
  }
  if (any((c) => CONNECTION_CODES.has(c))) {
    return { kind: 'transient', failureType: 'connection', prefix: 'Connection failed' };
  }
  if (any((c) => c === 'EPROTOCOL')) {
    return { kind: 'transient', failureType: 'protocol', prefix: 'Protocol error' };
  }
  return null;
}

function withoutReply(error: SmtpErrorReport): SmtpOutcome {
  const failure = codeFailure(error) ??
    messageFailure(error) ?? {
      kind: 'transient',
      failureType: 'unknown',
      prefix: 'Sending failed',
    };
  const words =
    singleLine(error.message ?? '') || singleLine(error.response ?? '') || error.code?.trim() || '';
  return {
    kind: failure.kind,
    failureType: failure.failureType,
    statusCode: null,
    reason: truncate(words ? `${failure.prefix}: ${words}` : failure.prefix),
    isRecipientBounce: false,
    hardBounce: false,
  };
}

/** Only for errors without any code (not from nodemailer): the usual Node wording. */
function messageFailure(error: SmtpErrorReport): CodeFailure | null {
  if (normalizedCode(error.code) !== '' || normalizedCode(error.originalCode) !== '') {
    return null;
  }
  const message = error.message ?? '';
  if (/ECONNREFUSED|connection refused/i.test(message)) {
    return { kind: 'transient', failureType: 'connection', prefix: 'Connection refused' };
  }
  if (/ECONNRESET|EPIPE|connection (?:was )?(?:closed|reset|lost)|socket hang up/i.test(message)) {
    return { kind: 'transient', failureType: 'connection', prefix: 'Connection failed' };
  }
  if (/ETIMEDOUT|timed? ?out/i.test(message)) {
    return { kind: 'transient', failureType: 'timeout', prefix: 'Timed out' };
  }
  return null;
}

function normalizedCode(code: string | undefined): string {
  return (code ?? '').trim().toUpperCase();
}

// ---------------------------------------------------------------------------------------------------
// Replies.

/** The 4xx or 5xx reply code, from responseCode or the start of the response; null otherwise. */
function replyCodeOf(error: SmtpErrorReport): number | null {
  const code = error.responseCode ?? Number(/^\s*(\d{3})(?:[\s-]|$)/.exec(error.response ?? '')?.[1]);
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : null;
}

const REPLY_LINE = /^(\d{3})(?:[ -]|$)(.*)$/;
const LEADING_STATUS = /^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)(.*)$/;

/**
 * A multi-line reply on one line: `550-5.1.1 The email…\n550 5.1.1 …` → `550 5.1.1 The email… …`.
 * Each line's reply code, and the first line's enhanced status when a line repeats it, are dropped.
 */
function serverWords(response: string): string {
  const lines = response
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const head = REPLY_LINE.exec(lines[0] ?? '');
  const code = head?.[1];
  if (code === undefined) {
    return singleLine(response);
  }
  let status: string | undefined;
  const texts: string[] = [];
  lines.forEach((line, index) => {
    const match = REPLY_LINE.exec(line);
    let text = match !== null && match[1] === code ? (match[2] ?? '').trim() : line;
    const leading = LEADING_STATUS.exec(text);
    if (leading !== null && (index === 0 || leading[1] === status)) {
      status = status ?? leading[1];
      text = leading[2] ?? '';
    }
    texts.push(text);
  });
  return singleLine([code, status, ...texts].filter((part) => part).join(' '));
}

/**
 * The enhanced status code (RFC 3463) of a reply whose class matches the reply code's: right after the
 * reply code as RFC 3463 places it, else the first one written as a word elsewhere (`#5.1.1`,
 * `(5.7.1)`), never inside an IP address or a URL.
 */
function enhancedStatus(words: string, reply: number): string | null {
  const cls = String(Math.floor(reply / 100));
  const pattern = new RegExp(`(?:^|[\\s#(\\[])(${cls}\\.\\d{1,3}\\.\\d{1,3})(?=$|[\\s),;:\\]]|\\.(?!\\d))`);
  return pattern.exec(words)?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Throttling.

const GREYLISTING = /gr[ae]y-?list/i;
const CONNECTION_LIMIT =
  /too many (?:concurrent |simultaneous |open |smtp )*(?:connections|sessions)|connection (?:limit|rate)|concurren|thread limit|\b(?:server|system|service) (?:is )?(?:too )?busy\b/i;
const RATE_LIMIT =
  /rate[- ]?limit|\brate\b|too many (?:messages|mails?|e-?mails|recipients|requests|login attempts|attempts)|too much mail|throttl|quota exceeded|exceeded (?:the |your )?(?:\S+ )?quota|(?:sending|submission|daily|hourly|message|recipient) (?:quota|limit)|limit exceeded|exceeded (?:the |your )?(?:\S+ )?limit|slow down/i;
const TRY_LATER = /try (?:again )?later|come back later/i;
// 5xx that are quotas rather than refusals (Google's "550 5.4.5 Daily user sending quota exceeded",
// Microsoft's "554 5.2.0 …SubmissionQuotaExceededException"). Mailbox statuses (5.1.x, 5.2.1-5.2.3:
// "552 5.2.2 Quota exceeded" is the recipient's mailbox being full) are never read as throttling.
const QUOTA_5XX =
  /sending (?:quota|limit)|submission ?quota|daily (?:user )?(?:sending|smtp relay)? ?(?:quota|limit)|relay limit|rate limit|too many (?:messages|connections)/i;

/** The throttled failure type of a reply, or null when the reply does not ask us to slow down. */
function throttleType(reply: number, statusCode: string, words: string): SmtpFailureType | null {
  if (reply >= 500) {
    if (/^5\.(?:1\.|2\.[123]$)/.test(statusCode)) {
      return null;
    }
    return statusCode === '5.4.5' || QUOTA_5XX.test(words) ? throttleKind(statusCode, words) : null;
  }
  if (reply === 421 || reply === 432 || statusCode === '4.3.2' || statusCode === '4.4.5') {
    return throttleKind(statusCode, words);
  }
  if (GREYLISTING.test(words)) {
    return null;
  }
  if (CONNECTION_LIMIT.test(words) || RATE_LIMIT.test(words)) {
    return throttleKind(statusCode, words);
  }
  return statusCode === '4.7.0' && TRY_LATER.test(words) ? throttleKind(statusCode, words) : null;
}

function throttleKind(statusCode: string, words: string): SmtpFailureType {
  if (CONNECTION_LIMIT.test(words) || statusCode === '4.3.2') {
    return 'server_busy';
  }
  return RATE_LIMIT.test(words) || QUOTA_5XX.test(words) ? 'rate_limited' : 'server_busy';
}

// ---------------------------------------------------------------------------------------------------
// Bounces.

// Postfix and Exim say which check refused: at RCPT TO they also report refusals of our sender
// (Postfix delays sender and client checks to RCPT TO by default), which are not about the recipient.
const NOT_THE_RECIPIENT =
  /sender address rejected|sender verify failed|client host rejected|helo command rejected/i;
const POLICY_WORDS =
  /relay|\bspf\b|dmarc|dkim|spam|block ?list|black ?list|\bblocked\b|spamhaus|reputation|not (?:authori[sz]ed|permitted|allowed) to send/i;

/**
 * A refusal about us rather than the recipient: policy (5.7.x: relaying, SPF/DKIM/DMARC, our IP,
 * spam), our sender address (5.1.7, 5.1.8), or, without such a status, wording that says so.
 */
function isAboutUs(statusCode: string, words: string): boolean {
  if (statusCode.startsWith('5.7.') || statusCode === '5.1.7' || statusCode === '5.1.8') {
    return true;
  }
  if (NOT_THE_RECIPIENT.test(words)) {
    return true;
  }
  // A status about the address or mailbox is trusted over policy wording (e.g. a URL mentioning "spam").
  return !/^5\.[12]\./.test(statusCode) && POLICY_WORDS.test(words);
}

const ADDRESS_GONE =
  /user unknown|unknown (?:user|recipient|mailbox|address)|no such (?:user|mailbox|recipient|address|account)|not found|does not exist|doesn'?t exist|doesn'?t have an? [\w.-]+ account|unrouteable address|invalid (?:recipient|mailbox)/i;

/** The address is permanently undeliverable (a hard bounce), per its status or, without one, its wording. */
function isAddressGone(statusCode: string, words: string): boolean {
  if (/^5\.1\.(?:[0-6]|10)$/.test(statusCode) || statusCode === '5.2.1') {
    return true;
  }
  if (statusCode === '5.4.1') {
    return /recipient/i.test(words);
  }
  return statusCode === '5.0.0' && ADDRESS_GONE.test(words);
}

// ---------------------------------------------------------------------------------------------------
// Text.

const MAX_REASON = 500;

function singleLine(text: string): string {
  return text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function truncate(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}
