import { verpTokenOf } from '@sotamail/mail-core';

export type VerpFinding =
  /** No address carries a token: link by the report's content instead. */
  | { kind: 'none' }
  /** A token is there but none verifies: forged (or signed with another key). Nothing may change. */
  | { kind: 'invalid'; token: string }
  /** A genuine token: the id of the outgoing mail it was signed for. */
  | { kind: 'valid'; token: string; outgoingMailId: string };

/**
 * The VERP token of the address a bounce was sent to (`bounce+<token>@…`). The first token that
 * verifies wins; when tokens are present and none verifies, the bounce is reported as forged rather
 * than linked by its (forgeable) content, so a bad signature can never change anything.
 */
export function findVerpToken(
  addresses: readonly string[],
  bounceAlias: string,
  verify: (token: string) => string | null,
): VerpFinding {
  let invalid: string | null = null;
  for (const address of addresses) {
    const token = verpTokenOf(address, bounceAlias);
    if (token === null) {
      continue;
    }
    const outgoingMailId = verify(token);
    if (outgoingMailId !== null) {
      return { kind: 'valid', token, outgoingMailId };
    }
    invalid ??= token;
  }
  return invalid === null ? { kind: 'none' } : { kind: 'invalid', token: invalid };
}
