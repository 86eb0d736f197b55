import type { OAuthTokenFailureCode } from '@sotamail/oauth';
import { classifyTlsError } from '../smtp-probe/diagnosis.js';

export type MailboxProtocol = 'imap' | 'pop3';
export type MailboxSecurity = 'none' | 'starttls' | 'ssl';

/** Where a Test & Confirm failed; the steps run in this order. `folder` is SELECT (IMAP) or STAT (POP3). */
export type MailboxProbeStep = 'connect' | 'tls' | 'greeting' | 'starttls' | 'auth' | 'folder';

/**
 * The stable codes of a failed Test & Confirm (R7.1), one per failure class as for outgoing servers
 * (R2.2). The API and the UI key on these, never on the message text.
 */
export const mailboxProbeFailureCodes = {
  MAILBOX_INVALID_SETTINGS: 'The host, port or credentials cannot be used as given.',
  MAILBOX_OAUTH_GRANT_REVOKED: 'The OAuth2 refresh token was revoked or has expired: reconnect the account.',
  MAILBOX_OAUTH_TOKEN_FAILED:
    'No OAuth2 access token could be obtained (client refused, token endpoint failing or unreachable).',
  MAILBOX_OAUTH_REFUSED: 'The mail server refused the OAuth2 access token (XOAUTH2).',
  MAILBOX_OAUTH_UNSUPPORTED: 'The mail server does not offer OAuth2 login (XOAUTH2).',
  MAILBOX_UNKNOWN_HOST: 'The host name does not resolve (DNS).',
  MAILBOX_CONNECTION_REFUSED: 'Nothing listens on the port (TCP connection refused).',
  MAILBOX_TIMEOUT: 'The server did not answer in time (connect, greeting or a command).',
  MAILBOX_HOST_UNREACHABLE: 'No network route to the host.',
  MAILBOX_TLS_MISMATCH: 'The connection security does not match what the port speaks (SSL/TLS vs plain).',
  MAILBOX_STARTTLS_NOT_OFFERED: 'STARTTLS was chosen but the server does not offer it.',
  MAILBOX_TLS_FAILED: 'The TLS handshake failed (certificate verification, alert).',
  MAILBOX_AUTH_FAILED: 'The server rejected the username or password.',
  MAILBOX_FOLDER_MISSING: 'The IMAP folder does not exist.',
  MAILBOX_SERVICE_UNAVAILABLE: 'The server refused the session or the mailbox (e.g. locked, in use).',
  MAILBOX_CONNECTION_CLOSED: 'The server closed the connection unexpectedly.',
  MAILBOX_PROTOCOL_ERROR: 'Anything else: an unexpected answer, or a peer that does not speak IMAP/POP3.',
} as const;

export type MailboxProbeFailureCode = keyof typeof mailboxProbeFailureCodes;

/** Facts the messages mention. Never holds a secret. */
export type MailboxDiagnosisContext = {
  protocol: MailboxProtocol;
  host: string;
  port: number;
  security: MailboxSecurity;
  folder: string;
  timeoutMs: number;
};

/** What went wrong, as the dialogue saw it; `diagnoseMailbox` turns it into a code and a message. */
export type MailboxProbeFailure =
  | { kind: 'invalid-settings'; problem: string }
  /** The provider gave no access token; `message` is @sotamail/oauth's sentence for the admin. */
  | { kind: 'oauth-token'; code: OAuthTokenFailureCode | undefined; message: string }
  | { kind: 'oauth-refused'; serverText: string }
  | { kind: 'oauth-unsupported' }
  /** A Node socket or TLS error, identified by its `code` (ENOTFOUND, ERR_SSL_…, CERT_HAS_EXPIRED…). */
  | { kind: 'socket-error'; step: MailboxProbeStep; errorCode: string | undefined; detail: string }
  | { kind: 'timeout'; step: MailboxProbeStep }
  | { kind: 'closed'; step: MailboxProbeStep }
  /** The port answered with something that is not the protocol's greeting. */
  | { kind: 'not-protocol'; step: MailboxProbeStep; sample: string }
  | { kind: 'starttls-not-offered'; serverText: string }
  | { kind: 'refused'; step: MailboxProbeStep; serverText: string }
  | { kind: 'auth-failed'; serverText: string }
  | { kind: 'folder-missing'; serverText: string }
  | { kind: 'unexpected'; step: MailboxProbeStep; detail: string };

