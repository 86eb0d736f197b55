import { createTokenSigner } from '@sotamail/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, seedThread, waitUntil } from './outbound-harness.js';
import { type RouterHarness, startRouterHarness } from './router-harness.js';

// Replies whose Message-ID chain a provider rewrote (R8.2): the signed thread token of our Reply-To
// and, from followers only, the X-SotaMail-Thread header bring them back to their thread. Forged and
// foreign tokens, and a stranger's header, get nobody into a thread.

let r: RouterHarness;

beforeAll(async () => {
  r = await startRouterHarness();
  await r.startFetcher();
  await r.startRouter();
}, 90_000);

afterAll(async () => {
  await r?.close();
});

/** A post in the thread, and the Reply-To address its first follower received. */
async function postAndReplyTo(s: Awaited<ReturnType<typeof seedThread>>) {
  const original = await post(r.d.h, s);
  // Other tests' mail (notices) reaches the same sink: wait for this post's own mails.
  const mails = await waitUntil(
    'the post at every follower',
    async () => r.d.sink.received.filter((m) => m.parsed.messageId === `<${original.messageId}>`),
    (m) => m.length === s.followerEmails.length,
    20_000,
  );
  const toFirst = mails.find((m) => m.rcptTo.includes(s.followerEmails[0] ?? ''));
  return { original, mail: toFirst, replyTo: toFirst?.parsed.replyTo?.value[0]?.address ?? '' };
}

const rewritten = (n: string) => ({
  // What Outlook.com and others leave: their own Message-ID chain, none of ours.
  messageId: `<${n}@eur01.prod.outlook.example>`,
  inReplyTo: `<rewritten-${n}@eur01.prod.outlook.example>`,
  references: [`<rewritten-${n}@eur01.prod.outlook.example>`],
});

const decisionOf = (row: { decision: unknown } | undefined) =>
  (row?.decision ?? {}) as { action?: string; threadId?: string; reasons?: string[] };

