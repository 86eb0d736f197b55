import { schema } from '@sotamail/db';
import { createTokenSigner } from '@sotamail/secrets';
import {
  freePort,
  type ServiceProcess,
  startService,
  stopServices,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { and, eq } from 'drizzle-orm';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DispatchHarness,
  post,
  seedThread,
  startDispatchHarness,
  waitUntil,
} from './outbound-harness.js';

// The inbound path with nothing faked: a reply is sent over SMTP to the fetcher's ingress, the router
// puts it in its thread, and the dispatcher notifies the other followers through the SMTP sink.

let d: DispatchHarness;
let ingressPort: number;
const services: ServiceProcess[] = [];

async function startInboundService(name: 'fetcher' | 'router', env: Record<string, string> = {}) {
  const port = await freePort();
  const proc = startService(name, {
    DATABASE_URL: d.h.db.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: d.h.redis.prefix,
    HEALTH_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...env,
  });
  services.push(proc);
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 20_000);
  return proc;
}

beforeAll(async () => {
  d = await startDispatchHarness();
  await d.startDispatcher();
  ingressPort = await freePort();
  await startInboundService('fetcher', {
    SMTP_INGRESS_PORT: String(ingressPort),
    SMTP_INGRESS_MAX_BYTES: String(2 * 1024 * 1024),
  });
  await startInboundService('router');
});

afterAll(async () => {
  await stopServices(services);
  await d?.close();
});

function send(message: SendMailOptions) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: ingressPort,
    secure: false,
    ignoreTLS: true,
  });
  return transport.sendMail(message).finally(() => transport.close());
}

/** The stored incoming mail of a database, once `count` of them are no longer waiting to be routed. */
const waitForProcessed = (databaseId: string, count: number) =>
  waitUntil(
    `${count} stored mails processed`,
    () =>
      d.h.db.db
        .select()
        .from(schema.rawInboundMessages)
        .where(eq(schema.rawInboundMessages.tenantId, databaseId)),
    (r) => r.length === count && r.every((x) => x.state !== 'received'),
    20_000,
  );

const threadMessages = (databaseId: string, threadId: string) =>
  d.h.db.db
    .select()
    .from(schema.messages)
    .where(and(eq(schema.messages.tenantId, databaseId), eq(schema.messages.threadId, threadId)));

