/**
 * How many of the waiting mails (their sizes, in arrival order) go into the next grouped store:
 * always the first, then as many as stay within both limits.
 */
export function groupLength(
  sizes: readonly number[],
  limits: { maxMails: number; maxBytes: number },
): number {
  let bytes = 0;
  let taken = 0;
  for (const size of sizes) {
    if (taken > 0 && (taken >= limits.maxMails || bytes + size > limits.maxBytes)) {
      break;
    }
    taken++;
    bytes += size;
  }
  return taken;
}
