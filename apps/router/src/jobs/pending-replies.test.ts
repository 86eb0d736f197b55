import type { RoutedMessage } from '@sotamail/db';
import type { RouteLookups } from '@sotamail/inbound-routing';
import { describe, expect, it } from 'vitest';
import { PendingReplies, type PendingReply } from './pending-replies.js';

// The replies a routing batch holds: stored in groups, in order, before any question to the database.

const reply = (item: string, bytes = 10): PendingReply<string> => ({
  input: {} as RoutedMessage,
  item,
  bytes,
});

/** A PendingReplies whose stores are written down (and take a turn of the event loop, as a query does). */
function recorded() {
  const stores: string[][] = [];
  const events: string[] = [];
  const pending = new PendingReplies<string>(async (replies) => {
    await new Promise((r) => setTimeout(r, 1));
    stores.push(replies.map((r) => r.item));
    events.push(`stored ${replies.map((r) => r.item).join(',')}`);
  });
  return { pending, stores, events };
}

describe('the replies a batch holds', () => {
  it('are stored together when flushed, and a flush with nothing held stores nothing', async () => {
    const { pending, stores } = recorded();
    await pending.add(reply('a'));
    await pending.add(reply('b'));
    expect(stores).toEqual([]);
    await pending.flush();
    await pending.flush();
    expect(stores).toEqual([['a', 'b']]);
  });

  it.each([
    ['many replies', 64, 10, [64]],
    ['large replies', 3, 2 * 1024 * 1024, [2]],
  ])('are stored without waiting once there are %s', async (_case, count, bytes, groups) => {
    const { pending, stores } = recorded();
    for (let i = 0; i < count; i++) {
      await pending.add(reply(`r${i}`, bytes));
    }
    expect(stores.map((s) => s.length)).toEqual(groups);
  });

  it('are stored before the database is asked anything, each flush after the ones before it', async () => {
    const { pending, events } = recorded();
    const asked = (name: string) => async () => {
      events.push(`asked ${name}`);
      return undefined as never;
    };
    const lookups: RouteLookups = {
      knownMessages: asked('known'),
      authorContact: asked('author'),
      sameContentSeen: asked('same'),
      aliasRecordCount: asked('alias'),
    };
    const asking = pending.beforeAsking(lookups);
    await pending.add(reply('a'));
    await asking.knownMessages('t', 'm', []);
    await pending.add(reply('b'));
    // Two questions at once (a plan asks several together): the replies are stored once, first.
    await Promise.all([asking.authorContact('t', 'e', null), asking.aliasRecordCount('x', 'e', new Date())]);
    await pending.add(reply('c'));
    await asking.sameContentSeen({
      tenantId: 't',
      senderEmail: 'e',
      fingerprint: 'f',
      since: new Date(),
      exceptId: 'x',
    });
    expect(events).toEqual([
      'stored a',
      'asked known',
      'stored b',
      'asked author',
      'asked alias',
      'stored c',
      'asked same',
    ]);
  });

  it('go on being stored after a store that threw', async () => {
    let calls = 0;
    const stored: string[] = [];
    const pending = new PendingReplies<string>(async (replies) => {
      calls++;
      if (calls === 1) {
        throw new Error('lost the connection');
      }
      stored.push(...replies.map((r) => r.item));
    });
    await pending.add(reply('a'));
    await expect(pending.flush()).rejects.toThrow('lost the connection');
    await pending.add(reply('b'));
    await pending.flush();
    expect(stored).toEqual(['b']);
  });
});
