import { describe, expect, it } from 'vitest';
import {
  classifySmtpError,
  SMTP_FAILURE_TYPES,
  type SmtpErrorReport,
  type SmtpFailureType,
  type SmtpOutcomeKind,
} from './smtp-outcome.js';

/**
 * An error shaped as nodemailer builds it for a server reply (`_formatError`): the code, the
 * command, the raw reply (continuation lines joined with \n), its reply code, and the message with
 * the reply appended.
 */
function reply(code: string, command: string, response: string, extra: Partial<SmtpErrorReport> = {}) {
  const messages: Record<string, string> = {
    EENVELOPE:
      command === 'MAIL FROM' ? 'Mail command failed' : "Can't send mail - all recipients were rejected",
    EMESSAGE: 'Message failed',
    EAUTH: 'Invalid login',
    ECONNECTION: 'Connection closed unexpectedly',
    EPROTOCOL: 'Invalid greeting. response=',
    ETLS: 'Error upgrading connection with STARTTLS',
  };
  return {
    code,
    command,
    response,
    responseCode: Number(response.slice(0, 3)),
    message: `${messages[code] ?? 'Error'}: ${response}`,
    ...extra,
  } satisfies SmtpErrorReport;
}

const rcpt = (response: string) => reply('EENVELOPE', 'RCPT TO', response);
const mailFrom = (response: string) => reply('EENVELOPE', 'MAIL FROM', response);
const afterData = (response: string, extra: Partial<SmtpErrorReport> = {}) =>
  reply('EMESSAGE', 'DATA', response, extra);

type Expected = {
  kind: SmtpOutcomeKind;
  failureType: SmtpFailureType;
  statusCode: string | null;
  bounce?: 'hard' | 'soft';
  reason?: string;
};