describe('replies without our Message-ID chain', () => {
  it('finds the thread by the signed token of the Reply-To, and notifies the other followers', async () => {
    const s = await seedThread(r.d.h, { followers: 2, aliasDomain: 'token.test' });
    const { replyTo } = await postAndReplyTo(s);
    // catchall + "+" + 44 characters: within the 64 a local part may have.
    expect(replyTo).toMatch(/^catchall\+[a-z0-9]{44}@token\.test$/);
    expect(replyTo.split('@')[0]?.length).toBeLessThanOrEqual(64);
    await r.send({
      from: `"Follower 0" <${s.followerEmails[0]}>`,
      to: replyTo,
      subject: 'RE: Your quote',
      text: 'Yes, go ahead.',
      ...rewritten('t1'),
    });
    const messages = await waitUntil(
      'the reply in its thread',
      () => r.threadMessages(s.databaseId, s.threadId),
      (m) => m.length === 2,
      20_000,
    );
    expect(messages.find((m) => m.messageId === 't1@eur01.prod.outlook.example')?.authorName).toBe(
      'Follower 0',
    );
    const [raw] = await r.rawOf(s.databaseId);
    expect(decisionOf(raw).reasons?.join(' ')).toMatch(/signed thread token of the reply address/);
    const relayed = async () =>
      r.d.sink.received.filter((m) => m.parsed.messageId === '<t1@eur01.prod.outlook.example>');
    await waitUntil('the reply passed on', relayed, (m) => m.length >= 2, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await relayed()).flatMap((m) => m.rcptTo).sort()).toEqual(
      ['admin@example.com', s.followerEmails[1]].sort(),
    );
  }, 60_000);

  it('ignores a forged token and another database’s genuine token', async () => {
    const a = await seedThread(r.d.h, { followers: 1, aliasDomain: 'forged-a.test' });
    const b = await seedThread(r.d.h, { followers: 1, aliasDomain: 'forged-b.test' });
    const hex = a.threadId.replaceAll('-', '');
    // The right thread id with a made-up signature.
    await r.send({
      from: a.followerEmails[0],
      to: `catchall+${hex}abcdefghijkl@forged-a.test`,
      subject: 'forged',
      text: 'let me in',
      ...rewritten('f1'),
    });
    // A genuine token (database a's thread, our key), sent to database b.
    const genuine = createTokenSigner(r.d.h.deps.secretKey, 'reply-to').sign(a.threadId);
    await r.send({
      from: b.followerEmails[0],
      to: `catchall+${genuine}@forged-b.test`,
      subject: 'foreign',
      text: 'wrong database',
      ...rewritten('f2'),
    });
    const [forged] = await r.waitForProcessed(a.databaseId, 1);
    const [foreign] = await r.waitForProcessed(b.databaseId, 1);
    expect(decisionOf(forged).action).toBe('refused');
    expect(decisionOf(forged).reasons?.join(' ')).toMatch(/failed its signature check and was ignored/);
    expect(decisionOf(foreign).action).toBe('refused');
    expect(decisionOf(foreign).reasons?.join(' ')).toMatch(/names no thread of this database/);
    expect(await r.threadMessages(a.databaseId, a.threadId)).toHaveLength(0);
    expect(await r.threadMessages(b.databaseId, b.threadId)).toHaveLength(0);
  }, 60_000);

  it('trusts the X-SotaMail-Thread header of a follower, not of a stranger', async () => {
    const s = await seedThread(r.d.h, { followers: 1, aliasDomain: 'header.test' });
    await postAndReplyTo(s);
    await r.send({
      from: s.followerEmails[0],
      to: 'catchall@header.test',
      subject: 'RE: Your quote',
      text: 'From a follower.',
      headers: { 'X-SotaMail-Thread': 'sale.order/42' },
      ...rewritten('h1'),
    });
    await r.send({
      from: 'stranger@elsewhere.test',
      to: 'catchall@header.test',
      subject: 'RE: Your quote',
      text: 'I am not invited.',
      headers: { 'X-SotaMail-Thread': 'sale.order/42' },
      ...rewritten('h2'),
    });
    const raws = await r.waitForProcessed(s.databaseId, 2);
    const byFollower = raws.find((x) => x.envelopeFrom === s.followerEmails[0]);
    const byStranger = raws.find((x) => x.envelopeFrom === 'stranger@elsewhere.test');
    expect(decisionOf(byFollower)).toMatchObject({ action: 'reply', threadId: s.threadId });
    expect(decisionOf(byFollower).reasons?.join(' ')).toMatch(/X-SotaMail-Thread header names this thread/);
    expect(decisionOf(byStranger).action).toBe('refused');
    expect(decisionOf(byStranger).reasons?.join(' ')).toMatch(/not trusted: the sender does not follow/);
    const messages = await r.threadMessages(s.databaseId, s.threadId);
    expect(messages).toHaveLength(2);
    expect(messages.find((m) => m.authorEmail === s.followerEmails[0])?.bodyText.trim()).toBe(
      'From a follower.',
    );
  }, 60_000);

  it('reads the thread header of an original a follower forwards back as an attachment', async () => {
    const s = await seedThread(r.d.h, { followers: 1, aliasDomain: 'attached.test' });
    const { mail } = await postAndReplyTo(s);
    expect(mail?.raw.toString('utf8')).toMatch(/^X-SotaMail-Thread: sale\.order\/42\r$/im);
    await r.send({
      from: s.followerEmails[0],
      to: 'catchall@attached.test',
      subject: 'FW: Your quote',
      text: 'See the attached mail.',
      attachments: [
        { filename: 'original.eml', contentType: 'message/rfc822', content: mail?.raw ?? Buffer.alloc(0) },
      ],
      ...rewritten('a1'),
    });
    const [raw] = await r.waitForProcessed(s.databaseId, 1);
    expect(decisionOf(raw)).toMatchObject({ action: 'reply', threadId: s.threadId });
  }, 60_000);
});
