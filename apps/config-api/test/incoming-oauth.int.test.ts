import { randomBytes } from 'node:crypto';
import { createOAuthTokenSource } from '@sotamail/oauth';
import { startTestDovecot, type TestDovecot } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeOAuthProvider,
  startFakeOAuthProvider,
  startOAuthDovecot,
} from '../../../test/oauth-provider.js';
import { type Harness, startHarness } from './api-harness.js';

// Test & Confirm of OAuth2 (XOAUTH2) incoming servers (R7.1) against a real Dovecot that checks the
// access tokens with a local provider's introspection endpoint, and the token exchange against that
// provider's token endpoint.

const user = 'box@oauth.test';

let h: Harness;
let provider: FakeOAuthProvider;
let dovecot: TestDovecot;
/** A Dovecot without the OAuth2 mechanisms. */
let plainDovecot: TestDovecot;
let databaseId: string;

type TestAnswer = {
  ok: boolean;
  code: string | null;
  message: string;
  step: string | null;
  transcript: string[];
  state: 'draft' | 'confirmed';
};

async function createServer(input: {
  protocol: 'imap' | 'pop3';
  refreshToken: string;
  port?: number;
  clientSecret?: string;
  username?: string;
}): Promise<string> {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers`,
    payload: {
      name: `${input.protocol} oauth ${randomBytes(3).toString('hex')}`,
      protocol: input.protocol,
      host: '127.0.0.1',
      port: input.port ?? (input.protocol === 'imap' ? dovecot.imapPort : dovecot.pop3Port),
      security: 'none',
      authType: 'xoauth2',
      username: input.username ?? user,
      oauthProvider: 'google',
      oauthClientId: provider.clientId,
      oauthClientSecret: input.clientSecret ?? provider.clientSecret,
      oauthRefreshToken: input.refreshToken,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function test(id: string): Promise<TestAnswer> {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers/${id}/test`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TestAnswer;
}

async function server(id: string) {
  const res = await h.call({ method: 'GET', url: `/v1/databases/${databaseId}/incoming-servers/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { state: string; lastTest: { ok: boolean; code: string | null } | null };
}

beforeAll(async () => {
  provider = await startFakeOAuthProvider();
  dovecot = await startOAuthDovecot({ [user]: 'only-for-append' }, provider.introspectionUrl);
  plainDovecot = await startTestDovecot({ [user]: 'pw' });
  h = await startHarness();
  // The real token source, pointed at the local provider as OAUTH_GOOGLE_TOKEN_URL would.
  h.deps.oauthAccessToken = createOAuthTokenSource({
    endpoints: { google: provider.tokenUrl, microsoft: provider.tokenUrl },
  });
  const created = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: { name: 'oauth.test', hostingType: 'on_premise', aliasDomain: 'oauth.test' },
  });
  expect(created.statusCode, created.body).toBe(201);
  databaseId = created.json().id as string;
});

afterAll(async () => {
  await h?.close();
  dovecot?.stop();
  plainDovecot?.stop();
  await provider?.close();
});

describe('Test & Confirm with OAuth2 (XOAUTH2)', () => {
  it.each(['imap', 'pop3'] as const)(
    'confirms a %s server whose refresh token gives an access token the server accepts',
    async (protocol) => {
      const refreshToken = provider.grant(user);
      const id = await createServer({ protocol, refreshToken });
      const exchangesBefore = provider.exchanges();
      const result = await test(id);
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true, code: null, state: 'confirmed' });
      expect(provider.exchanges()).toBe(exchangesBefore + 1);
      const transcript = result.transcript.join('\n');
      expect(transcript).toContain(protocol === 'imap' ? 'AUTHENTICATE' : 'AUTH XOAUTH2 ********');
      // Neither the refresh token nor an access token ever reaches the transcript.
      expect(transcript).not.toContain(refreshToken);
      expect(transcript).not.toMatch(/at-[0-9a-f]{24}/);
      expect((await server(id)).state).toBe('confirmed');
    },
  );

  it('sends a long access token (Microsoft-sized) over POP3 on its own line, as RFC 5034 requires', async () => {
    const id = await createServer({
      protocol: 'pop3',
      refreshToken: provider.grant(user, { tokenLength: 1500 }),
    });
    const result = await test(id);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, state: 'confirmed' });
    expect(result.transcript).toContain('C: AUTH XOAUTH2');
  });

  it('diagnoses a revoked refresh token without contacting the mail server, and leaves the server unconfirmed', async () => {
    const refreshToken = provider.grant(user);
    const id = await createServer({ protocol: 'imap', refreshToken });
    expect((await test(id)).ok).toBe(true);
    provider.revoke(refreshToken);
    // Any change of the refresh token returns the server to draft; here it is the same, revoked one.
    const again = await test(id);
    expect(again).toMatchObject({
      ok: false,
      code: 'MAILBOX_OAUTH_GRANT_REVOKED',
      step: 'auth',
      transcript: [],
    });
    expect(again.message).toContain('refresh token was revoked or has expired: reconnect the account');
    expect(again.message).toContain('Token has been expired or revoked.');
    expect(await server(id)).toMatchObject({
      state: 'draft',
      lastTest: { ok: false, code: 'MAILBOX_OAUTH_GRANT_REVOKED' },
    });
  });

  it('diagnoses a client secret the provider refuses', async () => {
    const id = await createServer({
      protocol: 'imap',
      refreshToken: provider.grant(user),
      clientSecret: 'not-the-secret',
    });
    const result = await test(id);
    expect(result).toMatchObject({ ok: false, code: 'MAILBOX_OAUTH_TOKEN_FAILED', state: 'draft' });
    expect(result.message).toContain('check the client id and client secret');
  });

  it('diagnoses a token endpoint that is down as a token failure, not as the mail server’s', async () => {
    const id = await createServer({ protocol: 'pop3', refreshToken: provider.grant(user) });
    provider.setDown(true);
    try {
      const result = await test(id);
      expect(result).toMatchObject({ ok: false, code: 'MAILBOX_OAUTH_TOKEN_FAILED', state: 'draft' });
      expect(result.message).toContain('unavailable (HTTP 503)');
    } finally {
      provider.setDown(false);
    }
  });

  it.each(['imap', 'pop3'] as const)(
    'diagnoses a %s server that refuses the access token (issued for another account)',
    async (protocol) => {
      // The provider issues a token for someone else: the mail server refuses it for this user.
      const id = await createServer({ protocol, refreshToken: provider.grant('someone-else@oauth.test') });
      const result = await test(id);
      expect(result, JSON.stringify(result)).toMatchObject({
        ok: false,
        code: 'MAILBOX_OAUTH_REFUSED',
        step: 'auth',
        state: 'draft',
      });
      expect(result.message).toContain('refused the OAuth2 access token (XOAUTH2)');
      expect(result.message).toContain('the account the token was issued for');
    },
  );

  it.each(['imap', 'pop3'] as const)(
    'diagnoses a %s server that does not offer XOAUTH2 at all',
    async (protocol) => {
      const id = await createServer({
        protocol,
        refreshToken: provider.grant(user),
        port: protocol === 'imap' ? plainDovecot.imapPort : plainDovecot.pop3Port,
      });
      const result = await test(id);
      expect(result, JSON.stringify(result)).toMatchObject({
        ok: false,
        code: 'MAILBOX_OAUTH_UNSUPPORTED',
        step: 'auth',
        state: 'draft',
      });
      expect(result.message).toContain('does not offer OAuth2 login (XOAUTH2)');
    },
  );
});