describe('replies come back into their thread (R6.4, R8.2)', () => {
  it('puts a follower’s reply in the thread with its author and notifies the other followers', async () => {
    const s = await seedThread(d.h, { followers: 2, aliasDomain: 'loop.test' });
    const [f0, f1] = s.followerEmails;
    const before = d.sink.received.length;
    const original = await post(d.h, s);
    await d.sink.waitFor(before + 2, 20_000);
    const notification = d.sink.received.slice(before).find((m) => m.rcptTo.includes(f0 ?? ''));
    // The catchall with the thread's signed token (the router here has no key: it routes by References).
    expect(notification?.parsed.replyTo?.value[0]?.address).toMatch(/^catchall\+[a-z0-9]{44}@loop\.test$/);

    // The follower's address had bounced before: a mail written from it resets the count (R10.2).
    await d.h.db.db
      .update(schema.contacts)
      .set({ bounceCount: 3 })
      .where(and(eq(schema.contacts.tenantId, s.databaseId), eq(schema.contacts.emailNormalized, f0 ?? '')));
    const afterFirst = d.sink.received.length;
    await send({
      from: `"Follower 0" <${f0}>`,
      to: 'catchall@loop.test',
      subject: 'Re: Your quote',
      text: 'Thanks, looks good.',
      inReplyTo: `<${original.messageId}>`,
      references: [`<${original.messageId}>`],
      messageId: '<reply-1@customer.test>',
    });
    const messages = await waitUntil(
      'the reply in the thread',
      () => threadMessages(s.databaseId, s.threadId),
      (m) => m.length === 2,
      20_000,
    );
    const reply = messages.find((m) => m.messageId === 'reply-1@customer.test');
    expect(reply).toMatchObject({
      kind: 'email',
      authorEmail: f0,
      authorName: 'Follower 0',
      subject: 'Re: Your quote',
    });
    expect(reply?.authorContactId).not.toBeNull();
    expect(reply?.bodyText).toContain('Thanks, looks good.');

    // The author of the reply is not notified; the original author and the other follower are.
    await d.sink.waitFor(afterFirst + 2, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const relayed = d.sink.received.slice(afterFirst).flatMap((m) => m.rcptTo);
    expect(relayed.sort()).toEqual(['admin@example.com', f1].sort());
    // (reset before the followers are notified)
    const [author] = await d.h.db.db
      .select({ bounceCount: schema.contacts.bounceCount })
      .from(schema.contacts)
      .where(eq(schema.contacts.id, reply?.authorContactId ?? ''));
    expect(author?.bounceCount).toBe(0);

    // The same mail delivered again is a duplicate: nothing new (R9.4).
    await send({
      from: f0,
      to: 'catchall@loop.test',
      subject: 'Re: Your quote',
      text: 'again',
      messageId: '<reply-1@customer.test>',
      inReplyTo: `<${original.messageId}>`,
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await threadMessages(s.databaseId, s.threadId)).toHaveLength(2);
  });

  it('keeps an auto-reply in its thread without passing it on (R9.3)', async () => {
    const s = await seedThread(d.h, { followers: 2, aliasDomain: 'vacation.test' });
    const original = await post(d.h, s);
    await waitUntil(
      'sent',
      async () =>
        (
          await d.h.db.db
            .select()
            .from(schema.outgoingMails)
            .where(eq(schema.outgoingMails.messageId, original.id))
        ).every((m) => m.state === 'sent'),
      (ok) => ok,
      20_000,
    );
    const before = d.sink.received.length;
    await send({
      from: s.followerEmails[0],
      to: 'catchall@vacation.test',
      subject: 'Automatic reply: Your quote',
      text: 'I am out of the office.',
      inReplyTo: `<${original.messageId}>`,
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await waitUntil(
      'stored',
      () => threadMessages(s.databaseId, s.threadId),
      (m) => m.length === 2,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.sink.received.length).toBe(before);
  });
});

describe('aliases (R8.3, R9.1)', () => {
  it('creates a record of the alias’s model and announces it', async () => {
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'alias.test' });
    const alias = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'sales', model: 'crm.lead', defaults: { team: 'EU' } },
    });
    expect(alias.statusCode).toBe(201);
    await send({
      from: '"Prospect" <prospect@lead.test>',
      to: 'sales@alias.test',
      subject: 'I want 40 chairs',
      text: 'Please quote.',
    });
    const [thread] = await waitUntil(
      'a crm.lead thread',
      () =>
        d.h.db.db
          .select()
          .from(schema.threads)
          .where(and(eq(schema.threads.tenantId, s.databaseId), eq(schema.threads.model, 'crm.lead'))),
      (t) => t.length === 1,
      20_000,
    );
    expect(thread).toMatchObject({ subject: 'I want 40 chairs', createdByEmail: 'prospect@lead.test' });
    const [message] = await threadMessages(s.databaseId, thread?.id ?? '');
    expect(message).toMatchObject({
      authorEmail: 'prospect@lead.test',
      authorContactId: null,
      authorName: 'Prospect',
    });
    const events = d.h.deps.producer.queues.get('events');
    const jobs = (await events?.getJobs(['waiting', 'delayed', 'completed'])) ?? [];
    expect(jobs.map((j) => j.data)).toContainEqual(
      expect.objectContaining({ threadId: thread?.id, model: 'crm.lead', aliasId: alias.json().id }),
    );
  });

  it('stops one sender after mail.incoming.limit.alias records in the period', async () => {
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'limit.test' });
    await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'jobs', model: 'hr.applicant' },
    });
    await d.h.call({
      method: 'PUT',
      url: `/v1/databases/${s.databaseId}/parameters/mail.incoming.limit.alias`,
      payload: { value: '2' },
    });
    // All at once: the routers race, and the limit must still hold.
    await Promise.all(
      [0, 1, 2, 3].map((i) =>
        send({
          from: 'bot@spam.test',
          to: 'jobs@limit.test',
          subject: `Application ${i}`,
          text: 'hire me',
          messageId: `<app-${i}@spam.test>`,
        }),
      ),
    );
    const raws = await waitForProcessed(s.databaseId, 4);
    const actions = raws.map((r) => (r.decision as { action: string }).action).sort();
    expect(actions).toEqual(['dropped', 'dropped', 'new-record', 'new-record']);
    const threads = await d.h.db.db
      .select()
      .from(schema.threads)
      .where(and(eq(schema.threads.tenantId, s.databaseId), eq(schema.threads.model, 'hr.applicant')));
    expect(threads).toHaveLength(2);
  });

  it('refuses an unknown sender when the alias accepts known contacts only', async () => {
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'policy.test' });
    await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'support', model: 'helpdesk.ticket', contactPolicy: 'contacts' },
    });
    await send({ from: 'stranger@unknown.test', to: 'support@policy.test', subject: 'Help', text: 'x' });
    await send({ from: 'admin@example.com', to: 'support@policy.test', subject: 'Help me too', text: 'y' });
    const raws = await waitForProcessed(s.databaseId, 2);
    const byAction = Object.fromEntries(raws.map((r) => [(r.decision as { action: string }).action, r]));
    expect(Object.keys(byAction).sort()).toEqual(['new-record', 'refused']);
    expect(JSON.stringify(byAction.refused?.decision)).toMatch(/known contacts only/);
  });
});

