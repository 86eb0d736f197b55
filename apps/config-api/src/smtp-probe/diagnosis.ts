import { formatReply, type SmtpReply } from './smtp-reply.js';

export type SmtpSecurity = 'none' | 'starttls' | 'ssl';
export type SmtpAuthType = 'none' | 'password' | 'xoauth2' | 'certificate';

/** Where in the dialogue a test failed; the steps run in this order. */
export type SmtpProbeStep =
  | 'connect'
  | 'tls'
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'auth'
  | 'mail-from'
  | 'rcpt-to'
  | 'data';

/**
 * The stable codes of a failed connection test. The API and the UI key on these, never on the
 * message text, which is for people and may be reworded.
 */
export const smtpProbeFailureCodes = {
  SMTP_INVALID_SETTINGS: 'The host, port, sender or recipient cannot be used as given.',
  SMTP_UNKNOWN_HOST: 'The host name does not resolve (DNS).',
  SMTP_TIMEOUT: 'The server did not answer in time (connect, greeting or a command).',
  SMTP_CONNECTION_REFUSED: 'Nothing listens on the port (TCP connection refused).',
  SMTP_HOST_UNREACHABLE: 'No network route to the host.',
  SMTP_TLS_MISMATCH: 'The connection security does not match what the port speaks (SSL/TLS vs plain).',
  SMTP_TLS_REQUIRED: 'The server requires STARTTLS before authentication or mail (a kind of TLS mismatch).',
  SMTP_STARTTLS_NOT_OFFERED: 'STARTTLS was chosen but the server does not offer it.',
  SMTP_TLS_FAILED: 'The TLS handshake failed (certificate verification, alert, refused STARTTLS).',
  SMTP_CLIENT_CERTIFICATE_INVALID: 'The client certificate or private key could not be loaded.',
  SMTP_AUTH_FAILED: 'The server rejected the credentials.',
  SMTP_AUTH_NOT_OFFERED: 'Credentials are set but the server offers no usable AUTH mechanism.',
  SMTP_AUTH_REQUIRED: 'No credentials are set but the server requires authentication.',
  SMTP_SENDER_REFUSED: 'The server refused MAIL FROM with the test sender.',
  SMTP_RECIPIENT_REFUSED: 'The server refused RCPT TO with the test recipient.',
  SMTP_DATA_REFUSED: 'The server refused the DATA command.',
  SMTP_SERVICE_UNAVAILABLE: 'The server refused the session (e.g. 421 or 554 at the greeting).',
  SMTP_CONNECTION_CLOSED: 'The server closed the connection unexpectedly.',
  SMTP_PROTOCOL_ERROR: 'Anything else: an unexpected reply, or a peer that does not speak SMTP.',
} as const;

export type SmtpProbeFailureCode = keyof typeof smtpProbeFailureCodes;

/** Facts about the test that the messages mention. Never holds a secret. */
export type DiagnosisContext = {
  host: string;
  port: number;
  security: SmtpSecurity;
  auth: SmtpAuthType;
  timeoutMs: number;
  sender: string;
  recipient: string;
};

/** What went wrong, as observed by the dialogue; `diagnose` turns it into a code and a message. */
export type ProbeFailure =
  | { kind: 'invalid-settings'; problem: string }
  | { kind: 'client-certificate'; detail: string }
  /** A Node socket or TLS error, identified by its `code` (ENOTFOUND, ERR_SSL_…, CERT_HAS_EXPIRED…). */
  | { kind: 'socket-error'; step: SmtpProbeStep; errorCode: string | undefined; detail: string }
  | { kind: 'timeout'; step: SmtpProbeStep }
  | { kind: 'closed'; step: SmtpProbeStep }
  /** The port sent bytes that are not SMTP. */
  | { kind: 'not-smtp'; step: SmtpProbeStep; sample: string; looksLikeTls: boolean }
  /** No plain greeting came, but the port completed a TLS handshake: it expects implicit TLS. */
  | { kind: 'implicit-tls-port'; step: SmtpProbeStep }
  /** SSL/TLS was chosen, the handshake failed, and the port then answered in plain SMTP. */
  | { kind: 'plain-smtp-port'; offersStarttls: boolean; errorCode: string | undefined }
  | { kind: 'reply'; step: SmtpProbeStep; reply: SmtpReply; detail?: string }
  | { kind: 'starttls-not-offered' }
  | { kind: 'auth-not-offered'; mechanisms: string[]; starttlsOffered: boolean }
  | { kind: 'unexpected'; step: SmtpProbeStep; detail: string };

export type Diagnosis = { code: SmtpProbeFailureCode; message: string; step: SmtpProbeStep };

