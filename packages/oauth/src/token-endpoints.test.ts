import { ConfigError } from '@sotamail/config';
import { describe, expect, it } from 'vitest';
import { defaultTokenEndpoints, loadTokenEndpoints } from './token-endpoints.js';

describe('loadTokenEndpoints', () => {
  it('uses the real Google and Microsoft endpoints by default', () => {
    expect(loadTokenEndpoints({})).toEqual(defaultTokenEndpoints);
    expect(defaultTokenEndpoints.google).toBe('https://oauth2.googleapis.com/token');
  });

  it('takes overrides from the environment', () => {
    expect(
      loadTokenEndpoints({
        OAUTH_GOOGLE_TOKEN_URL: 'http://127.0.0.1:9999/token',
        OAUTH_MICROSOFT_TOKEN_URL: 'https://login.microsoftonline.com/tenant-id/oauth2/v2.0/token',
      }),
    ).toEqual({
      google: 'http://127.0.0.1:9999/token',
      microsoft: 'https://login.microsoftonline.com/tenant-id/oauth2/v2.0/token',
    });
  });

  it('names every invalid variable', () => {
    let error: unknown;
    try {
      loadTokenEndpoints({ OAUTH_GOOGLE_TOKEN_URL: 'not a url', OAUTH_MICROSOFT_TOKEN_URL: 'ftp://x/token' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'OAUTH_GOOGLE_TOKEN_URL: must be a URL starting with https:// or http://',
      'OAUTH_MICROSOFT_TOKEN_URL: must be a URL starting with https:// or http://',
    ]);
  });
});