export type MailboxDiagnosis = { code: MailboxProbeFailureCode; message: string; step: MailboxProbeStep };

/** Carries a failure out of a dialogue to the one place that diagnoses it. */
export class MailboxProbeError extends Error {
  override readonly name = 'MailboxProbeError';
  constructor(readonly failure: MailboxProbeFailure) {
    super(failure.kind);
  }
}

const dnsErrors = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'EAI_AGAIN']);
const unreachableErrors = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const resetErrors = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

const stepLabels: Record<MailboxProbeStep, string> = {
  connect: 'the connection',
  tls: 'the TLS handshake',
  greeting: 'the greeting',
  starttls: 'STARTTLS',
  auth: 'the login',
  folder: 'opening the mailbox',
};

const protocolName = (p: MailboxProtocol) => (p === 'imap' ? 'IMAP' : 'POP3');
/** The usual implicit-TLS port, for the advice. */
const sslPort = (p: MailboxProtocol) => (p === 'imap' ? 993 : 995);

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Turns one observed failure into exactly one code and one or two sentences for an administrator. */
export function diagnoseMailbox(
  failure: MailboxProbeFailure,
  context: MailboxDiagnosisContext,
): MailboxDiagnosis {
  const at = `${context.host}:${context.port}`;
  const name = protocolName(context.protocol);
  switch (failure.kind) {
    case 'invalid-settings':
      return {
        code: 'MAILBOX_INVALID_SETTINGS',
        step: 'connect',
        message: `The test cannot run: ${failure.problem}.`,
      };
    case 'oauth-token':
      return {
        code:
          failure.code === 'OAUTH_GRANT_REVOKED'
            ? 'MAILBOX_OAUTH_GRANT_REVOKED'
            : 'MAILBOX_OAUTH_TOKEN_FAILED',
        step: 'auth',
        message: `No OAuth2 access token, so the server was not contacted. ${failure.message}`,
      };
    case 'oauth-refused':
      return {
        code: 'MAILBOX_OAUTH_REFUSED',
        step: 'auth',
        message:
          `The server ${at} refused the OAuth2 access token (XOAUTH2)` +
          `${failure.serverText ? ` ("${failure.serverText}")` : ''}, although the provider issued it. ` +
          `Check that the username is the account the token was issued for, that the token's scope includes ${name} mail access, ` +
          `and that ${name} is enabled for the mailbox.`,
      };
    case 'oauth-unsupported':
      return {
        code: 'MAILBOX_OAUTH_UNSUPPORTED',
        step: 'auth',
        message: `The server ${at} does not offer OAuth2 login (XOAUTH2) over ${name}. Use a password for this server, or the provider's own ${name} server.`,
      };
    case 'socket-error':
      return diagnoseSocketError(failure, context, at);
    case 'timeout':
      if (failure.step === 'greeting' && context.security !== 'ssl') {
        return {
          code: 'MAILBOX_TIMEOUT',
          step: 'greeting',
          message:
            `No greeting from ${at} within ${seconds(context.timeoutMs)}: the connection opened but the server said nothing. ` +
            `This port may expect SSL/TLS (usually ${sslPort(context.protocol)}): check the connection security.`,
        };
      }
      return {
        code: 'MAILBOX_TIMEOUT',
        step: failure.step,
        message:
          failure.step === 'connect'
            ? `No response from ${at} within ${seconds(context.timeoutMs)}. Check the server address and port, and that no firewall blocks the connection.`
            : `The server ${at} stopped answering during ${stepLabels[failure.step]} (no answer within ${seconds(context.timeoutMs)}).`,
      };
    case 'closed':
      return {
        code: 'MAILBOX_CONNECTION_CLOSED',
        step: failure.step,
        message:
          failure.step === 'tls' || failure.step === 'starttls'
            ? `The server ${at} closed the connection during the TLS handshake. Check the connection security.`
            : `The server ${at} closed the connection unexpectedly during ${stepLabels[failure.step]}. Check the port and the connection security.`,
      };
    case 'not-protocol':
      return {
        code: 'MAILBOX_PROTOCOL_ERROR',
        step: failure.step,
        message: `The server ${at} did not answer like a ${name} server (it sent "${failure.sample}"). Check the port and the protocol.`,
      };
    case 'starttls-not-offered':
      return {
        code: 'MAILBOX_STARTTLS_NOT_OFFERED',
        step: 'starttls',
        message:
          `The server ${at} does not offer STARTTLS${failure.serverText ? ` (it answered "${failure.serverText}")` : ''}. ` +
          `Choose SSL/TLS if the port expects implicit TLS (usually ${sslPort(context.protocol)}), or None if it only speaks unencrypted ${name}.`,
      };
    case 'refused':
      return {
        code: 'MAILBOX_SERVICE_UNAVAILABLE',
        step: failure.step,
        message: `The server ${at} refused ${stepLabels[failure.step]}: it answered "${failure.serverText}". Try again later, or check the mailbox.`,
      };
    case 'auth-failed':
      return {
        code: 'MAILBOX_AUTH_FAILED',
        step: 'auth',
        message:
          `Authentication failed: the server ${at} refused the username or password` +
          `${failure.serverText ? ` ("${failure.serverText}")` : ''}. Check the username and password.`,
      };
    case 'folder-missing':
      return {
        code: 'MAILBOX_FOLDER_MISSING',
        step: 'folder',
        message:
          `The folder "${context.folder}" does not exist on ${at}` +
          `${failure.serverText ? ` ("${failure.serverText}")` : ''}. Check the folder name (e.g. INBOX).`,
      };
    case 'unexpected':
      return {
        code: 'MAILBOX_PROTOCOL_ERROR',
        step: failure.step,
        message: `The test failed during ${stepLabels[failure.step]} on ${at}: ${failure.detail}.`,
      };
  }
}