const cases: [string, SmtpErrorReport, Expected][] = [
  // ----- Throttling: slow down, retry, never fail the mail for it.
  [
    'Microsoft 365 sender thread limit (432 4.3.2)',
    afterData(
      '432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=AM0PR01MB1234.eurprd01.prod.outlook.com]',
    ),
    { kind: 'throttled', failureType: 'server_busy', statusCode: '4.3.2' },
  ],
  [
    'Gmail 421 try again later, at EHLO',
    reply(
      'ECONNECTION',
      'EHLO',
      '421-4.7.0 Try again later, closing connection. (EHLO)\n421-4.7.0  For more information, go to\n421 4.7.0  https://support.google.com/a/answer/3221692 d2e1a72fcca58-6c8b0d3c1a2si1234567b3a.101 - gsmtp',
    ),
    {
      kind: 'throttled',
      failureType: 'server_busy',
      statusCode: '4.7.0',
      reason:
        'EHLO refused: 421 4.7.0 Try again later, closing connection. (EHLO) For more information, go to https://support.google.com/a/answer/3221692 d2e1a72fcca58-6c8b0d3c1a2si1234567b3a.101 - gsmtp',
    },
  ],
  [
    '421 4.7.0 Try again later, as the connection closes',
    reply('ECONNECTION', 'CONN', '421 4.7.0 Try again later, closing connection'),
    {
      kind: 'throttled',
      failureType: 'server_busy',
      statusCode: '4.7.0',
      reason: 'Server closed the connection: 421 4.7.0 Try again later, closing connection',
    },
  ],
  [
    'Postfix anvil: too many connections, in the greeting',
    reply('EPROTOCOL', 'CONN', '421 4.7.0 mx.example.com Error: too many connections from 192.0.2.1'),
    { kind: 'throttled', failureType: 'server_busy', statusCode: '4.7.0' },
  ],
  [
    '421 without enhanced code',
    reply('ECONNECTION', 'CONN', '421 Too many concurrent SMTP connections; please try again later.'),
    { kind: 'throttled', failureType: 'server_busy', statusCode: '4.0.0' },
  ],
  [
    'Gmail unusual rate (421 4.7.28)',
    rcpt(
      '421-4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating\n421-4.7.28 from your IP address. To protect our users from spam, mail sent from your IP\n421 4.7.28 address has been temporarily rate limited. - gsmtp',
    ),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '4.7.28' },
  ],
  [
    'Yahoo temporarily deferred (421 4.7.0 [TSS04])',
    mailFrom(
      '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
    ),
    { kind: 'throttled', failureType: 'server_busy', statusCode: '4.7.0' },
  ],
  [
    'Microsoft server busy (451 4.7.500)',
    rcpt(
      '451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719) [AM0PEPF00000001.eurprd01.prod.outlook.com]',
    ),
    { kind: 'throttled', failureType: 'server_busy', statusCode: '4.7.500' },
  ],
  [
    'Microsoft too many recipients (452 4.5.3)',
    rcpt('452 4.5.3 Too many recipients (AS780090) [AM0PEPF00000001.eurprd01.prod.outlook.com]'),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '4.5.3' },
  ],
  [
    'Exim ratelimit (451 4.7.1)',
    mailFrom('451 4.7.1 Ratelimit exceeded for bounce@example.com. Please try later.'),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '4.7.1' },
  ],
  [
    'too much mail from one client (450 4.7.1)',
    rcpt('450 4.7.1 <x@example.org>: Recipient address rejected: too much mail from 192.0.2.1'),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '4.7.1' },
  ],
  [
    'too many login attempts at AUTH (454 4.7.0)',
    reply('EAUTH', 'AUTH LOGIN', '454 4.7.0 Too many login attempts, please try again later. - gsmtp'),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '4.7.0' },
  ],
  [
    'mail system congestion (451 4.4.5)',
    afterData('451 4.4.5 Insufficient system resources, please try again later'),
    { kind: 'throttled', failureType: 'server_busy', statusCode: '4.4.5' },
  ],
  [
    'Google daily sending quota (550 5.4.5): a quota, not a refusal',
    mailFrom(
      '550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\n550-5.4.5 sending limits go to\n550 5.4.5  https://support.google.com/a/answer/166852 - gsmtp',
    ),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '5.4.5' },
  ],
  [
    'Microsoft submission quota (554 5.2.0)',
    afterData(
      '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.',
    ),
    { kind: 'throttled', failureType: 'rate_limited', statusCode: '5.2.0' },
  ],

  // ----- Other 4xx: transient, retried with backoff.
  [
    'mailbox full (452 4.2.2)',
    rcpt('452 4.2.2 Mailbox full'),
    { kind: 'transient', failureType: 'recipient_refused', statusCode: '4.2.2' },
  ],
  [
    'Postfix greylisting (postgrey)',
    rcpt(
      '450 4.2.0 <x@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html',
    ),
    { kind: 'transient', failureType: 'recipient_refused', statusCode: '4.2.0' },
  ],
  [
    'greylisting that says "try again later" is not throttling',
    rcpt('451 4.7.1 Greylisting in action, please try again later'),
    { kind: 'transient', failureType: 'recipient_refused', statusCode: '4.7.1' },
  ],
  [
    'Postfix unknown recipient domain (450 4.1.2)',
    rcpt('450 4.1.2 <x@nonexistent.example>: Recipient address rejected: Domain not found'),
    { kind: 'transient', failureType: 'recipient_refused', statusCode: '4.1.2' },
  ],
  [
    'Postfix temporary lookup failure (451 4.3.0)',
    rcpt('451 4.3.0 <x@example.org>: Temporary lookup failure'),
    { kind: 'transient', failureType: 'recipient_refused', statusCode: '4.3.0' },
  ],
  [
    'sender domain not found, temporarily (450 4.1.8)',
    mailFrom('450 4.1.8 <bounce@example.com>: Sender address rejected: Domain not found'),
    { kind: 'transient', failureType: 'sender_refused', statusCode: '4.1.8' },
  ],
  [
    'insufficient storage at MAIL FROM (452 4.3.1)',
    mailFrom('452 4.3.1 Insufficient system storage'),
    { kind: 'transient', failureType: 'sender_refused', statusCode: '4.3.1' },
  ],
  [
    'temporary authentication failure (454 4.7.0)',
    reply(
      'EAUTH',
      'AUTH PLAIN',
      '454 4.7.0 Temporary authentication failure: Connection lost to authentication server',
    ),
    { kind: 'transient', failureType: 'auth', statusCode: '4.7.0' },
  ],
  [
    'STARTTLS not available for now (454 4.7.0)',
    reply('ETLS', 'STARTTLS', '454 4.7.0 TLS not available due to local problem'),
    {
      kind: 'transient',
      failureType: 'tls',
      statusCode: '4.7.0',
      reason: 'STARTTLS refused: 454 4.7.0 TLS not available due to local problem',
    },
  ],
  [
    '4xx after the data',
    afterData('451 4.3.0 Error: queue file write error'),
    { kind: 'transient', failureType: 'message_refused', statusCode: '4.3.0' },
  ],
  [
    '503 bad sequence is the session, not the mail',
    rcpt('503 5.5.1 Error: need MAIL command'),
    { kind: 'transient', failureType: 'protocol', statusCode: '5.5.1' },
  ],

  // ----- 5xx at RCPT TO: permanent, and a bounce of that recipient unless it is about us.
  [
    'Postfix user unknown (550 5.1.1)',
    rcpt('550 5.1.1 <x@y>: Recipient address rejected: User unknown'),
    {
      kind: 'permanent',
      failureType: 'recipient_refused',
      statusCode: '5.1.1',
      bounce: 'hard',
      reason: 'RCPT TO refused: 550 5.1.1 <x@y>: Recipient address rejected: User unknown',
    },
  ],
  [
    'Postfix user unknown in virtual mailbox table',
    rcpt('550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.1.1', bounce: 'hard' },
  ],
  [
    'Gmail no such account (550-5.1.1, several lines)',
    rcpt(
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550-5.1.1 unnecessary spaces. For more information, go to\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-b7cf0c3b1a7si2384939a12.254 - gsmtp",
    ),
    {
      kind: 'permanent',
      failureType: 'recipient_refused',
      statusCode: '5.1.1',
      bounce: 'hard',
      reason:
        "RCPT TO refused: 550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-b7cf0c3b1a7si2384939a12.254 - gsmtp",
    },
  ],
  [
    'Microsoft recipient not found (550 5.1.10)',
    rcpt(
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient nobody@contoso.com not found by SMTP address lookup',
    ),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.1.10', bounce: 'hard' },
  ],
  [
    'Microsoft directory-based edge blocking (550 5.4.1)',
    rcpt(
      '550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM0PEPF00000001.eurprd01.prod.outlook.com]',
    ),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.4.1', bounce: 'hard' },
  ],
  [
    'mailbox disabled (550 5.2.1)',
    rcpt('550 5.2.1 The email account that you tried to reach is disabled. - gsmtp'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.2.1', bounce: 'hard' },
  ],
  [
    'Gmail over quota (552 5.2.2): a soft bounce, not throttling',
    rcpt(
      '552-5.2.2 The email account that you tried to reach is over quota and inactive.\n552 5.2.2 Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp',
    ),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.2.2', bounce: 'soft' },
  ],
  [
    'Postfix mailbox quota exceeded (552 5.2.2)',
    rcpt('552 5.2.2 <x@example.org>: Recipient address rejected: Quota exceeded (mailbox for user is full)'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.2.2', bounce: 'soft' },
  ],
  [
    'Exim unrouteable address (no enhanced code)',
    rcpt('550 Unrouteable address'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.0.0', bounce: 'hard' },
  ],
  [
    'Yahoo no such account',
    rcpt(
      "554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0] - mta1234.mail.ne1.yahoo.com",
    ),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.0.0', bounce: 'hard' },
  ],
  [
    'a 5xx at RCPT that says nothing about the address is a soft bounce',
    rcpt('550 Administrative prohibition'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.0.0', bounce: 'soft' },
  ],
  [
    'Postfix relay access denied (554 5.7.1): our configuration, not a bounce',
    rcpt('554 5.7.1 <x@example.org>: Relay access denied'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.7.1' },
  ],
  [
    'relay refused without enhanced code',
    rcpt('550 relay not permitted'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.0.0' },
  ],
  [
    'SPF failure at RCPT (policyd-spf, 550 5.7.23)',
    rcpt(
      '550 5.7.23 <x@example.org>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=bounce@example.com;ip=192.0.2.1;r=<UNKNOWN>',
    ),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.7.23' },
  ],
  [
    'SPF wording with 5.7.1',
    rcpt('550 5.7.1 SPF check failed: 192.0.2.1 is not allowed to send mail from example.com'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.7.1' },
  ],
  [
    'Microsoft: our IP blocked (550 5.7.1 … Spamhaus)',
    rcpt(
      '550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.1 (AS3130). [AM0PEPF00000001.eurprd01.prod.outlook.com]',
    ),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.7.1' },
  ],
  [
    'Postfix checks our sender at RCPT TO (550 5.1.8): not the recipient',
    rcpt('550 5.1.8 <bounce@example.com>: Sender address rejected: Domain not found'),
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.1.8' },
  ],
  [
    'Exim sender verification at RCPT TO (no enhanced code)',
    rcpt(
      '550-Verification failed for <bounce@example.com>\n550-Unrouteable address\n550 Sender verify failed',
    ),
    {
      kind: 'permanent',
      failureType: 'recipient_refused',
      statusCode: '5.0.0',
      reason:
        'RCPT TO refused: 550 Verification failed for <bounce@example.com> Unrouteable address Sender verify failed',
    },
  ],
  [
    'one rejected recipient among accepted ones (info.rejectedErrors)',
    {
      code: 'EENVELOPE',
      command: 'RCPT TO',
      response: '550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown',
      responseCode: 550,
      message:
        'Recipient command failed: 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown',
      rejectedRecipient: true,
    },
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.1.1', bounce: 'hard' },
  ],
  [
    'LMTP: one recipient refused after the data',
    afterData("550 5.1.1 <x@example.org> User doesn't exist: x@example.org", { rejectedRecipient: true }),
    {
      kind: 'permanent',
      failureType: 'recipient_refused',
      statusCode: '5.1.1',
      bounce: 'hard',
      reason:
        "Message refused for the recipient: 550 5.1.1 <x@example.org> User doesn't exist: x@example.org",
    },
  ],
  [
    'only a reply code',
    { code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 },
    {
      kind: 'permanent',
      failureType: 'recipient_refused',
      statusCode: '5.0.0',
      bounce: 'soft',
      reason: 'RCPT TO refused: 550',
    },
  ],
  [
    'only a response text',
    { command: 'RCPT TO', response: '550 5.1.1 <x@y>: Recipient address rejected: User unknown' },
    { kind: 'permanent', failureType: 'recipient_refused', statusCode: '5.1.1', bounce: 'hard' },
  ],

  // ----- 5xx elsewhere: permanent, never a bounce.
  [
    'Postfix sender not owned (553 5.7.1 at MAIL FROM)',
    mailFrom(
      '553 5.7.1 <bounce@example.com>: Sender address rejected: not owned by user notifications@example.com',
    ),
    {
      kind: 'permanent',
      failureType: 'sender_refused',
      statusCode: '5.7.1',
      reason:
        'MAIL FROM refused: 553 5.7.1 <bounce@example.com>: Sender address rejected: not owned by user notifications@example.com',
    },
  ],
  [
    'Microsoft SendAs denied at MAIL FROM (554 5.2.252)',
    mailFrom(
      '554 5.2.252 SendAsDenied; notifications@contoso.com not allowed to send as bounce@example.com; STOREDRV.Submission.Exception',
    ),
    { kind: 'permanent', failureType: 'sender_refused', statusCode: '5.2.252' },
  ],
  [
    'a 5.1.1 at MAIL FROM is not a hard bounce',
    mailFrom('550 5.1.1 <bounce@example.com>: Sender address rejected: User unknown'),
    { kind: 'permanent', failureType: 'sender_refused', statusCode: '5.1.1' },
  ],
  [
    'Gmail unauthenticated sender (550-5.7.26 after the data)',
    afterData(
      '550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail\n550-5.7.26 requires all senders to authenticate with either SPF or DKIM.\n550 5.7.26 Authentication results: dkim=none spf=fail - gsmtp',
    ),
    { kind: 'permanent', failureType: 'message_refused', statusCode: '5.7.26' },
  ],
  [
    'DMARC policy (550 5.7.1 after the data)',
    afterData(
      "550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
    ),
    {
      kind: 'permanent',
      failureType: 'message_refused',
      statusCode: '5.7.1',
      reason:
        "Message refused: 550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
    },
  ],
  [
    'message too big (552 5.3.4)',
    afterData('552 5.3.4 Message size exceeds fixed limit'),
    { kind: 'permanent', failureType: 'message_refused', statusCode: '5.3.4' },
  ],
  [
    'spam (554 5.7.1)',
    afterData('554 5.7.1 Spam message rejected'),
    { kind: 'permanent', failureType: 'message_refused', statusCode: '5.7.1' },
  ],
  [
    'a 5.1.1 after the data (one reply for all recipients) is not recorded as a bounce',
    afterData('550 5.1.1 Recipient address rejected: User unknown'),
    { kind: 'permanent', failureType: 'message_refused', statusCode: '5.1.1' },
  ],
  [
    'DATA command refused (554 5.5.1)',
    reply('EENVELOPE', 'DATA', '554 5.5.1 Error: no valid recipients'),
    {
      kind: 'permanent',
      failureType: 'message_refused',
      statusCode: '5.5.1',
      reason: 'DATA refused: 554 5.5.1 Error: no valid recipients',
    },
  ],
  [
    'Postfix bad credentials (535 5.7.8)',
    reply('EAUTH', 'AUTH PLAIN', '535 5.7.8 Error: authentication failed: authentication failure'),
    {
      kind: 'permanent',
      failureType: 'auth',
      statusCode: '5.7.8',
      reason: 'Authentication failed: 535 5.7.8 Error: authentication failed: authentication failure',
    },
  ],
  [
    'Gmail bad credentials (535-5.7.8)',
    reply(
      'EAUTH',
      'AUTH PLAIN',
      '535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials d2e1a72fcca58-6c8b0d3c1a2sm1234567b3a.101 - gsmtp',
    ),
    { kind: 'permanent', failureType: 'auth', statusCode: '5.7.8' },
  ],
  [
    'Gmail application-specific password required (534 5.7.9)',
    reply(
      'EAUTH',
      'AUTH PLAIN',
      '534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor - gsmtp',
    ),
    { kind: 'permanent', failureType: 'auth', statusCode: '5.7.9' },
  ],
  [
    'Microsoft SMTP AUTH disabled (535 5.7.139)',
    reply(
      'EAUTH',
      'AUTH LOGIN',
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]',
    ),
    { kind: 'permanent', failureType: 'auth', statusCode: '5.7.139' },
  ],
  [
    'AUTH not offered (503 at AUTH)',
    reply('EAUTH', 'AUTH PLAIN', '503 5.5.1 Error: authentication not enabled'),
    { kind: 'permanent', failureType: 'auth', statusCode: '5.5.1' },
  ],
  [
    'our IP blocked in the greeting (554 5.7.1)',
    reply(
      'EPROTOCOL',
      'CONN',
      '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
    ),
    {
      kind: 'permanent',
      failureType: 'connection',
      statusCode: '5.7.1',
      reason:
        'Server refused the connection: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
    },
  ],
  [
    'HELO refused (501 5.5.2)',
    reply('EPROTOCOL', 'HELO', '501 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname'),
    { kind: 'permanent', failureType: 'connection', statusCode: '5.5.2' },
  ],
  [
    'STARTTLS refused (554 5.7.3)',
    reply('ETLS', 'STARTTLS', '554 5.7.3 Unable to initialize security subsystem'),
    { kind: 'permanent', failureType: 'tls', statusCode: '5.7.3' },
  ],
  [
    'RSET refused',
    reply('EPROTOCOL', 'RSET', '500 5.5.2 Error: bad syntax'),
    {
      kind: 'permanent',
      failureType: 'protocol',
      statusCode: '5.5.2',
      reason: 'RSET failed: 500 5.5.2 Error: bad syntax',
    },
  ],

  // ----- No SMTP reply: the network and local checks, classified on the code.
  [
    'connection refused (ESOCKET over ECONNREFUSED)',
    {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
      command: 'CONN',
      message: 'connect ECONNREFUSED 127.0.0.1:2525',
    },
    {
      kind: 'transient',
      failureType: 'connection',
      statusCode: null,
      reason: 'Connection refused: connect ECONNREFUSED 127.0.0.1:2525',
    },
  ],
  [
    'connection refused as a bare code',
    { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 192.0.2.1:587' },
    { kind: 'transient', failureType: 'connection', statusCode: null },
  ],
  [
    'connection reset',
    { code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN', message: 'read ECONNRESET' },
    {
      kind: 'transient',
      failureType: 'connection',
      statusCode: null,
      reason: 'Connection failed: read ECONNRESET',
    },
  ],
  [
    'connection closed unexpectedly',
    { code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' },
    { kind: 'transient', failureType: 'connection', statusCode: null },
  ],
  [
    'host unreachable',
    {
      code: 'ESOCKET',
      originalCode: 'EHOSTUNREACH',
      command: 'CONN',
      message: 'connect EHOSTUNREACH 192.0.2.1:25',
    },
    { kind: 'transient', failureType: 'connection', statusCode: null },
  ],
  [
    'connection timeout',
    { code: 'ETIMEDOUT', command: 'CONN', message: 'Connection timeout' },
    { kind: 'transient', failureType: 'timeout', statusCode: null, reason: 'Timed out: Connection timeout' },
  ],
  [
    'greeting never received',
    { code: 'ETIMEDOUT', command: 'CONN', message: 'Greeting never received' },
    { kind: 'transient', failureType: 'timeout', statusCode: null },
  ],
  [
    'connect ETIMEDOUT under ESOCKET',
    {
      code: 'ESOCKET',
      originalCode: 'ETIMEDOUT',
      command: 'CONN',
      message: 'connect ETIMEDOUT 192.0.2.1:25',
    },
    { kind: 'transient', failureType: 'timeout', statusCode: null },
  ],
  [
    'unknown host',
    {
      code: 'EDNS',
      originalCode: 'ENOTFOUND',
      command: 'CONN',
      message: 'getaddrinfo ENOTFOUND smtp.exmaple.com',
    },
    {
      kind: 'transient',
      failureType: 'dns',
      statusCode: null,
      reason: 'DNS lookup failed: getaddrinfo ENOTFOUND smtp.exmaple.com',
    },
  ],
  [
    'DNS temporarily failing',
    {
      code: 'EDNS',
      originalCode: 'EAI_AGAIN',
      command: 'CONN',
      message: 'getaddrinfo EAI_AGAIN smtp.example.com',
    },
    { kind: 'transient', failureType: 'dns', statusCode: null },
  ],
  [
    'SSL against a STARTTLS port (secure: true on 587)',
    {
      code: 'ESOCKET',
      originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
      command: 'CONN',
      message:
        '40E7B1F1CB7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:\n',
    },
    {
      kind: 'permanent',
      failureType: 'tls',
      statusCode: null,
      reason:
        'TLS failed: 40E7B1F1CB7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:',
    },
  ],
  [
    'SSL against a plain port on older Node (EPROTO)',
    {
      code: 'ESOCKET',
      originalCode: 'EPROTO',
      command: 'CONN',
      message: 'write EPROTO 140000:error:1408F10B:SSL routines:ssl3_get_record:wrong version number',
    },
    { kind: 'permanent', failureType: 'tls', statusCode: null },
  ],
  [
    'expired certificate',
    {
      code: 'ESOCKET',
      originalCode: 'CERT_HAS_EXPIRED',
      command: 'CONN',
      message: 'certificate has expired',
    },
    { kind: 'permanent', failureType: 'tls', statusCode: null },
  ],
  [
    'self-signed certificate after STARTTLS',
    { code: 'ETLS', command: 'STARTTLS', message: 'Error initiating TLS - self-signed certificate' },
    { kind: 'permanent', failureType: 'tls', statusCode: null },
  ],
  [
    'host name mismatch',
    {
      code: 'ESOCKET',
      originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
      command: 'CONN',
      message:
        "Hostname/IP does not match certificate's altnames: Host: smtp.example.com. is not in the cert's altnames: DNS:mail.other.com",
    },
    { kind: 'permanent', failureType: 'tls', statusCode: null },
  ],
  [
    'connection closed during the TLS upgrade',
    { code: 'ETLS', command: 'CONN', message: 'Connection closed unexpectedly' },
    {
      kind: 'permanent',
      failureType: 'tls',
      statusCode: null,
      reason: 'TLS failed: Connection closed unexpectedly',
    },
  ],
  [
    'REQUIRETLS not supported',
    {
      code: 'EREQUIRETLS',
      command: 'MAIL FROM',
      message: 'Server does not support REQUIRETLS extension (RFC 8689)',
    },
    { kind: 'permanent', failureType: 'tls', statusCode: null },
  ],
  [
    'missing credentials',
    { code: 'EAUTH', command: 'API', message: 'Missing credentials for "PLAIN"' },
    {
      kind: 'permanent',
      failureType: 'auth',
      statusCode: null,
      reason: 'Authentication failed: Missing credentials for "PLAIN"',
    },
  ],
  [
    'no credentials at all',
    { code: 'ENOAUTH', message: 'Authentication credentials not provided' },
    { kind: 'permanent', failureType: 'auth', statusCode: null },
  ],
  [
    'OAuth2 token endpoint unreachable',
    { code: 'EOAUTH2', message: 'Failed to fetch token: getaddrinfo EAI_AGAIN oauth2.googleapis.com' },
    { kind: 'transient', failureType: 'auth', statusCode: null },
  ],
  [
    'no recipients (nodemailer refuses the envelope)',
    { code: 'EENVELOPE', command: 'API', message: 'No recipients defined' },
    {
      kind: 'permanent',
      failureType: 'invalid_address',
      statusCode: null,
      reason: 'Invalid address: No recipients defined',
    },
  ],
  [
    'invalid recipient (nodemailer refuses the envelope)',
    {
      code: 'EENVELOPE',
      command: 'API',
      message: 'Invalid recipient "x@example.org\\r\\nRCPT TO:<y@example.org>"',
    },
    { kind: 'permanent', failureType: 'invalid_address', statusCode: null },
  ],
  [
    'message larger than the server allows (checked before sending)',
    { code: 'EMESSAGE', command: 'MAIL FROM', message: 'Message size larger than allowed 10240000' },
    {
      kind: 'permanent',
      failureType: 'message_refused',
      statusCode: null,
      reason: 'Message refused: Message size larger than allowed 10240000',
    },
  ],
  [
    'configuration error',
    { code: 'ECONFIG', message: 'Invalid configuration' },
    { kind: 'permanent', failureType: 'config', statusCode: null },
  ],
  [
    'too many recipients for the transport',
    { code: 'EMAXRECIPIENTS', command: 'API', message: 'Too many recipients: 120 exceeds the limit of 100' },
    { kind: 'permanent', failureType: 'config', statusCode: null },
  ],
  [
    'a garbled reply',
    { code: 'EPROTOCOL', command: 'CONN', message: 'Unexpected Response' },
    {
      kind: 'transient',
      failureType: 'protocol',
      statusCode: null,
      reason: 'Protocol error: Unexpected Response',
    },
  ],
  [
    'an unexpected 2xx (no 4xx/5xx, so no status)',
    {
      code: 'EAUTH',
      command: 'AUTH LOGIN',
      response: '250 2.0.0 OK',
      message: 'Invalid login sequence while waiting for "334 VXNlcm5hbWU6": 250 2.0.0 OK',
    },
    { kind: 'permanent', failureType: 'auth', statusCode: null },
  ],
  [
    'pool limit reached',
    { code: 'EMAXLIMIT', message: 'Resource limit reached' },
    { kind: 'transient', failureType: 'connection', statusCode: null },
  ],
  [
    'aborted (shutdown): unknown, so retried',
    { code: 'EABORT', message: 'Message sending aborted' },
    {
      kind: 'transient',
      failureType: 'unknown',
      statusCode: null,
      reason: 'Sending failed: Message sending aborted',
    },
  ],
  [
    'a stream error while composing',
    {
      code: 'ESTREAM',
      command: 'API',
      message: "ENOENT: no such file or directory, open '/tmp/attachment.pdf'",
    },
    { kind: 'transient', failureType: 'unknown', statusCode: null },
  ],
  [
    'lower-case code',
    { code: 'etimedout', message: 'Timeout' },
    { kind: 'transient', failureType: 'timeout', statusCode: null },
  ],
  [
    'no code: socket hang up',
    { message: 'socket hang up' },
    { kind: 'transient', failureType: 'connection', statusCode: null },
  ],
  [
    'no code: a timeout message',
    { message: 'Operation timed out after 30000 ms' },
    { kind: 'transient', failureType: 'timeout', statusCode: null },
  ],
  [
    'no code: anything else',
    { message: 'Something odd happened' },
    {
      kind: 'transient',
      failureType: 'unknown',
      statusCode: null,
      reason: 'Sending failed: Something odd happened',
    },
  ],
  [
    'nothing at all',
    {},
    { kind: 'transient', failureType: 'unknown', statusCode: null, reason: 'Sending failed' },
  ],
];

describe('classifySmtpError', () => {
  it.each(cases)('%s', (_label, input, expected) => {
    const outcome = classifySmtpError(input);
    expect({
      kind: outcome.kind,
      failureType: outcome.failureType,
      statusCode: outcome.statusCode,
      bounce: outcome.isRecipientBounce ? (outcome.hardBounce ? 'hard' : 'soft') : undefined,
    }).toEqual({
      kind: expected.kind,
      failureType: expected.failureType,
      statusCode: expected.statusCode,
      bounce: expected.bounce,
    });
    if (expected.reason !== undefined) {
      expect(outcome.reason).toBe(expected.reason);
    }
  });

  it.each(cases)('%s: a single line of at most 500 characters, within the vocabulary', (_label, input) => {
    const outcome = classifySmtpError(input);
    expect(outcome.reason).not.toMatch(/[\r\n\t]/);
    expect(outcome.reason.length).toBeLessThanOrEqual(500);
    expect(outcome.reason).toBe(outcome.reason.trim());
    expect(SMTP_FAILURE_TYPES).toContain(outcome.failureType);
    // A bounce is only ever a permanent refusal of one recipient; a hard bounce is a bounce.
    if (outcome.isRecipientBounce) {
      expect(outcome.kind).toBe('permanent');
    }
    if (outcome.hardBounce) {
      expect(outcome.isRecipientBounce).toBe(true);
    }
  });

  it('shortens a long reply to 500 characters', () => {
    const outcome = classifySmtpError(rcpt(`550 5.1.1 ${'x'.repeat(2_000)}`));
    expect(outcome.reason).toHaveLength(500);
    expect(outcome.reason.startsWith('RCPT TO refused: 550 5.1.1 xxx')).toBe(true);
    expect(outcome.reason.endsWith('…')).toBe(true);
  });

  it.each([
    // [response, status code]
    ['550 5.1.1 User unknown', '5.1.1'],
    ['550-5.1.1 first\n550 5.1.1 second', '5.1.1'],
    // Elsewhere in the text, as a word.
    ['550 Requested action not taken: mailbox unavailable (#5.1.1)', '5.1.1'],
    ['554 Message rejected (5.7.1): policy', '5.7.1'],
    // The class must match the reply code's; IP addresses and URLs are not status codes.
    ['550 4.2.2 odd server', '5.0.0'],
    ['550 rejected from [5.1.1.1]', '5.0.0'],
    ['550 see https://example.com/5.1.1/help', '5.0.0'],
    ['451 from 4.2.2.1, try again', '4.0.0'],
    ['550 5.1.1. Sentence ends', '5.1.1'],
  ])('reads the status of %j as %s', (response, statusCode) => {
    expect(classifySmtpError(rcpt(response)).statusCode).toBe(statusCode);
  });

  it('joins continuation lines whose status differs, keeping their status', () => {
    const outcome = classifySmtpError(rcpt('550-5.7.1 Policy one\r\n550-5.7.2 Policy two\r\n550 5.7.1 done'));
    expect(outcome.reason).toBe('RCPT TO refused: 550 5.7.1 Policy one 5.7.2 Policy two done');
  });

  it('removes control characters from the reason', () => {
    const outcome = classifySmtpError({ message: 'bad\u0000thing\u001b[31m here' });
    expect(outcome.reason).toBe('Sending failed: bad thing [31m here');
  });
});
