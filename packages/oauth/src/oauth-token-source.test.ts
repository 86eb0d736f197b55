import { describe, expect, it } from 'vitest';
import type { TokenGrant } from './classify-token-response.js';
import type { OAuthTokenRequest } from './exchange-refresh-token.js';
import { createOAuthTokenSource } from './oauth-token-source.js';
import type { OAuthTokenFailure } from './token-failure.js';

const request: OAuthTokenRequest = {
  provider: 'google',
  clientId: 'client',
  clientSecret: 'secret',
  refreshToken: 'refresh-1',
};

/** A scripted token endpoint: each exchange takes the next answer and is counted. */
function fakeExchange(answers: (TokenGrant | OAuthTokenFailure)[]) {
  const calls: { endpoint: string; request: OAuthTokenRequest }[] = [];
  return {
    calls,
    exchange: async (endpoint: string, r: OAuthTokenRequest) => {
      calls.push({ endpoint, request: r });
      const answer = answers.shift();
      if (!answer) {
        throw new Error('no scripted answer left');
      }
      return answer;
    },
  };
}

const grant = (accessToken: string, expiresInSeconds = 3600): TokenGrant => ({
  ok: true,
  accessToken,
  expiresInSeconds,
});
const revoked: OAuthTokenFailure = {
  ok: false,
  code: 'OAUTH_GRANT_REVOKED',
  permanent: true,
  message: 'revoked',
};

describe('createOAuthTokenSource', () => {
  it('reuses an access token until shortly before it expires, then exchanges again', async () => {
    let clock = 1_000_000;
    const fake = fakeExchange([grant('a1'), grant('a2')]);
    const source = createOAuthTokenSource({
      exchange: fake.exchange,
      endpoints: { google: 'http://g.test/token', microsoft: 'http://m.test/token' },
      refreshMarginMs: 60_000,
      now: () => clock,
    });
    expect(await source(request)).toEqual({ ok: true, accessToken: 'a1', expiresAt: 1_000_000 + 3_600_000 });
    clock += 3_600_000 - 60_001;
    expect(await source(request)).toMatchObject({ accessToken: 'a1' });
    clock += 1;
    expect(await source(request)).toMatchObject({ accessToken: 'a2' });
    expect(fake.calls.map((c) => c.endpoint)).toEqual(['http://g.test/token', 'http://g.test/token']);
  });

  it('exchanges again when asked to, after a mail server refused the cached token', async () => {
    const fake = fakeExchange([grant('a1'), grant('a2')]);
    const source = createOAuthTokenSource({ exchange: fake.exchange });
    expect(await source(request)).toMatchObject({ accessToken: 'a1' });
    expect(await source({ ...request, forceRefresh: true })).toMatchObject({ accessToken: 'a2' });
    expect(await source(request)).toMatchObject({ accessToken: 'a2' });
    expect(fake.calls).toHaveLength(2);
  });

  it('keeps one cache entry per refresh token and provider endpoint', async () => {
    const fake = fakeExchange([grant('g'), grant('m'), grant('other')]);
    const source = createOAuthTokenSource({ exchange: fake.exchange });
    await source(request);
    await source({ ...request, provider: 'microsoft' });
    await source({ ...request, refreshToken: 'refresh-2' });
    expect(await source(request)).toMatchObject({ accessToken: 'g' });
    expect(await source({ ...request, provider: 'microsoft' })).toMatchObject({ accessToken: 'm' });
    expect(fake.calls.map((c) => c.endpoint)).toEqual([
      'https://oauth2.googleapis.com/token',
      'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      'https://oauth2.googleapis.com/token',
    ]);
  });

  it('shares one exchange between concurrent requests', async () => {
    const fake = fakeExchange([grant('a1')]);
    const source = createOAuthTokenSource({ exchange: fake.exchange });
    const results = await Promise.all([source(request), source(request), source(request)]);
    expect(results.map((r) => (r.ok ? r.accessToken : null))).toEqual(['a1', 'a1', 'a1']);
    expect(fake.calls).toHaveLength(1);
  });

  it('does not cache failures, and drops the cached token when the refresh token is revoked', async () => {
    const fake = fakeExchange([grant('a1'), revoked, revoked, grant('a3')]);
    const source = createOAuthTokenSource({ exchange: fake.exchange });
    await source(request);
    expect(await source({ ...request, forceRefresh: true })).toEqual(revoked);
    // The old token is not served again: the account must be reconnected.
    expect(await source(request)).toEqual(revoked);
    expect(await source(request)).toMatchObject({ accessToken: 'a3' });
  });
});