describe('SMTP ingress (R7.4)', () => {
  it('refuses domains it does not serve at RCPT, and oversized mail with 552', async () => {
    await expect(send({ from: 'a@b.test', to: 'someone@not-ours.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 550,
    });
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'big.test' });
    await expect(
      send({
        from: 'a@b.test',
        to: 'catchall@big.test',
        text: 'x',
        attachments: [{ filename: 'big.bin', content: Buffer.alloc(3 * 1024 * 1024, 1) }],
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    const raws = await d.h.db.db
      .select()
      .from(schema.rawInboundMessages)
      .where(eq(schema.rawInboundMessages.tenantId, s.databaseId));
    expect(raws).toHaveLength(0);
  });

  it('keeps the recipients of each transaction apart on one connection', async () => {
    const a = await seedThread(d.h, { followers: 0, aliasDomain: 'conn-a.test' });
    const b = await seedThread(d.h, { followers: 0, aliasDomain: 'conn-b.test' });
    const pooled = nodemailer.createTransport({
      pool: true,
      maxConnections: 1,
      host: '127.0.0.1',
      port: ingressPort,
      secure: false,
      ignoreTLS: true,
    });
    await pooled.sendMail({ from: 'x@y.test', to: 'catchall@conn-a.test', text: 'one' });
    await pooled.sendMail({ from: 'x@y.test', to: 'catchall@conn-b.test', text: 'two' });
    pooled.close();
    const rowsOf = (id: string) =>
      d.h.db.db.select().from(schema.rawInboundMessages).where(eq(schema.rawInboundMessages.tenantId, id));
    expect((await rowsOf(a.databaseId)).map((r) => r.envelopeTo)).toEqual([['catchall@conn-a.test']]);
    expect((await rowsOf(b.databaseId)).map((r) => r.envelopeTo)).toEqual([['catchall@conn-b.test']]);
  });

  it('answers 451 to every sender at once when PostgreSQL is stuck past DATABASE_STATEMENT_TIMEOUT_MS, then stores the retries', async () => {
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'stuck.test' });
    const port = await freePort();
    await startInboundService('fetcher', {
      SMTP_INGRESS_PORT: String(port),
      IMAP_FETCH_ENABLED: 'false',
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
    });
    const sendTo = (text: string) => {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port,
        secure: false,
        ignoreTLS: true,
      });
      return transport
        .sendMail({ from: 'x@y.test', to: 'catchall@stuck.test', subject: 'stuck', text })
        .finally(() => transport.close());
    };
    const texts = Array.from({ length: 8 }, (_, i) => `mail ${i}`);
    // A transaction holding a lock every insert of stored mail waits for: the database "hangs" for it.
    // (Released by a timer too, so a hung send cannot leave the table locked for the other tests.)
    const blocker = await d.h.db.pool.connect();
    const unlock = async () => {
      await blocker.query('rollback').catch(() => {});
    };
    const safety = setTimeout(() => void unlock(), 20_000);
    try {
      await blocker.query('begin');
      await blocker.query('lock table raw_inbound_messages in share mode');
      const started = Date.now();
      const outcomes = await Promise.allSettled(texts.map((t) => sendTo(t)));
      expect(
        outcomes.map((o) =>
          o.status === 'rejected' ? (o.reason as { responseCode?: number }).responseCode : 250,
        ),
      ).toEqual(texts.map(() => 451));
      // The sessions finish together and share a statement or two, each given up after 1 s; a group
      // retried mail by mail would make the last sender wait a timeout per mail of its group.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      clearTimeout(safety);
      await unlock();
      blocker.release();
    }
    await Promise.all(texts.map((t) => sendTo(`${t}, again`)));
    const raws = await waitForProcessed(s.databaseId, texts.length);
    expect(raws.map((r) => r.raw.toString().match(/mail \d, again/)?.[0]).sort()).toEqual(
      texts.map((t) => `${t}, again`),
    );
  });

  it('keeps a non-reply to the catchall as refused, with the reason, and unknown local parts as unroutable', async () => {
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'keep.test' });
    await send({ from: 'x@y.test', to: 'catchall@keep.test', subject: 'hello', text: 'not a reply' });
    await send({ from: 'x@y.test', to: 'nobody@keep.test', subject: 'hello', text: 'who?' });
    const raws = await waitForProcessed(s.databaseId, 2);
    expect(raws.map((r) => [r.state, (r.decision as { action: string }).action]).sort()).toEqual([
      ['ignored', 'refused'],
      ['ignored', 'unroutable'],
    ]);
  });
});