function diagnoseSocketError(
  failure: Extract<MailboxProbeFailure, { kind: 'socket-error' }>,
  context: MailboxDiagnosisContext,
  at: string,
): MailboxDiagnosis {
  const { step, errorCode } = failure;
  if (errorCode !== undefined && dnsErrors.has(errorCode)) {
    return {
      code: 'MAILBOX_UNKNOWN_HOST',
      step,
      message:
        errorCode === 'EAI_AGAIN'
          ? `The host ${context.host} could not be looked up: the DNS server did not answer. Check the server name, or try again later.`
          : `The host ${context.host} could not be found (DNS). Check the server name for typos.`,
    };
  }
  if (errorCode === 'ECONNREFUSED') {
    return {
      code: 'MAILBOX_CONNECTION_REFUSED',
      step,
      message: `The server ${context.host} refused the connection on port ${context.port}. Check the port number and that the mail server is running.`,
    };
  }
  if (errorCode === 'ETIMEDOUT') {
    return diagnoseMailbox({ kind: 'timeout', step }, context);
  }
  if (errorCode !== undefined && unreachableErrors.has(errorCode)) {
    return {
      code: 'MAILBOX_HOST_UNREACHABLE',
      step,
      message: `The host ${context.host} cannot be reached on port ${context.port} (${errorCode}). Check the address and the network or firewall.`,
    };
  }
  if (errorCode !== undefined && resetErrors.has(errorCode)) {
    return diagnoseMailbox({ kind: 'closed', step }, context);
  }
  const tls = classifyTlsError(errorCode);
  if (tls === 'not-tls') {
    return {
      code: 'MAILBOX_TLS_MISMATCH',
      step: 'tls',
      message:
        `The server ${at} does not speak SSL/TLS on this port. ` +
        `Choose STARTTLS or None as the connection security, or use the SSL/TLS port (usually ${sslPort(context.protocol)}).`,
    };
  }
  if (tls === 'certificate') {
    return {
      code: 'MAILBOX_TLS_FAILED',
      step,
      message: `The TLS certificate of ${context.host} could not be verified (${errorCode}). Install a valid certificate on the server.`,
    };
  }
  if (tls !== null) {
    return {
      code: 'MAILBOX_TLS_FAILED',
      step,
      message: `The TLS handshake with ${at} failed (${errorCode}). Check the connection security.`,
    };
  }
  return {
    code: 'MAILBOX_PROTOCOL_ERROR',
    step,
    message: `The connection to ${at} failed during ${stepLabels[step]} (${errorCode ?? failure.detail}).`,
  };
}
