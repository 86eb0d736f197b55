import { parseAddress } from './address.js';

// A VERP token is lower-case letters and digits (TokenSigner's tokens are): it survives MTAs that
// lower-case local parts, and it can never contain the `+` that separates it from the bounce alias.
const TOKEN = /^[a-z0-9]+$/i;

/**
 * R3.5 with a per-mail token (VERP): `bounce@example.com` + token → `bounce+<token>@example.com`, so
 * a bounce names the mail and recipient it is about without our trusting anything in its content.
 * The token is lower-cased.
 *
 * The token is always appended after the whole local part, after a `+`. A bounce address that already
 * has a `+` tag keeps it: `bounce+acme@example.com` → `bounce+acme+<token>@example.com`, and
 * `verpTokenOf(address, 'bounce+acme')` gives the token back. The domain is kept as written.
 *
 * `bounceAddress` must be a bare address (as `bounceAddress(params)` returns) and `token` must come
 * from `TokenSigner.sign`. Anything else is a bug, not a data error, so it throws a TypeError instead
 * of returning a Result.
 */
export function verpAddress(bounceAddress: string, token: string): string {
  const at = bounceAddress.lastIndexOf('@');
  if (at <= 0 || at === bounceAddress.length - 1 || /[\s<>]/.test(bounceAddress)) {
    throw new TypeError(`not a bare bounce address: ${JSON.stringify(bounceAddress)}`);
  }
  if (!TOKEN.test(token)) {
    throw new TypeError(`a VERP token is letters and digits only, not ${JSON.stringify(token)}`);
  }
  return `${bounceAddress.slice(0, at)}+${token.toLowerCase()}${bounceAddress.slice(at)}`;
}

/**
 * The VERP token in an address (bare, `<…>` or a header value with a name), lower-cased: `Bounce+ABC@Domain`
 * with `bounce` gives `abc`. Null unless the local part is exactly `<bounceLocalPart>+<token>` (the alias
 * compared without regard to case, the token letters and digits only), so `bounce@x`, `bounce+@x`,
 * `bouncer+abc@x` and `bounce+a+b@x` give null.
 *
 * The domain is not checked: the token's signature (TokenSigner.verify), not the domain, is what makes
 * a bounce trustworthy, and a tenant may receive bounces on more than one domain.
 */
export function verpTokenOf(address: string, bounceLocalPart: string): string | null {
  const alias = bounceLocalPart.trim();
  const parsed = parseAddress(address);
  if (alias === '' || !parsed.ok) {
    return null;
  }
  const prefix = `${alias.toLowerCase()}+`;
  const localPart = parsed.value.localPart.toLowerCase();
  if (!localPart.startsWith(prefix)) {
    return null;
  }
  const token = localPart.slice(prefix.length);
  return TOKEN.test(token) ? token : null;
}