describe('malformed mail', () => {
  it('stores broken MIME, missing Message-ID and 8-bit headers, routes what it can, and keeps running', async () => {
    const s = await seedThread(d.h, { followers: 1, aliasDomain: 'broken.test' });
    const original = await post(d.h, s);
    const raws = [
      // No Message-ID, a reply by References only, 8-bit (UTF-8) headers without encoding.
      `From: Renée Müller <${s.followerEmails[0]}>\r\nTo: catchall@broken.test\r\nSubject: Ré: café ☕\r\nReferences: <${original.messageId}>\r\n\r\nMerci!\r\n`,
      // A multipart whose boundary never closes.
      'From: x@y.test\r\nTo: catchall@broken.test\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="zzz"\r\n\r\n--zzz\r\nContent-Type: text/plain\r\n\r\nhalf a part',
      // Headers only, nothing else.
      'From: x@y.test\r\nTo: nobody@broken.test\r\n\r\n',
      // Garbage that is not a mail at all.
      '\u0000\u0001\u0002 not an email at all \u00ff\r\n\r\n',
    ];
    for (const raw of raws) {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: ingressPort,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({ envelope: { from: 'x@y.test', to: ['catchall@broken.test'] }, raw });
      transport.close();
    }
    const rows = await waitForProcessed(s.databaseId, 4);
    for (const row of rows) {
      // Either routed/ignored with a decision, or failed with a readable reason: never lost, never silent.
      expect(row.decision !== null || (row.state === 'failed' && (row.error ?? '').length > 10)).toBe(true);
    }
    const messages = await threadMessages(s.databaseId, s.threadId);
    const reply = messages.find((m) => m.id !== original.id);
    expect(reply?.subject).toBe('Ré: café ☕');
    expect(reply?.messageId).toMatch(/^missing-[0-9a-f]{32}@broken\.test$/);
    // R6.4: a known contact shows under its contact name, whatever the mail's display name.
    expect(reply?.authorName).toBe('Follower 0');
    // The services are still up and routing.
    await send({
      from: s.followerEmails[0],
      to: 'catchall@broken.test',
      subject: 'still there?',
      text: 'yes',
      inReplyTo: `<${original.messageId}>`,
    });
    await waitUntil(
      'one more reply',
      () => threadMessages(s.databaseId, s.threadId),
      (m) => m.length === 3,
      20_000,
    );
  });

  it('routes a reply with NUL characters (PostgreSQL cannot store them) instead of failing it for good', async () => {
    const s = await seedThread(d.h, { followers: 1, aliasDomain: 'nul.test' });
    const original = await post(d.h, s);
    const raw = [
      `From: ${s.followerEmails[0]}`,
      'To: catchall@nul.test',
      'Subject: =?utf-8?Q?Re:_quote=00?=',
      `Message-ID: <nul-reply@client.test>`,
      `In-Reply-To: <${original.messageId}>`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Yes=00, 40 chairs.',
      '> X-SotaMail-Thread: sale.order/%00',
      '',
    ].join('\r\n');
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: ingressPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({ envelope: { from: s.followerEmails[0], to: ['catchall@nul.test'] }, raw });
    transport.close();
    const [row] = await waitForProcessed(s.databaseId, 1);
    expect({ state: row?.state, error: row?.error }).toEqual({ state: 'routed', error: null });
    const reply = (await threadMessages(s.databaseId, s.threadId)).find(
      (m) => m.messageId === 'nul-reply@client.test',
    );
    expect(reply?.subject).toBe('Re: quote');
    expect(reply?.bodyText.trim()).toBe('Yes, 40 chairs.\n> X-SotaMail-Thread: sale.order/%00');
  });
});