/** Carries a ProbeFailure out of the dialogue to the one place that diagnoses it. */
export class ProbeFailureError extends Error {
  override readonly name = 'ProbeFailureError';
  constructor(readonly failure: ProbeFailure) {
    super(failure.kind);
  }
}

const dnsErrors = new Set([
  'ENOTFOUND',
  'EAI_NONAME',
  'EAI_NODATA',
  'EAI_FAIL',
  'EAI_AGAIN',
  'EAI_ADDRFAMILY',
]);
const unreachableErrors = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const resetErrors = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** OpenSSL's view of a peer that answered a ClientHello with something that is not TLS. */
const notTlsErrors = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);
/** Node's certificate verification codes (only reported when certificates are verified). */
const certificateErrors = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function classifyTlsError(errorCode: string | undefined): 'not-tls' | 'certificate' | 'tls' | null {
  if (errorCode === undefined) {
    return null;
  }
  if (notTlsErrors.has(errorCode)) {
    return 'not-tls';
  }
  if (certificateErrors.has(errorCode)) {
    return 'certificate';
  }
  if (/^ERR_(SSL|TLS|OSSL)_/.test(errorCode) || errorCode === 'EPROTO') {
    return 'tls';
  }
  return null;
}

const stepLabels: Record<SmtpProbeStep, string> = {
  connect: 'the connection',
  tls: 'the TLS handshake',
  greeting: 'the greeting',
  ehlo: 'EHLO',
  starttls: 'STARTTLS',
  auth: 'authentication',
  'mail-from': 'MAIL FROM',
  'rcpt-to': 'RCPT TO',
  data: 'DATA',
};

/** Turns one observed failure into exactly one code and one sentence (or two) for an administrator. */
export function diagnose(failure: ProbeFailure, context: DiagnosisContext): Diagnosis {
  const at = `${context.host}:${context.port}`;
  switch (failure.kind) {
    case 'invalid-settings':
      return {
        code: 'SMTP_INVALID_SETTINGS',
        step: 'connect',
        message: `The connection test cannot run: ${failure.problem}.`,
      };
    case 'client-certificate':
      return {
        code: 'SMTP_CLIENT_CERTIFICATE_INVALID',
        step: 'tls',
        message:
          `The client certificate or its private key could not be loaded (${failure.detail}). ` +
          'Provide a PEM certificate and the PEM private key that belongs to it.',
      };
    case 'socket-error':
      return diagnoseSocketError(failure, context, at);
    case 'timeout':
      return diagnoseTimeout(failure.step, context, at);
    case 'closed':
      return {
        code: 'SMTP_CONNECTION_CLOSED',
        step: failure.step,
        message:
          failure.step === 'tls' || failure.step === 'starttls'
            ? `The server ${at} closed the connection during the TLS handshake. ` +
              'Check the connection security: this port may not use SSL/TLS.'
            : `The server ${at} closed the connection unexpectedly during ${stepLabels[failure.step]}. ` +
              'Check the port number and the connection security.',
      };
    case 'not-smtp':
      if (failure.looksLikeTls) {
        return implicitTlsMismatch(failure.step, at);
      }
      return {
        code: 'SMTP_PROTOCOL_ERROR',
        step: failure.step,
        message:
          `The server ${at} did not answer like an SMTP server (it sent "${failure.sample}"). ` +
          'Check the port number.',
      };
    case 'implicit-tls-port':
      return implicitTlsMismatch(failure.step, at);
    case 'plain-smtp-port':
      return {
        code: 'SMTP_TLS_MISMATCH',
        step: 'tls',
        message:
          `The server ${at} does not use SSL/TLS on this port (${failure.errorCode === 'ERR_SSL_WRONG_VERSION_NUMBER' ? 'wrong version number' : 'TLS handshake failed'}): ` +
          (failure.offersStarttls
            ? 'it speaks plain SMTP and offers STARTTLS. Choose STARTTLS as the connection security.'
            : 'it speaks plain SMTP without STARTTLS. Choose None as the connection security, or use the port for SSL/TLS (usually 465).'),
      };
    case 'reply':
      return diagnoseReply(failure.step, failure.reply, failure.detail, context, at);
    case 'starttls-not-offered':
      return {
        code: 'SMTP_STARTTLS_NOT_OFFERED',
        step: 'starttls',
        message:
          `The server ${at} does not offer STARTTLS. Choose SSL/TLS if the port expects implicit TLS ` +
          '(usually 465), or None if the server only speaks unencrypted SMTP.',
      };
    case 'auth-not-offered':
      return diagnoseAuthNotOffered(failure.mechanisms, failure.starttlsOffered, context, at);
    case 'unexpected':
      return {
        code: 'SMTP_PROTOCOL_ERROR',
        step: failure.step,
        message: `The connection test failed during ${stepLabels[failure.step]}: ${failure.detail}.`,
      };
  }
}

