import { ImapFlow } from 'imapflow';
import { MailboxProbeError, type MailboxProbeFailure, type MailboxSecurity } from './diagnosis.js';
import type { MailboxProbeTarget } from './probe-target.js';

/** The fields of an imapflow (or Node socket) error this module reads. */
type ImapErrorFields = {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  mailboxMissing?: boolean;
  serverResponseCode?: string;
  responseText?: string;
};

const tlsStep = (security: MailboxSecurity) => (security === 'starttls' ? 'starttls' : 'tls');

/**
 * Classifies an error of imapflow on its codes and flags, never its message text. `phase` is what
 * was running: `connect` (TCP, TLS, greeting, STARTTLS and LOGIN, which imapflow does in one call)
 * or `folder` (the read-only SELECT).
 */
export function imapFailure(
  err: unknown,
  security: MailboxSecurity,
  phase: 'connect' | 'folder',
): MailboxProbeFailure {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ImapErrorFields;
  const code = e.code;
  const serverText = e.responseText ?? '';
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return { kind: 'auth-failed', serverText };
  }
  if (
    phase === 'folder' &&
    (e.mailboxMissing || code === 'NotFound' || e.serverResponseCode === 'NONEXISTENT')
  ) {
    return { kind: 'folder-missing', serverText };
  }
  switch (code) {
    case 'CONNECT_TIMEOUT':
      return { kind: 'timeout', step: 'connect' };
    case 'GREETING_TIMEOUT':
      return { kind: 'timeout', step: 'greeting' };
    case 'UPGRADE_TIMEOUT':
      return { kind: 'timeout', step: 'starttls' };
    case 'ETIMEOUT':
      return { kind: 'timeout', step: phase === 'folder' ? 'folder' : 'auth' };
    case 'ClosedAfterConnectText':
      return { kind: 'closed', step: 'greeting' };
    case 'ClosedAfterConnectTLS':
      return { kind: 'closed', step: 'tls' };
    case 'NoConnection':
    case 'EConnectionClosed':
      return { kind: 'closed', step: phase === 'folder' ? 'folder' : 'auth' };
    default:
      break;
  }
  if (e.tlsFailed && code === undefined && security === 'starttls') {
    // imapflow's own refusal to go on without the STARTTLS it was told to require.
    return { kind: 'starttls-not-offered', serverText };
  }
  if (
    code !== undefined &&
    /^(E[A-Z]+|ERR_|CERT_|[A-Z_]+_CERT|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO|HOSTNAME)/.test(code)
  ) {
    const isTls =
      e.tlsFailed || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO';
    return {
      kind: 'socket-error',
      step: isTls || /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME/.test(code) ? tlsStep(security) : 'connect',
      errorCode: code,
      detail: e.message ?? code,
    };
  }
  if (phase === 'folder' && serverText) {
    return { kind: 'refused', step: 'folder', serverText };
  }
  return {
    kind: 'unexpected',
    step: phase === 'folder' ? 'folder' : 'auth',
    detail: serverText || e.message || 'unknown error',
  };
}

const oauthMechanisms = ['AUTH=XOAUTH2', 'AUTH=OAUTHBEARER', 'AUTH=XOAUTH'];

/**
 * A login with an access token that failed: a refusal is the token's (the provider just issued it),
 * and imapflow's bare "unsupported mechanism" error is told apart by the capabilities it read.
 */
function oauthFailure(failure: MailboxProbeFailure, err: unknown, client: ImapFlow): MailboxProbeFailure {
  if (failure.kind === 'auth-failed') {
    return { kind: 'oauth-refused', serverText: failure.serverText };
  }
  const e = err as ImapErrorFields;
  const offered = oauthMechanisms.some((m) => client.capabilities.has(m));
  if (failure.kind === 'unexpected' && !e.code && !e.tlsFailed && client.capabilities.size > 0 && !offered) {
    return { kind: 'oauth-unsupported' };
  }
  return failure;
}

/**
 * The IMAP side of Test & Confirm: connect (TLS or STARTTLS per the security setting), log in, open
 * the folder read-only (EXAMINE, so no flag changes), log out. The transcript is imapflow's own
 * command log, which masks the password; the password is masked again here in case it shows up.
 */
export async function probeImap(target: MailboxProbeTarget, record: (entry: string) => void): Promise<void> {
  const { credential } = target;
  const secret = credential.type === 'xoauth2' ? credential.accessToken : credential.password;
  const hide = (text: string) => (secret.length >= 4 ? text.split(secret).join('********') : text);
  const wire = (entry: { src?: string; msg?: string }) => {
    if (entry && (entry.src === 'c' || entry.src === 's') && typeof entry.msg === 'string') {
      record(hide(`${entry.src === 'c' ? 'C' : 'S'}: ${entry.msg}`));
    }
  };
  const ignore = () => {};
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.security === 'ssl',
    doSTARTTLS: target.security === 'starttls' ? true : target.security === 'none' ? false : undefined,
    auth:
      credential.type === 'xoauth2'
        ? { user: target.username, accessToken: credential.accessToken }
        : { user: target.username, pass: credential.password },
    logger: { debug: wire, trace: ignore, info: ignore, warn: ignore, error: ignore },
    disableAutoIdle: true,
    connectionTimeout: target.timeoutMs,
    greetingTimeout: target.timeoutMs,
    socketTimeout: target.timeoutMs,
  });
  client.on('error', () => {
    // Reported through the promise of the command that was running.
  });
  let phase: 'connect' | 'folder' = 'connect';
  try {
    await client.connect();
    phase = 'folder';
    const mailbox = await client.mailboxOpen(target.folder, { readOnly: true });
    record(`* ${target.folder} opened read-only: ${mailbox.exists} message(s)`);
    await client.logout().catch(() => undefined);
  } catch (err) {
    const failure = imapFailure(err, target.security, phase);
    throw new MailboxProbeError(
      credential.type === 'xoauth2' && phase === 'connect' ? oauthFailure(failure, err, client) : failure,
    );
  } finally {
    client.close();
  }
}
