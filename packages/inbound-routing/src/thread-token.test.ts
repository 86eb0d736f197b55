import { describe, expect, it } from 'vitest';
import { splitThreadToken } from './thread-token.js';

// The shape TokenSigner makes: 32 hex digits, then 12 base32 characters (a-z, 2-7).
const token = '0b0e4a523f5c4d599b0a2f6a3c1d9e77abcdefgh2345';

describe('splitThreadToken', () => {
  it.each<[string, string, string | null]>([
    ['a plain local part', 'catchall', null],
    ['a signed catchall', `catchall+${token}`, token],
    ['a signed alias with a dash', `sales-eu+${token}`, token],
    ['an upper-cased token (some MTAs)', `catchall+${token.toUpperCase()}`, token],
    ['an ordinary sub-address', 'sales+eu', null],
    ['a token one character short', `catchall+${token.slice(1)}`, null],
    ['a token with a character outside base32', `catchall+${token.slice(0, -1)}1`, null],
    ['nothing before the plus', `+${token}`, null],
  ])('%s', (_label, local, expected) => {
    const split = splitThreadToken(local);
    expect(split.token).toBe(expected);
    expect(split.base).toBe(expected === null ? local : local.slice(0, local.lastIndexOf('+')));
  });
});
