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
      expect(mail.parsed.replyTo?.text).toContain('catchall@mycompany.test');
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
    const [row] = await d.h.db.db
      .select()
      .from(schema.outgoingMails)
      .where(eq(schema.outgoingMails.messageId, posted.id));
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
      expect.objectContaining({ email: unknown, hard: true, statusCode: '5.1.1', kind: 'smtp' }),
    ]);
    const [contact] = await d.h.db.db
      .select()
      .from(schema.contacts)
      .where(eq(schema.contacts.emailNormalized, unknown ?? ''));
    expect(contact?.bounceCount).toBe(1);
  });

  it('retries when the server drops the connection', async () => {
    d.sink.behaviour.onData = (_rcpt, attempt) => (attempt === 1 ? 'close' : undefined);
    const s = await seedThread(d.h, { followers: 1 });
    const posted = await post(d.h, s);
    const [n] = await finalStatuses(s.databaseId, s.threadId, posted.id);
    expect(n?.status).toBe('sent');
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
});
