import { describe, expect, it } from 'vitest';
import { classifyTokenResponse, classifyTokenTransportError } from './classify-token-response.js';

describe('classifyTokenResponse', () => {
  it('returns the access token and its lifetime', () => {
    expect(
      classifyTokenResponse('google', 200, {
        access_token: 'ya29.a',
        expires_in: 3599,
        token_type: 'Bearer',
      }),
    ).toEqual({ ok: true, accessToken: 'ya29.a', expiresInSeconds: 3599 });
  });

  it('assumes an hour when the provider gives no lifetime', () => {
    expect(classifyTokenResponse('microsoft', 200, { access_token: 'eyJ0' })).toMatchObject({
      expiresInSeconds: 3600,
    });
  });

  it.each<[string, number, unknown, string, boolean, string]>([
    [
      'a revoked refresh token',
      400,
      { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
      'OAUTH_GRANT_REVOKED',
      true,
      'The Google refresh token was revoked or has expired: reconnect the account to get a new one (Google said: "Token has been expired or revoked.").',
    ],
    [
      'a wrong client secret',
      401,
      { error: 'invalid_client' },
      'OAUTH_CLIENT_REJECTED',
      true,
      'check the client id and client secret',
    ],
    [
      'a bad scope',
      400,
      { error: 'invalid_scope' },
      'OAUTH_REQUEST_REJECTED',
      true,
      'HTTP 400, invalid_scope',
    ],
    ['an unknown 4xx', 403, null, 'OAUTH_REQUEST_REJECTED', true, 'HTTP 403'],
    ['a server error', 503, null, 'OAUTH_ENDPOINT_UNAVAILABLE', false, 'unavailable (HTTP 503)'],
    ['a server error with a code', 500, { error: 'invalid_grant' }, 'OAUTH_GRANT_REVOKED', true, 'revoked'],
    ['rate limited', 429, { error: 'rate_limited' }, 'OAUTH_ENDPOINT_UNAVAILABLE', false, 'HTTP 429'],
    ['200 without a token', 200, { hello: 'world' }, 'OAUTH_BAD_RESPONSE', false, 'without an access token'],
    ['a redirect', 302, null, 'OAUTH_BAD_RESPONSE', false, 'unexpected answer (HTTP 302)'],
  ])('classifies %s', (_name, status, body, code, permanent, text) => {
    const result = classifyTokenResponse('google', status, body);
    expect(result).toMatchObject({ ok: false, code, permanent });
    expect(result.ok ? '' : result.message).toContain(text);
  });

  it('keeps control characters and overlong provider text out of the message', () => {
    const result = classifyTokenResponse('microsoft', 400, {
      error: 'invalid_grant',
      error_description: `AADSTS70000\r\nTrace ID: ${'x'.repeat(500)}`,
    });
    const message = result.ok ? '' : result.message;
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('Microsoft said: "AADSTS70000');
  });
});

describe('classifyTokenTransportError', () => {
  it('says a timeout is transient', () => {
    const err = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    expect(classifyTokenTransportError('google', err)).toMatchObject({
      code: 'OAUTH_ENDPOINT_UNREACHABLE',
      permanent: false,
      message: 'The Google token endpoint did not answer in time; it is tried again later.',
    });
  });

  it('names the socket error of fetch', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyTokenTransportError('microsoft', err)).toMatchObject({
      code: 'OAUTH_ENDPOINT_UNREACHABLE',
      permanent: false,
      message: 'The Microsoft token endpoint could not be reached (ECONNREFUSED); it is tried again later.',
    });
  });
});
