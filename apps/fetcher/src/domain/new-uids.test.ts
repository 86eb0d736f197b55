import { describe, expect, it } from 'vitest';
import { describeFetchError } from './describe-fetch-error.js';
import { newUids, SearchRefusedError } from './new-uids.js';

describe('newUids', () => {
  it.each([
    { found: [], lastUid: 0, expected: [], why: 'an empty folder' },
    { found: [3, 1, 2], lastUid: 0, expected: [1, 2, 3], why: 'oldest first' },
    { found: [7], lastUid: 7, expected: [], why: '`n:*` matching the highest UID, already fetched' },
    { found: [5], lastUid: 9, expected: [], why: 'the highest UID below the checkpoint' },
    { found: [12, 10, 11], lastUid: 10, expected: [11, 12], why: 'only what follows the checkpoint' },
  ])('$why', ({ found, lastUid, expected }) => {
    expect(newUids(found, lastUid)).toEqual(expected);
  });

  it.each([false as const, undefined])(
    'takes a refused search (%s) for an error, not for an empty folder',
    (found) => {
      expect(() => newUids(found, 0)).toThrow(SearchRefusedError);
    },
  );

  it('gives the admin a sentence that says the mailbox was not read', () => {
    const text = describeFetchError(new SearchRefusedError(), {
      host: 'imap.example.test',
      port: 993,
      folder: 'INBOX',
    });
    expect(text).toBe(
      'Fetching from imap.example.test:993 failed: the server refused to list the new messages (UID SEARCH was answered NO or BAD)',
    );
  });
});
