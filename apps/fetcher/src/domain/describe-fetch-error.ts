/** The fields of an error this module reads: imapflow's own, Node's socket and TLS codes. */
type ErrorFields = {
  name?: string;
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  mailboxMissing?: boolean;
  protocol?: 'imap' | 'pop3';
  permanent?: boolean;
};

const tlsCodes = new Set(['EPROTO', 'ClosedAfterConnectTLS', 'UPGRADE_TIMEOUT', 'STARTTLS_INJECTION']);
const timeoutCodes = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ETIMEDOUT', 'ETIMEOUT']);

/**
 * One readable sentence for `incoming_servers.lastError`, classified on error codes and flags, never
 * on message text, and never a stack trace (R7.1, as R2.2 for outgoing servers).
 */
export function describeFetchError(
  err: unknown,
  target: {
    host: string;
    port: number;
    folder: string;
    authType?: 'password' | 'xoauth2';
    username?: string;
  },
): string {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorFields;
  const where = `${target.host}:${target.port}`;
  const code = e.code ?? '';
  const oauth = target.authType === 'xoauth2';
  if (
    e.authenticationFailed ||
    e.name === 'AuthenticationFailure' ||
    e.serverResponseCode === 'AUTHENTICATIONFAILED'
  ) {
    if (oauth) {
      const account = target.username ? ` for ${target.username}` : '';
      return (
        `Authentication failed on ${where}: the server refused the OAuth2 access token${account} (XOAUTH2), also a newly issued one. ` +
        'Check that the token was issued for this mailbox with the mail scope and that IMAP/POP access is enabled for the account; if so, reconnect the account.'
      );
    }
    return `Authentication failed on ${where}: the server refused the username or password.`;
  }
  if (code === 'EXOAUTH2_UNSUPPORTED') {
    return `${where} does not offer OAuth2 login (XOAUTH2): use a password for this server, or the provider's own ${e.protocol === 'pop3' ? 'POP3' : 'IMAP'} server.`;
  }
  if (e.name === 'OAuthTokenError') {
    // Already a sentence for the admin, classified by @sotamail/oauth.
    return e.message ?? 'The OAuth2 access token could not be obtained.';
  }
  if (e.name === 'SecretDecryptError') {
    return `The ${oauth ? 'OAuth2 client secret or refresh token' : 'password'} of this server cannot be decrypted: SOTAMAIL_SECRET_KEY differs from the one it was stored with.`;
  }
  if (e.name === 'UnsupportedAuthError') {
    return e.message ?? 'This authentication method is not supported for fetching yet.';
  }
  if (code === 'ESTARTTLS') {
    return `${where} does not offer STARTTLS (STLS): choose SSL/TLS or none as the security setting.`;
  }
  if (
    e.tlsFailed ||
    tlsCodes.has(code) ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    code.includes('CERT')
  ) {
    return `TLS negotiation with ${where} failed (check the security setting: SSL/TLS, STARTTLS or none).`;
  }
  if (code === 'ECONNREFUSED') {
    return `Connection refused by ${where}: nothing listens on that port.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Unknown host ${target.host}.`;
  }
  if (timeoutCodes.has(code)) {
    return `No response from ${where} (timeout).`;
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return `${where} is unreachable.`;
  }
  if (e.mailboxMissing || code === 'NotFound') {
    return `The folder "${target.folder}" does not exist on ${where}.`;
  }
  if (code === 'NoConnection' || code === 'EConnectionClosed' || code === 'ECONNRESET') {
    return `The connection to ${where} was closed unexpectedly.`;
  }
  if (e.name === 'StoreFailedError') {
    const kept = e.protocol === 'pop3' ? 'it stays on the server' : 'it stays unseen on the server';
    return `${e.message}; ${kept} and is fetched again.`;
  }
  if (code === 'EPROTOCOL') {
    return `${where} did not answer like a ${e.protocol === 'pop3' ? 'POP3' : 'mail'} server (${e.message ?? 'unexpected answer'}): check the port.`;
  }
  const detail = e.responseText ?? e.message ?? 'unknown error';
  return `Fetching from ${where} failed: ${detail}`;
}

/**
 * True for failures that retrying with the same settings cannot fix (a revoked refresh token, a refused
 * OAuth client): the session then waits a whole poll interval instead of backing off from a second.
 */
export function isPermanentFetchError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as ErrorFields).permanent === true;
}

/** Raised for servers whose credentials the fetcher cannot use as stored. */
export class UnsupportedAuthError extends Error {
  override readonly name = 'UnsupportedAuthError';
}

/**
 * Storing a fetched message failed. Only the root cause's message is kept: a query error's own
 * message lists its parameters, the raw mail among them, which must reach neither logs nor the API.
 */
export class StoreFailedError extends Error {
  override readonly name = 'StoreFailedError';
  readonly code = 'ESTORE';
  /** `uid` is the IMAP UID, or the POP3 UIDL for `protocol` pop3. */
  constructor(
    uid: number | string,
    err: unknown,
    readonly protocol: 'imap' | 'pop3' = 'imap',
  ) {
    let root = err;
    while (root instanceof Error && root.cause instanceof Error) {
      root = root.cause;
    }
    super(
      `The message with ${protocol === 'pop3' ? 'UIDL' : 'UID'} ${uid} could not be stored: ${root instanceof Error ? root.message : String(root)}`,
    );
  }
}
