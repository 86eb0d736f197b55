import { schema } from '@sotamail/db';
import { stopServices } from '@sotamail/test-support';
import { and, eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedThread, waitUntil } from './outbound-harness.js';
import { type RouterHarness, startRouterHarness } from './router-harness.js';

// Notices to refused senders (R8.3, R8.4, R9): one polite, automatic mail per sender per database
// per day, observed on the wire at the dispatcher's SMTP sink; never to automatic mail or ourselves.

let r: RouterHarness;

beforeAll(async () => {
  r = await startRouterHarness();
  await r.startFetcher();
  // Two routers race for the same senders' mail.
  await Promise.all([r.startRouter(), r.startRouter()]);
}, 90_000);

afterAll(async () => {
  await r?.close();
});

const noticesTo = (address: string) => r.d.sink.received.filter((m) => m.rcptTo.includes(address));
const noticeOf = (row: { decision: unknown }) => (row.decision as { notice?: Record<string, string> }).notice;
const noticeRows = (databaseId: string) =>
  r.d.h.db.db.select().from(schema.inboundNotices).where(eq(schema.inboundNotices.tenantId, databaseId));

describe('notices to refused senders', () => {
  it('sends one polite, automatic notice per sender per day, with routers racing and after a restart', async () => {
    const s = await seedThread(r.d.h, { followers: 0, aliasDomain: 'notice.test' });
    const stranger = 'stranger@elsewhere.test';
    // Three at once from one sender, one from another: both routers take some.
    await Promise.all([
      ...[1, 2, 3].map((i) =>
        r.send({
          from: `"A Stranger" <${stranger}>`,
          to: 'catchall@notice.test',
          subject: `Question ${i}`,
          text: `Question number ${i}?`,
          messageId: `<q${i}@elsewhere.test>`,
        }),
      ),
      r.send({ from: 'other@elsewhere.test', to: 'catchall@notice.test', subject: 'Hi', text: 'hello' }),
    ]);
    const raws = await r.waitForProcessed(s.databaseId, 4);
    expect(raws.map((x) => (x.decision as { action: string }).action)).toEqual([
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
    await waitUntil(
      'two notices on the wire',
      async () => noticesTo(stranger).length + noticesTo('other@elsewhere.test').length,
      (n) => n >= 2,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(noticesTo(stranger)).toHaveLength(1);
    expect(noticesTo('other@elsewhere.test')).toHaveLength(1);

    const [notice] = noticesTo(stranger);
    expect(notice?.mailFrom).toBe('bounce@notice.test');
    expect(notice?.parsed.from?.text).toBe('"notice.test" <notifications@notice.test>');
    expect(notice?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(notice?.parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(notice?.parsed.subject).toMatch(/^Not delivered: Question [123]$/);
    expect(notice?.parsed.inReplyTo).toMatch(/^<q[123]@elsewhere\.test>$/);
    expect(notice?.parsed.text).toContain(
      'Why: catchall@notice.test only accepts replies to messages sent by notice.test, and your message does not answer any of them.',
    );

    // The one notice answers the mail whose refusal created it; the others say why they got none.
    const strangers = raws.filter((x) => x.envelopeFrom === stranger);
    const noticed = strangers.filter((x) => noticeOf(x)?.id);
    expect(noticed).toHaveLength(1);
    const noticedId = (noticed[0]?.decision as { messageId?: string } | undefined)?.messageId;
    expect(notice?.parsed.inReplyTo).toBe(`<${noticedId}>`);
    for (const row of strangers.filter((x) => !noticeOf(x)?.id)) {
      expect(noticeOf(row)?.skipped).toMatch(
        /one notice per sender per day: stranger@elsewhere.test already got one/,
      );
    }
    const rows = await noticeRows(s.databaseId);
    expect(rows.map((n) => [n.recipient, n.state]).sort()).toEqual([
      ['other@elsewhere.test', 'sent'],
      [stranger, 'sent'],
    ]);

    // New routers (the limit lives in PostgreSQL, not in a process): still no second notice today.
    const old = r.routers.splice(0);
    await stopServices(old);
    await r.startRouter();
    await r.send({ from: stranger, to: 'catchall@notice.test', subject: 'Again', text: 'anyone there?' });
    const after = await r.waitForProcessed(s.databaseId, 5);
    const again = after.find((x) => !raws.some((y) => y.id === x.id));
    expect(noticeOf(again ?? { decision: null })?.skipped).toMatch(/one notice per sender per day/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(noticesTo(stranger)).toHaveLength(1);
  }, 90_000);

  it('never answers automatic mail, a null sender, or our own addresses', async () => {
    const s = await seedThread(r.d.h, { followers: 0, aliasDomain: 'quiet.test' });
    await seedThread(r.d.h, { followers: 0, aliasDomain: 'sister.test' });
    const base = { to: 'catchall@quiet.test', text: 'not a reply' };
    await r.send({
      ...base,
      from: 'vacation@x.test',
      subject: 'Out of office',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await r.send({
      ...base,
      from: 'list@x.test',
      subject: 'Digest',
      headers: { 'List-Id': '<news.x.test>' },
    });
    await r.send({ ...base, from: 'bulk@x.test', subject: 'Offer', headers: { Precedence: 'bulk' } });
    await r.send({ ...base, from: 'robot@sister.test', subject: 'From another database of ours' });
    await r.send({ ...base, from: 'someone@quiet.test', subject: 'From our own domain' });
    const nullSender = nodemailer.createTransport({
      host: '127.0.0.1',
      port: r.ingressPort,
      ignoreTLS: true,
    });
    await nullSender.sendMail({
      envelope: { from: '', to: ['catchall@quiet.test'] },
      raw: 'From: daemon@x.test\r\nTo: catchall@quiet.test\r\nSubject: Null sender\r\n\r\nautomatic\r\n',
    });
    nullSender.close();
    // A human, in the same database: the one who gets a notice.
    await r.send({ ...base, from: 'human@x.test', subject: 'Hello' });
    const raws = await r.waitForProcessed(s.databaseId, 7);
    const why = (subject: string) => {
      const row = raws.find((x) => x.raw.toString('utf8').includes(`Subject: ${subject}`));
      expect(row?.state).toBe('ignored');
      return noticeOf(row ?? { decision: null })?.skipped ?? '';
    };
    expect(why('Out of office')).toMatch(/automatic reply, list or bulk mail is never answered/);
    expect(why('Digest')).toMatch(/automatic reply, list or bulk mail/);
    expect(why('Offer')).toMatch(/automatic reply, list or bulk mail/);
    expect(why('From another database of ours')).toMatch(/robot@sister.test is one of our own addresses/);
    expect(why('From our own domain')).toMatch(/one of our own addresses/);
    expect(raws.find((x) => x.raw.toString('utf8').includes('Null sender'))?.envelopeFrom).toBe('');
    expect(why('Null sender')).toMatch(/null sender/);

    await waitUntil(
      'the human’s notice',
      async () => noticesTo('human@x.test').length,
      (n) => n === 1,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const quietNotices = r.d.sink.received.filter((m) => m.mailFrom === 'bounce@quiet.test');
    expect(quietNotices.flatMap((m) => m.rcptTo)).toEqual(['human@x.test']);
    expect(await noticeRows(s.databaseId)).toHaveLength(1);
  }, 60_000);

  it('tells a stranger precisely why a contacts-only alias refused the mail, counting the daily limit', async () => {
    const s = await seedThread(r.d.h, { followers: 0, aliasDomain: 'policy-notice.test', dailyLimit: 50 });
    const alias = await r.d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'support', model: 'helpdesk.ticket', contactPolicy: 'contacts' },
    });
    expect(alias.statusCode, alias.body).toBe(201);
    await r.send({
      from: 'intruder@elsewhere.test',
      to: 'support@policy-notice.test',
      subject: 'Help',
      text: 'x',
    });
    const [mail] = await waitUntil(
      'the notice',
      async () => noticesTo('intruder@elsewhere.test'),
      (m) => m.length === 1,
      20_000,
    );
    expect(mail?.parsed.text).toContain(
      'support@policy-notice.test only accepts messages from known contacts of policy-notice.test, and intruder@elsewhere.test is not one of them.',
    );
    expect(mail?.parsed.text).toMatch(/What you can do: If you already work with policy-notice\.test/);
    const [slots] = await r.d.h.db.db
      .select()
      .from(schema.dailySendCounts)
      .where(eq(schema.dailySendCounts.tenantId, s.databaseId));
    expect(slots?.sent).toBe(1);
  }, 60_000);

  it('defers a notice over the daily limit instead of sending it', async () => {
    const s = await seedThread(r.d.h, { followers: 0, aliasDomain: 'full.test', dailyLimit: 1 });
    const today = new Date().toISOString().slice(0, 10);
    await r.d.h.db.db.insert(schema.dailySendCounts).values({ tenantId: s.databaseId, day: today, sent: 1 });
    await r.send({ from: 'late@elsewhere.test', to: 'catchall@full.test', subject: 'Hi', text: 'x' });
    const [row] = await waitUntil(
      'a deferred notice',
      () =>
        r.d.h.db.db
          .select()
          .from(schema.inboundNotices)
          .where(
            and(
              eq(schema.inboundNotices.tenantId, s.databaseId),
              eq(schema.inboundNotices.state, 'deferred'),
            ),
          ),
      (rows) => rows.length === 1,
      20_000,
    );
    expect(row?.failureReason).toMatch(/^deferred: daily limit of 1 emails reached; goes out after /);
    expect(row?.nextAttemptAt?.toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(noticesTo('late@elsewhere.test')).toHaveLength(0);
  }, 60_000);

  it('sends a notice whose job was lost (committed, then Redis or the router went away)', async () => {
    const s = await seedThread(r.d.h, { followers: 0, aliasDomain: 'lost-job.test' });
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    // What a router leaves when it dies between the commit and the enqueue: a ready notice, no job.
    await r.d.h.db.db.insert(schema.inboundNotices).values({
      tenantId: s.databaseId,
      recipient: 'orphan@elsewhere.test',
      day: tenMinutesAgo.toISOString().slice(0, 10),
      reason: 'test',
      subject: 'Not delivered: lost',
      bodyText: 'Hello,\n\nWhy: test.\n',
      createdAt: tenMinutesAgo,
      updatedAt: tenMinutesAgo,
    });
    await r.startRouter({ SWEEP_INTERVAL_MS: '300' });
    const [mail] = await waitUntil(
      'the swept notice on the wire',
      async () => noticesTo('orphan@elsewhere.test'),
      (m) => m.length === 1,
      20_000,
    );
    expect(mail?.parsed.subject).toBe('Not delivered: lost');
    await waitUntil(
      'recorded as sent',
      () => noticeRows(s.databaseId),
      (rows) => rows[0]?.state === 'sent',
      10_000,
    );
  }, 60_000);
});
