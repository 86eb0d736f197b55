import { OAuthTokenError } from '@sotamail/oauth';
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff.js';
import { describeFetchError, isPermanentFetchError, StoreFailedError } from './describe-fetch-error.js';
import { fetchIntervalMs } from './fetch-interval.js';

const target = { host: 'imap.example.test', port: 993, folder: 'INBOX' };

describe('describeFetchError', () => {
  it.each([
    [{ authenticationFailed: true, message: 'x' }, 'Authentication failed on imap.example.test:993'],
    [{ code: 'ECONNREFUSED' }, 'Connection refused by imap.example.test:993'],
    [{ code: 'ENOTFOUND' }, 'Unknown host imap.example.test.'],
    [{ code: 'CONNECT_TIMEOUT' }, 'No response from imap.example.test:993 (timeout).'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'TLS negotiation with imap.example.test:993 failed'],
    [{ mailboxMissing: true }, 'The folder "INBOX" does not exist'],
  ])('classifies %o on its code or flag', (err, expected) => {
    expect(describeFetchError(err, target)).toContain(expected);
  });

  it('keeps only the root cause of a store failure, never the query and its parameters', () => {
    const query = new Error('Failed query: insert into raw_inbound_messages ... params: <raw mail>', {
      cause: new Error('disk full'),
    });
    const text = describeFetchError(new StoreFailedError(7, query), target);
    expect(text).toBe(
      'The message with UID 7 could not be stored: disk full; it stays unseen on the server and is fetched again.',
    );
  });
});

describe('describeFetchError for POP3', () => {
  it('says a POP3 message that could not be stored stays on the server', () => {
    const text = describeFetchError(
      new StoreFailedError('0000000a5f0c1b2e', new Error('disk full'), 'pop3'),
      target,
    );
    expect(text).toBe(
      'The message with UIDL 0000000a5f0c1b2e could not be stored: disk full; it stays on the server and is fetched again.',
    );
  });

  it.each([
    [{ code: 'ESTARTTLS', tlsFailed: true }, 'imap.example.test:993 does not offer STARTTLS (STLS)'],
    [
      { code: 'EPROTOCOL', protocol: 'pop3', message: 'not a POP3 status line' },
      'did not answer like a POP3 server',
    ],
    [{ code: 'EAUTH', authenticationFailed: true }, 'Authentication failed on imap.example.test:993'],
    [{ code: 'EPOP3', responseText: '[IN-USE] Mailbox locked' }, 'failed: [IN-USE] Mailbox locked'],
  ])('classifies %o', (err, expected) => {
    expect(describeFetchError(err, target)).toContain(expected);
  });
});

describe('fetchIntervalMs', () => {
  it('prefers the server, then the database parameter (minutes), then 5 minutes', () => {
    expect(fetchIntervalMs(90, '10')).toBe(90_000);
    expect(fetchIntervalMs(null, '10')).toBe(600_000);
    expect(fetchIntervalMs(null, 'five')).toBe(300_000);
    expect(fetchIntervalMs(null, null)).toBe(300_000);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles up to the maximum, with at most 20% jitter below', () => {
    const options = { minMs: 1_000, maxMs: 60_000 };
    expect(reconnectDelayMs(1, options, () => 1)).toBe(1_000);
    expect(reconnectDelayMs(3, options, () => 1)).toBe(4_000);
    expect(reconnectDelayMs(20, options, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(3, options, () => 0)).toBe(3_200);
  });
});

describe('describeFetchError with OAuth2 (XOAUTH2)', () => {
  const oauthTarget = { ...target, authType: 'xoauth2' as const, username: 'box@example.test' };

  it('says the server refused the access token, not a password', () => {
    const text = describeFetchError({ authenticationFailed: true }, oauthTarget);
    expect(text).toContain(
      'Authentication failed on imap.example.test:993: the server refused the OAuth2 access token for box@example.test (XOAUTH2), also a newly issued one.',
    );
    expect(text).not.toContain('password');
  });

  it('says when the server offers no XOAUTH2', () => {
    expect(describeFetchError({ code: 'EXOAUTH2_UNSUPPORTED', protocol: 'pop3' }, oauthTarget)).toBe(
      "imap.example.test:993 does not offer OAuth2 login (XOAUTH2): use a password for this server, or the provider's own POP3 server.",
    );
  });

  it('passes on the token failure sentence of @sotamail/oauth', () => {
    const err = new OAuthTokenError({
      ok: false,
      code: 'OAUTH_GRANT_REVOKED',
      permanent: true,
      message: 'The Google refresh token was revoked or has expired: reconnect the account to get a new one.',
    });
    expect(describeFetchError(err, oauthTarget)).toBe(err.message);
    expect(isPermanentFetchError(err)).toBe(true);
  });

  it('retries transient token failures at the usual pace', () => {
    const err = new OAuthTokenError({
      ok: false,
      code: 'OAUTH_ENDPOINT_UNREACHABLE',
      permanent: false,
      message: 'unreachable',
    });
    expect(isPermanentFetchError(err)).toBe(false);
    expect(isPermanentFetchError({ authenticationFailed: true })).toBe(false);
  });
});
