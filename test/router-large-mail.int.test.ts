import { createHash, randomBytes } from 'node:crypto';
import { schema } from '@sotamail/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, seedThread, waitUntil } from './outbound-harness.js';
import { type RouterHarness, startRouterHarness } from './router-harness.js';

// A 20 MB attachment through SMTP ingress: stored, routed into its thread with the attachment kept,
// passed on to the other followers, and every service still up afterwards.
//
// The ingress limit counts the mail as sent, and base64 makes 20 MB about 27.4 MB: within the default
// SMTP_INGRESS_MAX_BYTES of 35 MB, which this test keeps.

let r: RouterHarness;

beforeAll(async () => {
  r = await startRouterHarness();
  await r.startFetcher();
  await r.startRouter();
}, 90_000);

afterAll(async () => {
  await r?.close();
});

describe('a 20 MB attachment', () => {
  it('is stored, routed with its attachment, and passed on, with the services still up', async () => {
    const s = await seedThread(r.d.h, { followers: 1, aliasDomain: 'large.test' });
    const original = await post(r.d.h, s);
    await r.d.sink.waitFor(1, 20_000);
    const content = randomBytes(20 * 1024 * 1024);
    const sha256 = createHash('sha256').update(content).digest('hex');
    await r.send({
      from: s.followerEmails[0],
      to: 'catchall@large.test',
      subject: 'Re: Your quote, with the plans',
      text: 'The plans are attached.',
      inReplyTo: `<${original.messageId}>`,
      messageId: '<plans@customer.test>',
      attachments: [{ filename: 'plans.bin', content, contentType: 'application/octet-stream' }],
    });
    const [raw] = await r.waitForProcessed(s.databaseId, 1, 60_000);
    expect(raw?.state).toBe('routed');
    expect(raw?.size).toBeGreaterThan(27 * 1024 * 1024);
    const messages = await r.threadMessages(s.databaseId, s.threadId);
    const reply = messages.find((m) => m.messageId === 'plans@customer.test');
    expect(reply).toBeDefined();
    const [file] = await r.d.h.db.db
      .select({
        filename: schema.attachments.filename,
        size: schema.attachments.size,
        sha256: schema.attachments.sha256,
      })
      .from(schema.attachments)
      .where(eq(schema.attachments.messageId, reply?.id ?? ''));
    expect(file).toEqual({ filename: 'plans.bin', size: content.length, sha256 });

    // The author of the original is sent the reply, attachment and all.
    const [relayed] = await waitUntil(
      'the reply passed on to admin@example.com',
      async () => r.d.sink.received.filter((m) => m.parsed.subject === 'Re: Your quote, with the plans'),
      (m) => m.length === 1,
      60_000,
    );
    expect(relayed?.rcptTo).toEqual(['admin@example.com']);
    const attachment = relayed?.parsed.attachments[0];
    expect(
      createHash('sha256')
        .update(attachment?.content ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(sha256);

    // Still up: a small mail afterwards is routed as usual.
    await r.send({
      from: s.followerEmails[0],
      to: 'catchall@large.test',
      subject: 'Re: Your quote',
      text: 'and one more thing',
      inReplyTo: `<${original.messageId}>`,
    });
    await waitUntil(
      'the next reply',
      () => r.threadMessages(s.databaseId, s.threadId),
      (m) => m.length === 3,
      20_000,
    );
    for (const proc of [r.fetcher, ...r.routers, ...r.d.dispatchers]) {
      expect(proc?.child.exitCode).toBeNull();
    }
  }, 150_000);
});
