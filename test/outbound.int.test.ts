import { schema } from '@sotamail/db';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type DispatchHarness,
  mailStates,
  post,
  seedThread,
  startDispatchHarness,
  waitUntil,
} from './outbound-harness.js';

let d: DispatchHarness;
beforeAll(async () => {
  d = await startDispatchHarness();
  await d.startDispatcher();
});
afterAll(async () => {
  await d?.close();
});
afterEach(() => {
  d.sink.behaviour.onRcpt = undefined;
  d.sink.behaviour.onData = undefined;
});

const messagesOf = async (databaseId: string, threadId: string) =>
  (await d.h.call({ method: 'GET', url: `/v1/databases/${databaseId}/threads/${threadId}/messages` })).json()
    .items as {
    id: string;
    hasFailure: boolean;
    notifications: {
      id: string;
      email: string;
      status: string;
      failureType: string | null;
      failureReason: string | null;
    }[];
  }[];

const settled = (statuses: string[]) => statuses.length > 0 && statuses.every((s) => s !== 'ready');

async function finalStatuses(databaseId: string, threadId: string, messageId: string) {
  return waitUntil(
    'every notification settled',
    async () => (await messagesOf(databaseId, threadId)).find((m) => m.id === messageId)?.notifications ?? [],
    (n) => settled(n.map((x) => x.status)),
    40_000,
  );
}