describe('loop protection (R9)', () => {
  it('stops a ping-pong between two auto-responders that do not mark their replies', async () => {
    const s = await seedThread(d.h, { followers: 2, aliasDomain: 'pingpong.test' });
    const bots = new Set(s.followerEmails);
    const answered: string[] = [];
    // Two badly behaved auto-responders: they answer every mail they get, with no Auto-Submitted or
    // Precedence header, always with the same words.
    d.sink.behaviour.onReceived = (mail) => {
      const bot = mail.rcptTo.find((r) => bots.has(r));
      if (!bot || !mail.parsed.messageId) {
        return;
      }
      answered.push(bot);
      void send({
        from: bot,
        to: 'catchall@pingpong.test',
        subject: `Re: ${mail.parsed.subject ?? ''}`,
        text: 'Thank you for your message. I will answer as soon as possible.',
        inReplyTo: mail.parsed.messageId,
        references: [mail.parsed.messageId],
      }).catch(() => {});
    };
    try {
      await post(d.h, s);
      // Let it run: without protection this never ends.
      await new Promise((r) => setTimeout(r, 8000));
      const settledCount = answered.length;
      await new Promise((r) => setTimeout(r, 3000));
      expect(answered.length).toBe(settledCount);
      // The first answer of each bot is stored; what comes back identical is dropped (R9.2).
      const messages = await threadMessages(s.databaseId, s.threadId);
      expect(messages.length).toBeLessThanOrEqual(3);
      expect(answered.length).toBeLessThanOrEqual(4);
      const raws = await d.h.db.db
        .select()
        .from(schema.rawInboundMessages)
        .where(eq(schema.rawInboundMessages.tenantId, s.databaseId));
      expect(raws.some((r) => JSON.stringify(r.decision).includes('feedback loop'))).toBe(true);
    } finally {
      d.sink.behaviour.onReceived = undefined;
    }
  });
});

