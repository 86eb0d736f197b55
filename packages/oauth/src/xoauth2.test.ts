import { describe, expect, it } from 'vitest';
import { parseXoauth2Challenge, xoauth2InitialResponse } from './xoauth2.js';

describe('xoauth2InitialResponse', () => {
  it('frames the user and the bearer token with ^A', () => {
    const decoded = Buffer.from(xoauth2InitialResponse('a@b.test', 'ya29.tok'), 'base64').toString();
    expect(decoded).toBe('user=a@b.test\x01auth=Bearer ya29.tok\x01\x01');
  });

  it.each([
    ['a@b.test\x01auth=Bearer evil', 'tok'],
    ['a@b.test', 'tok\r\nA1 LOGOUT'],
  ])('refuses control characters (%j)', (user, token) => {
    expect(() => xoauth2InitialResponse(user, token)).toThrow(RangeError);
  });
});

describe('parseXoauth2Challenge', () => {
  it('reads the status of the error challenge', () => {
    const challenge = Buffer.from('{"status":"401","schemes":"bearer","scope":"mail"}').toString('base64');
    expect(parseXoauth2Challenge(challenge)).toEqual({ status: '401', scope: 'mail' });
  });

  it('returns null for anything else', () => {
    expect(parseXoauth2Challenge('not base64 json')).toBeNull();
    expect(parseXoauth2Challenge('')).toBeNull();
  });
});
