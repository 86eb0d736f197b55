// The signed thread token of our Reply-To addresses (`catchall+<token>@domain`, `sales+<token>@domain`):
// a reply reaches us at that address even when a provider rewrote the Message-ID chain. The token is
// the shape TokenSigner makes (32 hex digits of the thread id, then 12 base32 characters of its HMAC);
// whether it is genuine is for the signer to say, never for its shape.

const TOKEN_SHAPE = /^[0-9a-f]{32}[a-z2-7]{12}$/;

export type TaggedLocalPart = { base: string; token: string | null };

/**
 * `catchall+<token>` → base `catchall` and the token; anything else (no `+`, a tag that is not
 * token-shaped such as `sales+eu`) is returned whole with no token, so ordinary sub-addresses keep
 * routing as before.
 */
export function splitThreadToken(localPart: string): TaggedLocalPart {
  const plus = localPart.lastIndexOf('+');
  if (plus <= 0) {
    return { base: localPart, token: null };
  }
  const tag = localPart.slice(plus + 1).toLowerCase();
  return TOKEN_SHAPE.test(tag)
    ? { base: localPart.slice(0, plus), token: tag }
    : { base: localPart, token: null };
}
