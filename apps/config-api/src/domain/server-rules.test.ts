import { describe, expect, it } from 'vitest';
import { type OutgoingServerSettings, outgoingServerProblem } from './server-rules.js';

const base: OutgoingServerSettings = {
  port: 587,
  security: 'starttls',
  authType: 'none',
  username: null,
  hasPassword: false,
  oauthProvider: null,
  oauthClientId: null,
  hasOauthClientSecret: false,
  hasOauthRefreshToken: false,
  clientCertPem: null,
  hasClientKey: false,
  fromFilter: null,
};

describe('outgoingServerProblem', () => {
  it.each<[string, 'online' | 'on_premise', Partial<OutgoingServerSettings>, string | null]>([
    ['port 25 online', 'online', { port: 25 }, 'PORT_25_BLOCKED'],
    ['port 25 on-premise', 'on_premise', { port: 25 }, null],
    ['port 587 online', 'online', {}, null],
    ['port 2525 online', 'online', { port: 2525 }, null],
    ['password without password', 'online', { authType: 'password', username: 'u' }, 'VALIDATION_FAILED'],
    ['password complete', 'online', { authType: 'password', username: 'u', hasPassword: true }, null],
    [
      'oauth incomplete',
      'online',
      { authType: 'xoauth2', username: 'u', oauthProvider: 'google' },
      'VALIDATION_FAILED',
    ],
    [
      'oauth in clear',
      'online',
      {
        authType: 'xoauth2',
        security: 'none',
        username: 'u',
        oauthProvider: 'google',
        oauthClientId: 'c',
        hasOauthClientSecret: true,
        hasOauthRefreshToken: true,
      },
      'VALIDATION_FAILED',
    ],
    [
      'oauth complete',
      'online',
      {
        authType: 'xoauth2',
        username: 'u',
        oauthProvider: 'microsoft',
        oauthClientId: 'c',
        hasOauthClientSecret: true,
        hasOauthRefreshToken: true,
      },
      null,
    ],
    [
      'certificate without key',
      'online',
      { authType: 'certificate', clientCertPem: 'PEM' },
      'VALIDATION_FAILED',
    ],
    [
      'certificate complete',
      'online',
      { authType: 'certificate', clientCertPem: 'PEM', hasClientKey: true },
      null,
    ],
    ['bad from filter', 'online', { fromFilter: 'not a domain' }, 'VALIDATION_FAILED'],
    ['from filter list', 'online', { fromFilter: 'example.com, admin@other.org' }, null],
  ])('%s', (_label, hosting, settings, code) => {
    const problem = outgoingServerProblem(hosting, { ...base, ...settings });
    expect(problem?.code ?? null).toBe(code);
  });

  it('suggests the open ports', () => {
    expect(outgoingServerProblem('online', { ...base, port: 25 })?.message).toMatch(/465.*587.*2525/);
  });
});