function implicitTlsMismatch(step: SmtpProbeStep, at: string): Diagnosis {
  return {
    code: 'SMTP_TLS_MISMATCH',
    step,
    message:
      `The server ${at} sent no SMTP greeting but speaks TLS: this port seems to expect SSL/TLS. ` +
      'Choose SSL/TLS as the connection security (or use port 587 with STARTTLS).',
  };
}

function diagnoseSocketError(
  failure: Extract<ProbeFailure, { kind: 'socket-error' }>,
  context: DiagnosisContext,
  at: string,
): Diagnosis {
  const { step, errorCode } = failure;
  if (errorCode !== undefined && dnsErrors.has(errorCode)) {
    return {
      code: 'SMTP_UNKNOWN_HOST',
      step,
      message:
        errorCode === 'EAI_AGAIN'
          ? `The host ${context.host} could not be looked up: the DNS server did not answer (EAI_AGAIN). ` +
            'Check the server name, or try again later.'
          : `The host ${context.host} could not be found (DNS). Check the server name for typos.`,
    };
  }
  if (errorCode === 'ECONNREFUSED') {
    return {
      code: 'SMTP_CONNECTION_REFUSED',
      step,
      message:
        `The server ${context.host} refused the connection on port ${context.port}. ` +
        'Check the port number and that the mail server is running.',
    };
  }
  if (errorCode === 'ETIMEDOUT') {
    return diagnoseTimeout(step, context, at);
  }
  if (errorCode !== undefined && unreachableErrors.has(errorCode)) {
    return {
      code: 'SMTP_HOST_UNREACHABLE',
      step,
      message:
        `The host ${context.host} cannot be reached on port ${context.port} (${errorCode}). ` +
        'Check the server address and the network or firewall between SotaMail and the server.',
    };
  }
  if (errorCode !== undefined && resetErrors.has(errorCode)) {
    return diagnose({ kind: 'closed', step }, context);
  }
  const tls = classifyTlsError(errorCode);
  if (tls === 'not-tls' && step === 'tls') {
    return {
      code: 'SMTP_TLS_MISMATCH',
      step,
      message:
        `The server ${at} does not use SSL/TLS on this port (${tlsReason(failure)}). ` +
        'This port seems to expect plain SMTP or STARTTLS: choose STARTTLS (or use the SSL/TLS port, usually 465).',
    };
  }
  if (tls === 'certificate') {
    return {
      code: 'SMTP_TLS_FAILED',
      step,
      message:
        `The TLS certificate of ${context.host} could not be verified (${errorCode}). ` +
        'Install a valid certificate on the server, or test without certificate verification.',
    };
  }
  if (tls !== null) {
    return {
      code: 'SMTP_TLS_FAILED',
      step,
      message:
        `The TLS handshake with ${at} failed (${tlsReason(failure)}). ` +
        (context.auth === 'certificate'
          ? 'Check the connection security and that the server accepts this client certificate.'
          : 'Check the connection security.'),
    };
  }
  return {
    code: 'SMTP_PROTOCOL_ERROR',
    step,
    message: `The connection to ${at} failed during ${stepLabels[step]} (${errorCode ?? failure.detail}).`,
  };
}

/** OpenSSL messages are long; its reason part ("wrong version number") is what a person can use. */
function tlsReason(failure: { errorCode: string | undefined; detail: string }): string {
  const reason = /:([a-z0-9 ]+):[^:]*:\d+:\s*$/i.exec(failure.detail)?.[1];
  if (reason) {
    return reason;
  }
  if (failure.errorCode?.startsWith('ERR_SSL_')) {
    return failure.errorCode.slice('ERR_SSL_'.length).toLowerCase().replaceAll('_', ' ');
  }
  return failure.errorCode ?? failure.detail;
}

