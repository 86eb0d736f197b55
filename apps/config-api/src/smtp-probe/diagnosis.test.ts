import { describe, expect, it } from 'vitest';
import {
  classifyTlsError,
  type DiagnosisContext,
  diagnose,
  type ProbeFailure,
  type SmtpProbeFailureCode,
  type SmtpProbeStep,
  smtpProbeFailureCodes,
} from './diagnosis.js';

const context: DiagnosisContext = {
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  auth: 'password',
  timeoutMs: 15_000,
  sender: 'notifications@example.com',
  recipient: 'sotamail-connection-test@example.com',
};

const reply = (code: number, ...lines: string[]) => ({ code, lines });
const socketError = (step: SmtpProbeStep, errorCode: string, detail = errorCode): ProbeFailure => ({
  kind: 'socket-error',
  step,
  errorCode,
  detail,
});

type Row = [
  name: string,
  failure: ProbeFailure,
  overrides: Partial<DiagnosisContext>,
  code: SmtpProbeFailureCode,
  step: SmtpProbeStep,
  message: RegExp,
];

const rows: Row[] = [
  [
    'invalid settings',
    { kind: 'invalid-settings', problem: 'the server host is empty' },
    {},
    'SMTP_INVALID_SETTINGS',
    'connect',
    /cannot run: the server host is empty\.$/,
  ],
  [
    'DNS failure',
    socketError('connect', 'ENOTFOUND'),
    {},
    'SMTP_UNKNOWN_HOST',
    'connect',
    /^The host smtp\.example\.com could not be found \(DNS\)/,
  ],
  [
    'DNS server not answering',
    socketError('connect', 'EAI_AGAIN'),
    {},
    'SMTP_UNKNOWN_HOST',
    'connect',
    /did not answer \(EAI_AGAIN\)/,
  ],
  [
    'connect timeout',
    { kind: 'timeout', step: 'connect' },
    {},
    'SMTP_TIMEOUT',
    'connect',
    /^No response from smtp\.example\.com:587 within 15 s\. Check the server address and port/,
  ],
  [
    'kernel connect timeout',
    socketError('connect', 'ETIMEDOUT'),
    { timeoutMs: 1500 },
    'SMTP_TIMEOUT',
    'connect',
    /within 1\.5 s/,
  ],
  [
    'no greeting',
    { kind: 'timeout', step: 'greeting' },
    {},
    'SMTP_TIMEOUT',
    'greeting',
    /sent no SMTP greeting/,
  ],
  [
    'no reply to a command',
    { kind: 'timeout', step: 'rcpt-to' },
    {},
    'SMTP_TIMEOUT',
    'rcpt-to',
    /stopped answering: no reply to RCPT TO within 15 s/,
  ],
  [
    'handshake timeout',
    { kind: 'timeout', step: 'tls' },
    {},
    'SMTP_TIMEOUT',
    'tls',
    /during the TLS handshake/,
  ],
  [
    'connection refused',
    socketError('connect', 'ECONNREFUSED'),
    {},
    'SMTP_CONNECTION_REFUSED',
    'connect',
    /refused the connection on port 587/,
  ],
  [
    'no route',
    socketError('connect', 'EHOSTUNREACH'),
    {},
    'SMTP_HOST_UNREACHABLE',
    'connect',
    /cannot be reached on port 587 \(EHOSTUNREACH\)/,
  ],
  [
    'SSL against a plain port (raw OpenSSL error)',
    socketError(
      'tls',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      '801C:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:\n',
    ),
    { security: 'ssl' },
    'SMTP_TLS_MISMATCH',
    'tls',
    /\(wrong version number\)\. This port seems to expect plain SMTP or STARTTLS: choose STARTTLS/,
  ],
  [
    'SSL against a STARTTLS port, confirmed by a plain greeting',
    { kind: 'plain-smtp-port', offersStarttls: true, errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    { security: 'ssl' },
    'SMTP_TLS_MISMATCH',
    'tls',
    /wrong version number.*offers STARTTLS\. Choose STARTTLS/,
  ],
  [
    'SSL against a plain port without STARTTLS',
    { kind: 'plain-smtp-port', offersStarttls: false, errorCode: 'ERR_SSL_PACKET_LENGTH_TOO_LONG' },
    { security: 'ssl' },
    'SMTP_TLS_MISMATCH',
    'tls',
    /without STARTTLS\. Choose None/,
  ],
  [
    'plain against an implicit-TLS port',
    { kind: 'implicit-tls-port', step: 'greeting' },
    { security: 'none' },
    'SMTP_TLS_MISMATCH',
    'greeting',
    /this port seems to expect SSL\/TLS\. Choose SSL\/TLS/,
  ],
  [
    'TLS bytes instead of a greeting',
    { kind: 'not-smtp', step: 'greeting', sample: '....', looksLikeTls: true },
    { security: 'none' },
    'SMTP_TLS_MISMATCH',
    'greeting',
    /expect SSL\/TLS/,
  ],
  [
    'STARTTLS demanded at MAIL FROM (Postfix)',
    { kind: 'reply', step: 'mail-from', reply: reply(530, '5.7.0 Must issue a STARTTLS command first') },
    { security: 'none', auth: 'none' },
    'SMTP_TLS_REQUIRED',
    'mail-from',
    /requires encryption first: it answered "530 5\.7\.0 Must issue a STARTTLS command first"\. Choose STARTTLS/,
  ],
  [
    'STARTTLS demanded at AUTH (538)',
    { kind: 'reply', step: 'auth', reply: reply(538, 'Error: Must issue a STARTTLS command first') },
    { security: 'none' },
    'SMTP_TLS_REQUIRED',
    'auth',
    /"538 Error: Must issue a STARTTLS command first"/,
  ],
  [
    'AUTH only advertised after STARTTLS',
    { kind: 'auth-not-offered', mechanisms: [], starttlsOffered: true },
    { security: 'none' },
    'SMTP_TLS_REQUIRED',
    'auth',
    /only offers authentication after STARTTLS/,
  ],
  [
    'STARTTLS not offered',
    { kind: 'starttls-not-offered' },
    {},
    'SMTP_STARTTLS_NOT_OFFERED',
    'starttls',
    /does not offer STARTTLS\. Choose SSL\/TLS .* or None/,
  ],
  [
    'STARTTLS refused',
    { kind: 'reply', step: 'starttls', reply: reply(454, '4.7.0 TLS not available') },
    {},
    'SMTP_TLS_FAILED',
    'starttls',
    /refused to start it: it answered "454 4\.7\.0 TLS not available"/,
  ],
  [
    'certificate not verified',
    socketError('starttls', 'CERT_HAS_EXPIRED', 'certificate has expired'),
    {},
    'SMTP_TLS_FAILED',
    'starttls',
    /certificate of smtp\.example\.com could not be verified \(CERT_HAS_EXPIRED\)/,
  ],
  [
    'handshake alert with a client certificate',
    socketError('tls', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
    { security: 'ssl', auth: 'certificate' },
    'SMTP_TLS_FAILED',
    'tls',
    /failed \(tlsv13 alert certificate required\)\. .*accepts this client certificate/,
  ],
  [
    'unloadable client certificate',
    { kind: 'client-certificate', detail: 'ERR_OSSL_PEM_NO_START_LINE' },
    {},
    'SMTP_CLIENT_CERTIFICATE_INVALID',
    'tls',
    /could not be loaded \(ERR_OSSL_PEM_NO_START_LINE\)/,
  ],
  [
    'wrong password',
    { kind: 'reply', step: 'auth', reply: reply(535, '5.7.8 Error: authentication failed: Invalid user') },
    {},
    'SMTP_AUTH_FAILED',
    'auth',
    /answered "535 5\.7\.8 Error: authentication failed: Invalid user"\. Check the username and password\./,
  ],
  [
    'XOAUTH2 refused with a JSON detail',
    {
      kind: 'reply',
      step: 'auth',
      reply: reply(535, '5.7.8 Username and Password not accepted'),
      detail: '{"status":"401"}',
    },
    { auth: 'xoauth2' },
    'SMTP_AUTH_FAILED',
    'auth',
    /not accepted" \(\{"status":"401"\}\)\. .*OAuth/,
  ],
  [
    'no AUTH advertised',
    { kind: 'auth-not-offered', mechanisms: [], starttlsOffered: false },
    {},
    'SMTP_AUTH_NOT_OFFERED',
    'auth',
    /does not offer authentication \(no AUTH in its EHLO reply\)/,
  ],
  [
    'no supported mechanism',
    { kind: 'auth-not-offered', mechanisms: ['CRAM-MD5'], starttlsOffered: true },
    { security: 'starttls' },
    'SMTP_AUTH_NOT_OFFERED',
    'auth',
    /by CRAM-MD5 only, not by PLAIN or LOGIN/,
  ],
  [
    'authentication required',
    { kind: 'reply', step: 'mail-from', reply: reply(530, 'Error: authentication Required') },
    { auth: 'none' },
    'SMTP_AUTH_REQUIRED',
    'mail-from',
    /requires authentication: it answered "530 Error: authentication Required"/,
  ],
  [
    'sender refused',
    { kind: 'reply', step: 'mail-from', reply: reply(550, '5.7.1 Sender not allowed') },
    {},
    'SMTP_SENDER_REFUSED',
    'mail-from',
    /refused the sender address notifications@example\.com: it answered "550 5\.7\.1 Sender not allowed"/,
  ],
  [
    'recipient refused',
    { kind: 'reply', step: 'rcpt-to', reply: reply(550, '5.1.1 No such user') },
    {},
    'SMTP_RECIPIENT_REFUSED',
    'rcpt-to',
    /refused the test recipient sotamail-connection-test@example\.com: it answered "550 5\.1\.1 No such user"\.$/,
  ],
  [
    'relay denied without authentication',
    { kind: 'reply', step: 'rcpt-to', reply: reply(554, '5.7.1 Relay access denied') },
    { auth: 'none' },
    'SMTP_RECIPIENT_REFUSED',
    'rcpt-to',
    /Relay access denied"\. The server may only relay mail for authenticated users/,
  ],
  [
    'DATA refused',
    { kind: 'reply', step: 'data', reply: reply(554, '5.5.1 No valid recipients') },
    {},
    'SMTP_DATA_REFUSED',
    'data',
    /refused to accept message data \(DATA\): it answered "554 5\.5\.1 No valid recipients"/,
  ],
  [
    '421 at the greeting',
    { kind: 'reply', step: 'greeting', reply: reply(421, 'mx.example Too many connections') },
    {},
    'SMTP_SERVICE_UNAVAILABLE',
    'greeting',
    /is not accepting connections: it answered "421 mx\.example Too many connections"/,
  ],
  [
    '421 later in the session',
    { kind: 'reply', step: 'rcpt-to', reply: reply(421, 'Timeout') },
    {},
    'SMTP_SERVICE_UNAVAILABLE',
    'rcpt-to',
    /ended the session at RCPT TO/,
  ],
  [
    'closed mid-dialogue',
    { kind: 'closed', step: 'mail-from' },
    {},
    'SMTP_CONNECTION_CLOSED',
    'mail-from',
    /closed the connection unexpectedly during MAIL FROM/,
  ],
  [
    'reset during the handshake',
    socketError('tls', 'ECONNRESET'),
    { security: 'ssl' },
    'SMTP_CONNECTION_CLOSED',
    'tls',
    /during the TLS handshake\. Check the connection security/,
  ],
  [
    'not an SMTP server',
    { kind: 'not-smtp', step: 'greeting', sample: 'HTTP/1.1 400 Bad Request', looksLikeTls: false },
    {},
    'SMTP_PROTOCOL_ERROR',
    'greeting',
    /did not answer like an SMTP server \(it sent "HTTP\/1\.1 400 Bad Request"\)/,
  ],
  [
    'odd greeting code',
    { kind: 'reply', step: 'greeting', reply: reply(200, 'hello') },
    {},
    'SMTP_PROTOCOL_ERROR',
    'greeting',
    /unexpected answer to the greeting: "200 hello"/,
  ],
  [
    'EHLO and HELO refused',
    { kind: 'reply', step: 'ehlo', reply: reply(501, 'Syntax error') },
    {},
    'SMTP_PROTOCOL_ERROR',
    'ehlo',
    /unexpected answer to EHLO: "501 Syntax error"/,
  ],
  [
    'an unknown socket error',
    socketError('ehlo', 'EWHATEVER'),
    {},
    'SMTP_PROTOCOL_ERROR',
    'ehlo',
    /failed during EHLO \(EWHATEVER\)/,
  ],
  [
    'a bug',
    { kind: 'unexpected', step: 'auth', detail: 'x is not a function' },
    {},
    'SMTP_PROTOCOL_ERROR',
    'auth',
    /failed during authentication: x is not a function\.$/,
  ],
];

describe('diagnose', () => {
  it.each(rows)('%s', (_name, failure, overrides, code, step, message) => {
    const diagnosis = diagnose(failure, { ...context, ...overrides });
    expect(diagnosis.code).toBe(code);
    expect(diagnosis.step).toBe(step);
    expect(diagnosis.message).toMatch(message);
    expect(diagnosis.message).not.toMatch(/\n|\s{2}|undefined|\[object/);
  });

  it('has a row for every code', () => {
    const covered = new Set(rows.map((row) => row[3]));
    expect([...covered].sort()).toEqual(Object.keys(smtpProbeFailureCodes).sort());
  });
});

describe('classifyTlsError', () => {
  it.each([
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls'],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'not-tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'tls'],
    ['EPROTO', 'tls'],
    ['ECONNRESET', null],
    [undefined, null],
  ])('%s is %s', (code, kind) => {
    expect(classifyTlsError(code)).toBe(kind);
  });
});
