import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SecretKeyError } from './secret-box.js';

/**
 * Signs a UUID into a short token that can travel where only lower-case letters and digits are safe:
 * the local part of an envelope sender (`bounce+<token>@domain`, R3.5/R10.1). Some MTAs lower-case
 * local parts, so the token uses no upper case and `verify` ignores case.
 *
 * Token: the 32 hex digits of the UUID, then 12 base32 characters (RFC 4648 alphabet, lower-cased:
 * `a-z2-7`) holding the first 60 bits of HMAC-SHA256(derived key, those 32 hex digits). Both parts
 * have a fixed length, so no separator is needed: 44 characters, and `bounce+` + token stays within
 * the 64 characters a local part may have. 60 bits make guessing a valid token for a given UUID
 * hopeless (one chance in 10^18 per try), while the id stays readable in a log or a Return-Path.
 *
 * The HMAC key is derived per purpose with HKDF-SHA256, so a token made for one purpose (VERP bounces)
 * is never valid for another (e.g. signed Reply-To addresses), even with the same master key.
 */
export type TokenSigner = {
  /** The token of a UUID (any case, with dashes). Throws a TypeError for anything else: a bug. */
  sign(id: string): string;
  /** The UUID (lower case, with dashes) of a genuine token in any case; null for anything else. */
  verify(token: string): string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = /^([0-9a-f]{32})([a-z2-7]{12})$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_CHARS = 12;

/** `key`: at least 32 bytes, e.g. from parseSecretKey. `purpose`: a fixed name such as `verp`. */
export function createTokenSigner(key: Buffer, purpose: string): TokenSigner {
  if (key.length < 32) {
    throw new SecretKeyError(`a token signing key must be at least 32 bytes (got ${key.length} bytes)`);
  }
  if (purpose.trim() === '') {
    throw new TypeError('a token signer needs a purpose');
  }
  const macKey = Buffer.from(hkdfSync('sha256', key, '', `sotamail token-signer v1: ${purpose}`, 32));
  const macOf = (hex: string): string =>
    base32Prefix(createHmac('sha256', macKey).update(hex, 'ascii').digest(), MAC_CHARS);

  return {
    sign(id) {
      if (!UUID.test(id)) {
        throw new TypeError(`only a UUID can be signed, not ${JSON.stringify(id)}`);
      }
      const hex = id.replaceAll('-', '').toLowerCase();
      return `${hex}${macOf(hex)}`;
    },
    verify(token) {
      const match = TOKEN.exec(token.toLowerCase());
      const hex = match?.[1];
      const mac = match?.[2];
      if (hex === undefined || mac === undefined) {
        return null;
      }
      // Both sides are 12 ASCII characters, so the comparison takes the same time wherever they differ.
      if (!timingSafeEqual(Buffer.from(mac, 'ascii'), Buffer.from(macOf(hex), 'ascii'))) {
        return null;
      }
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

/** The first `chars` base32 characters (5 bits each) of `bytes`. */
function base32Prefix(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32.charAt((value >> bits) & 31);
      if (out.length === chars) {
        return out;
      }
    }
  }
  return out;
}