describe('stored mail stays visible and can be routed again (R7.3)', () => {
  it('lists unroutable mail with its reason, serves the raw message, and re-processes it once an alias exists', async () => {
    const s = await seedThread(d.h, { followers: 0, aliasDomain: 'again.test' });
    await send({
      from: 'client@x.test',
      to: 'support@again.test',
      subject: 'Printer broken',
      text: 'help',
      messageId: '<printer@x.test>',
    });
    const base = `/v1/databases/${s.databaseId}/inbound`;
    const listed = await waitUntil(
      'stored as unroutable',
      async () =>
        (await d.h.call({ method: 'GET', url: `${base}?state=ignored` })).json().items as {
          id: string;
          decision: { action: string; reasons: string[] };
        }[],
      (items) => items.length === 1,
      20_000,
    );
    expect(listed[0]?.decision.action).toBe('unroutable');
    expect(listed[0]?.decision.reasons.join(' ')).toMatch(/support@/);
    const raw = await d.h.call({ method: 'GET', url: `${base}/${listed[0]?.id}/raw` });
    expect(raw.headers['content-type']).toMatch(/message\/rfc822/);
    expect(raw.body).toContain('Subject: Printer broken');

    await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'support', model: 'helpdesk.ticket' },
    });
    const again = await d.h.call({ method: 'POST', url: `${base}/${listed[0]?.id}/reprocess` });
    expect(again.statusCode, again.body).toBe(202);
    const tickets = await waitUntil(
      'a ticket',
      () =>
        d.h.db.db
          .select()
          .from(schema.threads)
          .where(and(eq(schema.threads.tenantId, s.databaseId), eq(schema.threads.model, 'helpdesk.ticket'))),
      (t) => t.length === 1,
      20_000,
    );
    expect(tickets[0]?.subject).toBe('Printer broken');
    const routed = (await d.h.call({ method: 'GET', url: `${base}?state=routed` })).json().items;
    expect(routed).toHaveLength(1);
    // A routed mail keeps the decision that says where it went: it is not routed again.
    const twice = await d.h.call({ method: 'POST', url: `${base}/${listed[0]?.id}/reprocess` });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/already routed/);
    const other = await seedThread(d.h, { followers: 0, aliasDomain: 'other-db.test' });
    const key = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${other.databaseId}/api-keys`,
      payload: { name: 'k' },
    });
    const foreign = await d.h.call({
      method: 'GET',
      url: `${base}/${listed[0]?.id}/raw`,
      token: key.json().key,
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('routing preview (R8)', () => {
  it('says what would happen to a raw email, and why, without storing or sending anything', async () => {
    const s = await seedThread(d.h, { followers: 1, aliasDomain: 'preview-route.test' });
    const original = await post(d.h, s);
    await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'sales', model: 'crm.lead' },
    });
    const preview = (raw: string) =>
      d.h.call({ method: 'POST', url: `/v1/databases/${s.databaseId}/route-preview`, payload: { raw } });
    const reply = await preview(
      `From: ${s.followerEmails[0]}\r\nTo: catchall@preview-route.test\r\nSubject: Re: x\r\nIn-Reply-To: <${original.messageId}>\r\nMessage-ID: <p1@c.test>\r\n\r\nok\r\n`,
    );
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({
      action: 'reply',
      thread: s.threadId,
      autoReply: false,
      bounce: false,
      messageId: 'p1@c.test',
    });
    expect(reply.json().author.contactId).not.toBeNull();
    // A reply whose provider rewrote the Message-ID chain still previews as a reply, by its signed
    // Reply-To token, as the router would route it.
    const token = createTokenSigner(d.h.deps.secretKey, 'reply-to').sign(s.threadId);
    const rewritten = await preview(
      `From: ${s.followerEmails[0]}\r\nTo: catchall+${token}@preview-route.test\r\nSubject: Re: x\r\nIn-Reply-To: <rewritten-by-provider@mail.test>\r\nMessage-ID: <p2@c.test>\r\n\r\nok\r\n`,
    );
    expect(rewritten.json()).toMatchObject({ action: 'reply', thread: s.threadId });
    const lead = await preview(
      'From: new@lead.test\r\nTo: sales@preview-route.test\r\nSubject: chairs\r\n\r\nquote please\r\n',
    );
    expect(lead.json()).toMatchObject({ action: 'new-record', alias: { name: 'sales', model: 'crm.lead' } });
    const vacation = await preview(
      `From: ${s.followerEmails[0]}\r\nTo: catchall@preview-route.test\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <${original.messageId}>\r\n\r\naway\r\n`,
    );
    expect(vacation.json()).toMatchObject({ action: 'reply', autoReply: true });
    const rows = await d.h.db.db
      .select()
      .from(schema.rawInboundMessages)
      .where(eq(schema.rawInboundMessages.tenantId, s.databaseId));
    expect(rows).toHaveLength(0);
    expect(await threadMessages(s.databaseId, s.threadId)).toHaveLength(1);
  });
});
