import { describe, expect, it } from 'vitest';
import { chooseReplyThread, type ReplyClues } from './reply-thread.js';

const a = { id: 'ta', model: 'sale.order' };
const b = { id: 'tb', model: 'crm.lead' };
const none: ReplyClues = {
  byReferences: null,
  token: { present: false, checked: true, valid: false, thread: null },
  header: { value: null, thread: null, senderFollows: false },
};

describe('chooseReplyThread (trust order)', () => {
  it.each<[string, Partial<ReplyClues>, string | null, string | null]>([
    ['no clue at all', {}, null, null],
    ['References alone', { byReferences: a }, 'ta', 'references'],
    [
      'References win over a token naming another thread',
      { byReferences: a, token: { present: true, checked: true, valid: true, thread: b } },
      'ta',
      'references',
    ],
    [
      'a genuine token of this database',
      { token: { present: true, checked: true, valid: true, thread: b } },
      'tb',
      'reply-token',
    ],
    ['a forged token', { token: { present: true, checked: true, valid: false, thread: null } }, null, null],
    [
      'a genuine token of another database (no thread here)',
      { token: { present: true, checked: true, valid: true, thread: null } },
      null,
      null,
    ],
    [
      'a token wins over a follower’s header',
      {
        token: { present: true, checked: true, valid: true, thread: b },
        header: { value: 'sale.order/1', thread: a, senderFollows: true },
      },
      'tb',
      'reply-token',
    ],
    [
      'a follower’s thread header',
      { header: { value: 'sale.order/1', thread: a, senderFollows: true } },
      'ta',
      'thread-header',
    ],
    [
      'a stranger’s thread header',
      { header: { value: 'sale.order/1', thread: a, senderFollows: false } },
      null,
      null,
    ],
    [
      'a forged token and a stranger’s header together',
      {
        token: { present: true, checked: true, valid: false, thread: null },
        header: { value: 'sale.order/1', thread: a, senderFollows: false },
      },
      null,
      null,
    ],
  ])('%s', (_label, clues, threadId, via) => {
    const result = chooseReplyThread({ ...none, ...clues });
    expect(result.thread?.id ?? null).toBe(threadId);
    expect(result.thread?.via ?? null).toBe(via);
  });

  it('says nothing of a token it did not need to look at (References decided)', () => {
    const byReferences = chooseReplyThread({
      ...none,
      byReferences: a,
      // What replyClues leaves for a token it did not check because References decided.
      token: { present: true, checked: true, valid: false, thread: null },
    });
    expect(byReferences).toEqual({ thread: { ...a, via: 'references' }, notes: [] });
  });

  it('says why a clue was ignored', () => {
    const forged = chooseReplyThread({
      ...none,
      token: { present: true, checked: true, valid: false, thread: null },
    });
    expect(forged.notes.join(' ')).toMatch(/failed its signature check and was ignored/);
    const stranger = chooseReplyThread({
      ...none,
      header: { value: 'sale.order/42', thread: a, senderFollows: false },
    });
    expect(stranger.notes.join(' ')).toMatch(/"sale.order\/42" is not trusted: the sender does not follow/);
    const unchecked = chooseReplyThread({
      ...none,
      token: { present: true, checked: false, valid: false, thread: null },
    });
    expect(unchecked.thread).toBeNull();
    expect(unchecked.notes.join(' ')).toMatch(/could not be checked \(no secret key here\)/);
    const unknown = chooseReplyThread({
      ...none,
      header: { value: 'x/1', thread: null, senderFollows: false },
    });
    expect(unknown.notes.join(' ')).toMatch(/names no thread of this database/);
    expect(chooseReplyThread({ ...none, byReferences: a }).notes).toEqual([]);
  });
});
