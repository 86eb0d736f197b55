/** The server answered a UID SEARCH with NO or BAD (imapflow then resolves `false`, not a list). */
export class SearchRefusedError extends Error {
  override readonly name = 'SearchRefusedError';
  readonly code = 'ESEARCHREFUSED';
  constructor() {
    super('the server refused to list the new messages (UID SEARCH was answered NO or BAD)');
  }
}

/**
 * The UIDs to fetch after `lastUid`, oldest first, from the answer to `UID SEARCH lastUid+1:*`.
 * `n:*` always matches the highest UID, even one below n, so only what is really new is kept. A
 * refusal is an error, never "no new mail": read as an empty list, it would record a healthy fetch
 * while the mailbox goes unread.
 */
export function newUids(found: readonly number[] | false | undefined, lastUid: number): number[] {
  if (!Array.isArray(found)) {
    throw new SearchRefusedError();
  }
  return found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
}