describe('chatter notifications (R6.1, R6.2, R3)', () => {
  it('emails every follower but the author, with the seed From rewrite, VERP envelope and thread headers', async () => {
    const s = await seedThread(d.h, { followers: 2, aliasDomain: 'mycompany.test' });
    const before = d.sink.received.length;
    const first = await post(d.h, s, {
      authorContactId: undefined,
      authorEmail: 'admin@example.com',
      authorName: 'Admin',
    });
    expect(first.notifications.map((n) => n.email).sort()).toEqual(s.followerEmails);
    await d.sink.waitFor(before + 2, 20_000);
    const mails = d.sink.received.slice(before);
    expect(mails.flatMap((m) => m.rcptTo).sort()).toEqual(s.followerEmails);
    for (const mail of mails) {
      // The platform server may only send as the database's domain (mail.default.from_filter of an
      // online database), so the author's address is encapsulated (R3.3) and bounces come to us.
      expect(mail.parsed.from?.text).toBe('"Admin" <notifications@mycompany.test>');
      expect(mail.mailFrom).toMatch(/^bounce\+[a-z0-9]+@mycompany\.test$/);
      // The catchall with a signed thread token: a reply whose Message-ID chain was lost still routes.
      expect(mail.parsed.replyTo?.text).toMatch(/catchall\+[a-z0-9]+@mycompany\.test/);
      expect(mail.parsed.headers.get('x-sotamail-thread')).toBe('sale.order/42');
      expect(mail.parsed.messageId).toBe(`<${first.messageId}>`);
      expect(mail.parsed.headers.get('auto-submitted')).toBeUndefined();
    }
    const statuses = await finalStatuses(s.databaseId, s.threadId, first.id);
    expect(statuses.map((n) => n.status)).toEqual(['sent', 'sent']);
    const [row] = await d.h.db.db
      .select()
      .from(schema.outgoingMails)
      .where(eq(schema.outgoingMails.messageId, first.id))
      .limit(1);
    expect(row?.smtpResponse).toMatch(/250/);
    expect(row?.smtpQueueId).toMatch(/^Q\d+$/);

    const before2 = d.sink.received.length;
    const second = await post(d.h, s, { kind: 'note', bodyHtml: '<p>Stage changed</p>' });
    await d.sink.waitFor(before2 + 2, 20_000);
    const reply = d.sink.received.slice(before2)[0];
    expect(reply?.parsed.inReplyTo).toBe(`<${first.messageId}>`);
    expect(reply?.parsed.references).toContain(`<${first.messageId}>`);
    expect(reply?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    await finalStatuses(s.databaseId, s.threadId, second.id);
  });

  it('chooses a custom server by From filter and keeps the From it may send (seen on the wire)', async () => {
    const s = await seedThread(d.h, {
      followers: 1,
      hostingType: 'on_premise',
      aliasDomain: 'onprem-wire.test',
    });
    const server = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/outgoing-servers`,
      payload: {
        name: 'example relay',
        host: '127.0.0.1',
        port: d.sink.port,
        security: 'none',
        fromFilter: 'example.com',
      },
    });
    expect(server.statusCode, server.body).toBe(201);
    const before = d.sink.received.length;
    const posted = await post(d.h, s);
    const [mail] = (await d.sink.waitFor(before + 1, 20_000)).slice(before);
    expect(mail?.parsed.from?.text).toBe('"Admin" <admin@example.com>');
    // The filter (example.com) does not allow the bounce address of onprem-wire.test (R3.5).
    expect(mail?.mailFrom).toBe('admin@example.com');
    // Recorded right after the server's answer (group commit), not at the same instant.
    const [row] = await waitUntil(
      'the mail recorded as sent',
      () =>
        d.h.db.db.select().from(schema.outgoingMails).where(eq(schema.outgoingMails.messageId, posted.id)),
      (rows) => rows[0]?.state === 'sent',
      10_000,
    );
    expect(row?.serverId).toBe(server.json().id);
    expect(row?.verpToken).toBeNull();
  });
});

describe('outcomes (one classifier)', () => {
  it('retries a 4xx and then succeeds', async () => {
    d.sink.behaviour.onRcpt = (_address, attempt) =>
      attempt === 1 ? { code: 451, message: '4.3.0 Temporary lookup failure' } : undefined;
    const s = await seedThread(d.h, { followers: 1 });
    const posted = await post(d.h, s);
    const [n] = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(n?.status).toBe('sent');
    const [row] = await d.h.db.db
      .select()
      .from(schema.outgoingMails)
      .where(eq(schema.outgoingMails.messageId, posted.id));
    expect(row?.attempts).toBe(2);
  }, 40_000);

  it('records a 5xx as an exception with the server words, and shows the red envelope', async () => {
    d.sink.behaviour.onData = () => ({
      code: 554,
      message: '5.7.1 Message rejected as spam by content filter',
    });
    const s = await seedThread(d.h, { followers: 1 });
    const posted = await post(d.h, s);
    const [n] = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(n).toMatchObject({ status: 'exception' });
    expect(n?.failureReason).toMatch(/554.*spam/);
    expect((await messagesOf(s.databaseId, s.threadId)).find((m) => m.id === posted.id)?.hasFailure).toBe(
      true,
    );

    d.sink.behaviour.onData = undefined;
    const retry = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/notifications/${n?.id}/retry`,
    });
    expect(retry.statusCode, retry.body).toBe(202);
    const [again] = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(again?.status).toBe('sent');
    expect((await messagesOf(s.databaseId, s.threadId)).find((m) => m.id === posted.id)?.hasFailure).toBe(
      false,
    );
  });

  it('records a rejection at RCPT (5.1.1) as a hard bounce for that recipient', async () => {
    const s = await seedThread(d.h, { followers: 2 });
    const [unknown, known] = s.followerEmails;
    d.sink.behaviour.onRcpt = (address) =>
      address === unknown
        ? { code: 550, message: `5.1.1 <${unknown}>: Recipient address rejected: User unknown` }
        : undefined;
    const posted = await post(d.h, s);
    const statuses = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(Object.fromEntries(statuses.map((n) => [n.email, n.status]))).toEqual({
      [unknown ?? '']: 'bounced',
      [known ?? '']: 'sent',
    });
    expect(statuses.find((n) => n.email === unknown)?.failureReason).toMatch(/550 5\.1\.1/);
    const bounces = await d.h.db.db
      .select()
      .from(schema.bounceEvents)
      .where(eq(schema.bounceEvents.tenantId, s.databaseId));
    expect(bounces).toEqual([
      expect.objectContaining({
        email: unknown,
        hard: true,
        statusCode: '5.1.1',
        kind: 'smtp',
        reason: 'userunknown',
      }),
    ]);
    const [contact] = await d.h.db.db
      .select()
      .from(schema.contacts)
      .where(eq(schema.contacts.emailNormalized, unknown ?? ''));
    expect(contact?.bounceCount).toBe(1);
    // The auto-blacklist rule runs for it in the bounce-processor, like for a bounce report.
    const checks = await d.h.deps.producer.queues.get('bounce')?.getJobs(['waiting', 'prioritized']);
    expect(checks?.map((j) => [j.name, j.data.email])).toContainEqual(['check-blacklist', unknown]);
  });

  it('retries when the server drops the connection', async () => {
    d.sink.behaviour.onData = (_rcpt, attempt) => (attempt === 1 ? 'close' : undefined);
    const s = await seedThread(d.h, { followers: 1 });
    const posted = await post(d.h, s);
    const [n] = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(n?.status).toBe('sent');
  }, 40_000);

  it('gives up after the retry limit and says so, with the server words', async () => {
    await d.stopDispatchers();
    await d.startDispatcher({ SEND_MAX_ATTEMPTS: '3', SEND_RETRY_DELAY_MS: '300' });
    try {
      d.sink.behaviour.onRcpt = () => ({ code: 451, message: '4.7.1 Greylisted, try again later' });
      const s = await seedThread(d.h, { followers: 1 });
      const posted = await post(d.h, s);
      const [n] = await waitUntil(
        'the notification failed',
        async () =>
          (await messagesOf(s.databaseId, s.threadId)).find((m) => m.id === posted.id)?.notifications ?? [],
        (list) => list[0]?.status === 'exception',
        30_000,
      );
      expect(n?.failureReason).toMatch(/^gave up after 3 attempts: .*451.*Greylisted/);
      const tries = d.sink.envelopes.filter((e) => e.rcptTo === s.followerEmails[0]);
      expect(tries).toHaveLength(3);
    } finally {
      d.sink.behaviour.onRcpt = undefined;
      await d.stopDispatchers();
      await d.startDispatcher();
    }
  }, 60_000);

  it('slows down on 421 too many connections: pauses the server, fails nothing, counts no attempt', async () => {
    // The server is busy for its first 300 ms: every RCPT then gets 421, later ones are accepted.
    const seen: { at: number; code: number }[] = [];
    let busyUntil = 0;
    d.sink.behaviour.onRcpt = () => {
      const now = Date.now();
      busyUntil ||= now + 300;
      const code = now < busyUntil ? 421 : 250;
      seen.push({ at: now, code });
      return code === 421 ? { code: 421, message: '4.3.2 Too many connections, slow down' } : undefined;
    };
    const s = await seedThread(d.h, { followers: 4 });
    const posted = await post(d.h, s);
    const statuses = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(statuses.map((n) => n.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const firstBusy = seen.find((x) => x.code === 421)?.at ?? Number.NaN;
    const accepted = seen.filter((x) => x.code === 250).map((x) => x.at);
    // The harness pauses a busy server for THROTTLE_PAUSE_MS = 1 s: nothing was tried meanwhile…
    expect(Math.min(...accepted) - firstBusy).toBeGreaterThanOrEqual(900);
    // …and the mails went right after the pause, not after a retry's backoff (10 s).
    expect(Math.max(...accepted) - firstBusy).toBeLessThan(6_000);
    const rows = await d.h.db.db
      .select()
      .from(schema.outgoingMails)
      .where(eq(schema.outgoingMails.messageId, posted.id));
    expect(rows.every((r) => r.failureReason === null && r.state === 'sent')).toBe(true);
  }, 40_000);

  it('cancels a notification that has not gone out, and refuses to cancel a sent one', async () => {
    const s = await seedThread(d.h, { followers: 1 });
    const posted = await post(d.h, s);
    const [n] = await finalStatuses(s.databaseId, s.threadId, posted.id);
    const res = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/notifications/${n?.id}/cancel`,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
  });
});

describe('fairness between databases', () => {
  it("does not hold a small database's notification behind another's big post", async () => {
    d.sink.behaviour.dataDelayMs = 10;
    try {
      const big = await seedThread(d.h, { followers: 600, dailyLimit: null });
      const small = await seedThread(d.h, { followers: 1 });
      // The big database posts twice (1,200 mails, 24 batches), then the small one posts once.
      await post(d.h, big);
      await post(d.h, big);
      await post(d.h, small);
      const smallRecipient = small.followerEmails[0] ?? '';
      await waitUntil(
        "the small database's mail was received",
        async () => d.sink.received.findIndex((m) => m.rcptTo.includes(smallRecipient)),
        (i) => i >= 0,
        60_000,
      );
      const bigReceived = d.sink.received.filter((m) =>
        m.rcptTo.some((r) => big.followerEmails.includes(r)),
      ).length;
      // Without fairness it would wait for all 1,200; with it, behind at most a few batches.
      expect(bigReceived).toBeLessThan(600);
      await waitUntil(
        'the big database done',
        () => mailStates(d.h, big.databaseId),
        (c) => c.sent === 1200,
        120_000,
      );
    } finally {
      d.sink.behaviour.dataDelayMs = 0;
    }
  }, 180_000);
});

describe('lanes (R5.1)', () => {
  it('sends mass mail through the dedicated server', async () => {
    const s = await seedThread(d.h, { followers: 1, hostingType: 'on_premise', aliasDomain: 'lanes.test' });
    const mk = (name: string, priority: number) =>
      d.h.call({
        method: 'POST',
        url: `/v1/databases/${s.databaseId}/outgoing-servers`,
        payload: { name, host: '127.0.0.1', port: d.sink.port, security: 'none', priority },
      });
    const transactional = (await mk('transactional', 1)).json();
    const mass = (await mk('mass', 50)).json();
    await d.h.call({
      method: 'PATCH',
      url: `/v1/databases/${s.databaseId}`,
      payload: { massMailingServerId: mass.id },
    });
    const posted = await post(d.h, s);
    await finalStatuses(s.databaseId, s.threadId, posted.id);
    const [tx] = await d.h.db.db
      .select()
      .from(schema.outgoingMails)
      .where(eq(schema.outgoingMails.messageId, posted.id));
    expect(tx?.serverId).toBe(transactional.id);

    const [bulk] = await d.h.db.db
      .insert(schema.outgoingMails)
      .values({
        tenantId: s.databaseId,
        lane: 'mass',
        messageId: posted.id,
        recipientEmail: 'bulk@customer.test',
        smtpMessageId: posted.messageId,
      })
      .returning();
    const { enqueueSendMail } = await import('@sotamail/queues');
    await enqueueSendMail(d.h.deps.producer, { id: bulk?.id ?? '', tenantId: s.databaseId, lane: 'mass' });
    const row = await waitUntil(
      'mass mail sent',
      async () =>
        (
          await d.h.db.db
            .select()
            .from(schema.outgoingMails)
            .where(eq(schema.outgoingMails.id, bulk?.id ?? ''))
        )[0],
      (r) => r?.state === 'sent',
      20_000,
    );
    expect(row?.serverId).toBe(mass.id);
    expect(await mailStates(d.h, s.databaseId)).toEqual({ sent: 2 });
  });

  it('skips a blacklisted address on the mass lane with a trace, never its notifications (R10.3)', async () => {
    const s = await seedThread(d.h, {
      followers: 1,
      hostingType: 'on_premise',
      aliasDomain: 'blacklist.test',
    });
    await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/outgoing-servers`,
      payload: { name: 'main', host: '127.0.0.1', port: d.sink.port, security: 'none' },
    });
    const follower = s.followerEmails[0] ?? '';
    const listed = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/blacklist`,
      payload: { email: follower, note: 'asked to stop newsletters' },
    });
    expect(listed.statusCode, listed.body).toBe(201);
    // A notification to the blacklisted follower still goes.
    const posted = await post(d.h, s);
    expect((await finalStatuses(s.databaseId, s.threadId, posted.id)).map((n) => n.status)).toEqual(['sent']);

    const [mailing] = await d.h.db.db
      .insert(schema.mailings)
      .values({ tenantId: s.databaseId, name: 'News', subject: 'News', fromHeader: 'news@blacklist.test' })
      .returning();
    // The newsletter's content, a message of its own.
    const [newsletter] = await d.h.db.db
      .insert(schema.messages)
      .values({
        tenantId: s.databaseId,
        threadId: s.threadId,
        kind: 'email',
        authorEmail: 'news@blacklist.test',
        subject: 'News',
        bodyHtml: '<p>News</p>',
        messageId: `news-${Date.now()}@blacklist.test`,
      })
      .returning();
    const bulk = await d.h.db.db
      .insert(schema.outgoingMails)
      .values(
        [follower, 'fine@customer.test'].map((recipientEmail) => ({
          tenantId: s.databaseId,
          lane: 'mass' as const,
          messageId: newsletter?.id ?? null,
          mailingId: mailing?.id ?? null,
          recipientEmail,
        })),
      )
      .returning();
    await d.h.db.db.insert(schema.mailingTraces).values(
      bulk.map((m) => ({
        tenantId: s.databaseId,
        mailingId: mailing?.id ?? '',
        email: m.recipientEmail,
        outgoingMailId: m.id,
      })),
    );
    const { enqueueSendBatches } = await import('@sotamail/queues');
    await enqueueSendBatches(d.h.deps.producer, {
      tenantId: s.databaseId,
      lane: 'mass',
      ids: bulk.map((m) => m.id),
    });
    const traces = await waitUntil(
      'both traces settled',
      () =>
        d.h.db.db
          .select()
          .from(schema.mailingTraces)
          .where(eq(schema.mailingTraces.mailingId, mailing?.id ?? '')),
      (rows) => rows.some((r) => r.status === 'skipped'),
      20_000,
    );
    expect(traces.find((t) => t.email === follower)).toMatchObject({
      status: 'skipped',
      reason: 'blacklisted',
    });
    const states = await waitUntil(
      'mass mails settled',
      () =>
        d.h.db.db
          .select()
          .from(schema.outgoingMails)
          .where(eq(schema.outgoingMails.mailingId, mailing?.id ?? '')),
      (rows) => rows.every((r) => r.state !== 'ready' && r.state !== 'sending'),
      20_000,
    );
    expect(Object.fromEntries(states.map((r) => [r.recipientEmail, [r.state, r.failureReason]]))).toEqual({
      [follower]: ['cancelled', 'skipped: blacklisted'],
      'fine@customer.test': ['sent', null],
    });
    expect(d.sink.received.filter((m) => m.rcptTo.includes(follower))).toHaveLength(1);
  });
});