function diagnoseTimeout(step: SmtpProbeStep, context: DiagnosisContext, at: string): Diagnosis {
  const seconds = formatSeconds(context.timeoutMs);
  switch (step) {
    case 'connect':
      return {
        code: 'SMTP_TIMEOUT',
        step,
        message:
          `No response from ${at} within ${seconds}. Check the server address and port, ` +
          'and that no firewall blocks the connection.',
      };
    case 'greeting':
      return {
        code: 'SMTP_TIMEOUT',
        step,
        message:
          `No response from ${at} within ${seconds}: the connection opened but the server sent no SMTP ` +
          'greeting. Check the server address, the port and the connection security.',
      };
    case 'tls':
    case 'starttls':
      return {
        code: 'SMTP_TIMEOUT',
        step,
        message:
          `No response from ${at} within ${seconds} during the TLS handshake. ` +
          'Check the port number and the connection security.',
      };
    default:
      return {
        code: 'SMTP_TIMEOUT',
        step,
        message: `The server ${at} stopped answering: no reply to ${stepLabels[step]} within ${seconds}.`,
      };
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** 530 is "authentication required" in RFC 4954 but servers also use it for "STARTTLS first". */
function asksForTls(reply: SmtpReply): boolean {
  return (
    reply.code === 538 ||
    ((reply.code === 530 || reply.code === 554) && /\bSTARTTLS\b/i.test(reply.lines.join(' ')))
  );
}

function diagnoseReply(
  step: SmtpProbeStep,
  reply: SmtpReply,
  detail: string | undefined,
  context: DiagnosisContext,
  at: string,
): Diagnosis {
  const text = `"${formatReply(reply)}"${detail ? ` (${detail})` : ''}`;
  if (step === 'greeting' || reply.code === 421) {
    if (reply.code >= 400) {
      return {
        code: 'SMTP_SERVICE_UNAVAILABLE',
        step,
        message:
          step === 'greeting'
            ? `The server ${at} is not accepting connections: it answered ${text}. Try again later, or check the server.`
            : `The server ${at} ended the session at ${stepLabels[step]}: it answered ${text}. Try again later.`,
      };
    }
    return unexpectedReply(step, text, at);
  }
  if (asksForTls(reply) && context.security !== 'starttls' && context.security !== 'ssl') {
    return {
      code: 'SMTP_TLS_REQUIRED',
      step,
      message: `The server ${at} requires encryption first: it answered ${text}. Choose STARTTLS as the connection security.`,
    };
  }
  const authMissing = context.auth === 'none' || context.auth === 'certificate';
  if (reply.code === 530 && authMissing && (step === 'mail-from' || step === 'rcpt-to' || step === 'data')) {
    return {
      code: 'SMTP_AUTH_REQUIRED',
      step,
      message:
        `The server ${at} requires authentication: it answered ${text}. ` +
        (context.auth === 'certificate'
          ? 'It did not accept the client certificate as authentication; set a username and password instead.'
          : 'Set a username and password (or OAuth) for this server.'),
    };
  }
  switch (step) {
    case 'auth':
      return {
        code: 'SMTP_AUTH_FAILED',
        step,
        message:
          `Authentication failed: the server ${at} answered ${text}. ` +
          (context.auth === 'xoauth2'
            ? 'Check the account name and that the OAuth access is still granted (reconnect the account).'
            : 'Check the username and password.'),
      };
    case 'mail-from':
      return {
        code: 'SMTP_SENDER_REFUSED',
        step,
        message:
          `The server refused the sender address ${context.sender}: it answered ${text}. ` +
          'Check the From filter: the server must allow sending as this address.',
      };
    case 'rcpt-to':
      return {
        code: 'SMTP_RECIPIENT_REFUSED',
        step,
        message:
          `The server refused the test recipient ${context.recipient}: it answered ${text}.` +
          (context.auth === 'none' && reply.code >= 500
            ? ' The server may only relay mail for authenticated users: set a username and password.'
            : ''),
      };
    case 'data':
      return {
        code: 'SMTP_DATA_REFUSED',
        step,
        message: `The server refused to accept message data (DATA): it answered ${text}.`,
      };
    case 'starttls':
      return {
        code: 'SMTP_TLS_FAILED',
        step,
        message: `The server ${at} offers STARTTLS but refused to start it: it answered ${text}.`,
      };
    default:
      return unexpectedReply(step, text, at);
  }
}

function unexpectedReply(step: SmtpProbeStep, text: string, at: string): Diagnosis {
  return {
    code: 'SMTP_PROTOCOL_ERROR',
    step,
    message: `The server ${at} gave an unexpected answer to ${stepLabels[step]}: ${text}.`,
  };
}

function diagnoseAuthNotOffered(
  mechanisms: string[],
  starttlsOffered: boolean,
  context: DiagnosisContext,
  at: string,
): Diagnosis {
  if (starttlsOffered && context.security === 'none') {
    return {
      code: 'SMTP_TLS_REQUIRED',
      step: 'auth',
      message: `The server ${at} only offers authentication after STARTTLS. Choose STARTTLS as the connection security.`,
    };
  }
  const wanted = context.auth === 'xoauth2' ? 'XOAUTH2 (OAuth)' : 'PLAIN or LOGIN (username and password)';
  return {
    code: 'SMTP_AUTH_NOT_OFFERED',
    step: 'auth',
    message:
      mechanisms.length === 0
        ? `The server ${at} does not offer authentication (no AUTH in its EHLO reply), but credentials are set. ` +
          'Remove the credentials, or check the port (mail submission is usually 587 or 465).'
        : `The server ${at} offers authentication by ${mechanisms.join(', ')} only, not by ${wanted}.`,
  };
}
