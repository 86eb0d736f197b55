import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretKeyError } from './secret-box.js';
import { createTokenSigner } from './token-signer.js';

const key = Buffer.alloc(32, 7);
const signer = createTokenSigner(key, 'verp');
const id = '0f8e6a2c-5b1d-4c3e-9a7f-123456789abc';
const token = signer.sign(id);

/** A different character of the token's alphabet at the same place. */
function changeAt(value: string, index: number): string {
  const c = value.charAt(index);
  const alphabet = index < 32 ? '0123456789abcdef' : 'abcdefghijklmnopqrstuvwxyz234567';
  const other = alphabet.charAt((alphabet.indexOf(c) + 1) % alphabet.length);
  return value.slice(0, index) + other + value.slice(index + 1);
}

describe('createTokenSigner', () => {
  it('makes a short token of lower-case letters and digits, starting with the UUID', () => {
    expect(token).toMatch(/^[a-z0-9]{44}$/);
    expect(token.startsWith('0f8e6a2c5b1d4c3e9a7f123456789abc')).toBe(true);
    expect(`bounce+${token}`.length).toBeLessThanOrEqual(64);
  });

  it('keeps its format: tokens in return paths of mail already sent must still verify', () => {
    // Computed independently (Python: hmac, HKDF-SHA256 with an empty salt, base64.b32encode).
    expect(token).toBe('0f8e6a2c5b1d4c3e9a7f123456789abcm4ujbplaxa7c');
  });

  it('is deterministic and ignores the case of the UUID', () => {
    expect(signer.sign(id)).toBe(token);
    expect(signer.sign(id.toUpperCase())).toBe(token);
    expect(createTokenSigner(Buffer.from(key), 'verp').sign(id)).toBe(token);
  });

  it.each([
    ['the token', token],
    ['the upper-cased token (an MTA changed the case)', token.toUpperCase()],
    ['a mixed-case token', token.slice(0, 20).toUpperCase() + token.slice(20)],
  ])('verifies %s', (_label, value) => {
    expect(signer.verify(value)).toBe(id);
  });

  it.each(Array.from({ length: 100 }, () => randomUUID()))('round-trips %s', (uuid) => {
    expect(signer.verify(signer.sign(uuid))).toBe(uuid);
  });

  it.each(Array.from({ length: 44 }, (_, index) => index))(
    'refuses a token changed at position %i',
    (index) => {
      const forged = changeAt(token, index);
      expect(forged).not.toBe(token);
      expect(signer.verify(forged)).toBeNull();
    },
  );

  it.each([
    ['another purpose', createTokenSigner(key, 'reply-to')],
    ['another key', createTokenSigner(randomBytes(32), 'verp')],
    ['a longer key with the same start', createTokenSigner(Buffer.concat([key, Buffer.alloc(1)]), 'verp')],
  ])('refuses a token made for %s', (_label, other) => {
    expect(other.verify(token)).toBeNull();
    expect(signer.verify(other.sign(id))).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['the bare UUID', id],
    ['the UUID without dashes', id.replaceAll('-', '')],
    ['one character short', token.slice(0, -1)],
    ['one character more', `${token}a`],
    ['surrounded by spaces', ` ${token} `],
    ['with a separator', `${token.slice(0, 32)}-${token.slice(32)}`],
    ['base32 digits outside the alphabet', `${token.slice(0, 32)}${'1'.repeat(12)}`],
    ['non-hex in the id part', `g${token.slice(1)}`],
    ['non-ASCII', `${token.slice(0, -1)}é`],
    ['another token entirely', 'abc'],
    ['a path', '../../etc/passwd'],
  ])('refuses garbage: %s', (_label, value) => {
    expect(signer.verify(value)).toBeNull();
  });

  it.each(['', 'not-a-uuid', `${id}0`, id.replaceAll('-', ''), `{${id}}`])('refuses to sign %j', (value) => {
    expect(() => signer.sign(value)).toThrow(TypeError);
  });

  it('refuses a short key and an empty purpose', () => {
    expect(() => createTokenSigner(Buffer.alloc(16), 'verp')).toThrow(SecretKeyError);
    expect(() => createTokenSigner(key, ' ')).toThrow(TypeError);
  });
});
