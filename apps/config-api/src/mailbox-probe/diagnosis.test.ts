import { describe, expect, it } from 'vitest';
import {
  diagnoseMailbox,
  type MailboxDiagnosisContext,
  type MailboxProbeFailure,
  mailboxProbeFailureCodes,
} from './diagnosis.js';
import { imapFailure } from './imap-probe.js';

const pop3: MailboxDiagnosisContext = {
  protocol: 'pop3',
  host: 'pop.example.test',
  port: 110,
  security: 'none',
  folder: 'INBOX',
  timeoutMs: 15_000,
};
const imap: MailboxDiagnosisContext = { ...pop3, protocol: 'imap', port: 143, folder: 'Archive' };

describe('diagnoseMailbox', () => {
  it.each<[string, MailboxProbeFailure, MailboxDiagnosisContext, string, string, string]>([
    [
      'DNS',
      { kind: 'socket-error', step: 'connect', errorCode: 'ENOTFOUND', detail: 'x' },
      pop3,
      'MAILBOX_UNKNOWN_HOST',
      'connect',
      'The host pop.example.test could not be found (DNS)',
    ],
    [
      'refused',
      { kind: 'socket-error', step: 'connect', errorCode: 'ECONNREFUSED', detail: 'x' },
      pop3,
      'MAILBOX_CONNECTION_REFUSED',
      'connect',
      'refused the connection on port 110',
    ],
    [
      'connect timeout',
      { kind: 'timeout', step: 'connect' },
      pop3,
      'MAILBOX_TIMEOUT',
      'connect',
      'No response from pop.example.test:110 within 15 s',
    ],
    [
      'silent port: maybe implicit TLS',
      { kind: 'timeout', step: 'greeting' },
      imap,
      'MAILBOX_TIMEOUT',
      'greeting',
      'This port may expect SSL/TLS (usually 993)',
    ],
    [
      'SSL against a plain port',
      { kind: 'socket-error', step: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER', detail: 'x' },
      { ...pop3, security: 'ssl' },
      'MAILBOX_TLS_MISMATCH',
      'tls',
      'use the SSL/TLS port (usually 995)',
    ],
    [
      'certificate',
      { kind: 'socket-error', step: 'tls', errorCode: 'CERT_HAS_EXPIRED', detail: 'x' },
      { ...imap, security: 'ssl' },
      'MAILBOX_TLS_FAILED',
      'tls',
      'could not be verified (CERT_HAS_EXPIRED)',
    ],
    [
      'no STARTTLS',
      { kind: 'starttls-not-offered', serverText: 'Unknown command' },
      { ...pop3, security: 'starttls' },
      'MAILBOX_STARTTLS_NOT_OFFERED',
      'starttls',
      'does not offer STARTTLS (it answered "Unknown command")',
    ],
    [
      'auth',
      { kind: 'auth-failed', serverText: '[AUTH] Authentication failed.' },
      pop3,
      'MAILBOX_AUTH_FAILED',
      'auth',
      'refused the username or password ("[AUTH] Authentication failed."). Check the username and password.',
    ],
    [
      'folder',
      { kind: 'folder-missing', serverText: "Mailbox doesn't exist: Archive" },
      imap,
      'MAILBOX_FOLDER_MISSING',
      'folder',
      'The folder "Archive" does not exist on pop.example.test:143',
    ],
    [
      'locked mailbox',
      { kind: 'refused', step: 'folder', serverText: '[IN-USE] Mailbox locked' },
      pop3,
      'MAILBOX_SERVICE_UNAVAILABLE',
      'folder',
      'answered "[IN-USE] Mailbox locked"',
    ],
    [
      'reset',
      { kind: 'socket-error', step: 'auth', errorCode: 'ECONNRESET', detail: 'x' },
      pop3,
      'MAILBOX_CONNECTION_CLOSED',
      'auth',
      'closed the connection unexpectedly during the login',
    ],
    [
      'revoked refresh token',
      {
        kind: 'oauth-token',
        code: 'OAUTH_GRANT_REVOKED',
        message:
          'The Google refresh token was revoked or has expired: reconnect the account to get a new one.',
      },
      imap,
      'MAILBOX_OAUTH_GRANT_REVOKED',
      'auth',
      'No OAuth2 access token, so the server was not contacted. The Google refresh token was revoked',
    ],
    [
      'token endpoint down',
      { kind: 'oauth-token', code: 'OAUTH_ENDPOINT_UNAVAILABLE', message: 'unavailable (HTTP 503)' },
      imap,
      'MAILBOX_OAUTH_TOKEN_FAILED',
      'auth',
      'unavailable (HTTP 503)',
    ],
    [
      'token failure without a code',
      { kind: 'oauth-token', code: undefined, message: 'no provider' },
      pop3,
      'MAILBOX_OAUTH_TOKEN_FAILED',
      'auth',
      'no provider',
    ],
    [
      'access token refused',
      { kind: 'oauth-refused', serverText: '[AUTH] Authentication failed.' },
      pop3,
      'MAILBOX_OAUTH_REFUSED',
      'auth',
      'refused the OAuth2 access token (XOAUTH2) ("[AUTH] Authentication failed."), although the provider issued it',
    ],
    [
      'no XOAUTH2',
      { kind: 'oauth-unsupported' },
      imap,
      'MAILBOX_OAUTH_UNSUPPORTED',
      'auth',
      'does not offer OAuth2 login (XOAUTH2) over IMAP',
    ],
    [
      'not POP3',
      { kind: 'not-protocol', step: 'greeting', sample: '220 smtp ESMTP' },
      pop3,
      'MAILBOX_PROTOCOL_ERROR',
      'greeting',
      'did not answer like a POP3 server (it sent "220 smtp ESMTP")',
    ],
  ])('%s', (_name, failure, context, code, step, text) => {
    const diagnosis = diagnoseMailbox(failure, context);
    expect(diagnosis.code).toBe(code);
    expect(diagnosis.step).toBe(step);
    expect(diagnosis.message).toContain(text);
    expect(Object.keys(mailboxProbeFailureCodes)).toContain(diagnosis.code);
  });
});

describe('imapFailure', () => {
  it.each<[string, object, 'none' | 'starttls' | 'ssl', 'connect' | 'folder', Partial<MailboxProbeFailure>]>([
    [
      'login refused',
      { authenticationFailed: true, responseText: 'no' },
      'none',
      'connect',
      { kind: 'auth-failed' },
    ],
    ['missing folder', { mailboxMissing: true }, 'none', 'folder', { kind: 'folder-missing' }],
    ['NONEXISTENT', { serverResponseCode: 'NONEXISTENT' }, 'none', 'folder', { kind: 'folder-missing' }],
    ['refused', { code: 'ECONNREFUSED' }, 'none', 'connect', { kind: 'socket-error', step: 'connect' }],
    ['connect timeout', { code: 'CONNECT_TIMEOUT' }, 'none', 'connect', { kind: 'timeout', step: 'connect' }],
    [
      'greeting timeout',
      { code: 'GREETING_TIMEOUT' },
      'none',
      'connect',
      { kind: 'timeout', step: 'greeting' },
    ],
    ['no STARTTLS', { tlsFailed: true }, 'starttls', 'connect', { kind: 'starttls-not-offered' }],
    [
      'plain port with SSL',
      { code: 'ERR_SSL_WRONG_VERSION_NUMBER' },
      'ssl',
      'connect',
      { kind: 'socket-error', step: 'tls' },
    ],
    [
      'STARTTLS handshake',
      { code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', tlsFailed: true },
      'starttls',
      'connect',
      { kind: 'socket-error', step: 'starttls' },
    ],
    ['closed', { code: 'ClosedAfterConnectText' }, 'none', 'connect', { kind: 'closed', step: 'greeting' }],
    ['other NO on SELECT', { responseText: 'Permission denied' }, 'none', 'folder', { kind: 'refused' }],
  ])('%s', (_name, err, security, phase, expected) => {
    expect(imapFailure(err, security, phase)).toMatchObject(expected);
  });
});
