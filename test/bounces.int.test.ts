import { randomBytes } from 'node:crypto';
import { type Db, isBlacklisted, listBlacklistEntries, resetBounceCounter, schema } from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { createTokenSigner, type TokenSigner } from '@sotamail/secrets';
import { freePort, type ServiceProcess, startService, testEnv, waitForHttp } from '@sotamail/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessBounceHandler } from '../apps/bounce-processor/src/jobs/process-bounce.js';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';
import {
  bounceEventsOf,
  contactByEmail,
  dsn,
  enqueueBounce,
  markSent,
  must,
  notificationOf,
  storeBounce,
} from './bounce-fixtures.js';
import { post, seedThread, waitUntil } from './outbound-harness.js';

// The bounce side of R10 with real PostgreSQL and Redis and the bounce-processor as its own process:
// a stored bounce is handed to the `bounce` queue as the router does, and its effects are read back
// from the database. (The whole path through a real Postfix is test/bounce-postfix.int.test.ts.)

let h: Harness;
let signer: TokenSigner;
let processor: ServiceProcess;
let db: Db;

beforeAll(async () => {
  h = await startHarness();
  db = h.db.db;
  signer = createTokenSigner(h.deps.secretKey, 'verp');
  const port = await freePort();
  processor = startService('bounce-processor', {
    DATABASE_URL: h.db.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.redis.prefix,
    SOTAMAIL_SECRET_KEY: h.deps.secretKey.toString('base64'),
    HEALTH_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SHUTDOWN_TIMEOUT_MS: '10000',
  });
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 20_000);
});

afterAll(async () => {
  processor?.child.kill('SIGTERM');
  const exited = await processor?.exited;
  await h?.close();
  expect(exited?.code, processor?.output()).toBe(0);
});

/** A database, a thread with `followers` followers, one post, its mails recorded as sent with VERP. */
async function sentPost(followers = 1) {
  const aliasDomain = `b${randomBytes(4).toString('hex')}.test`;
  const s = await seedThread(h, { followers, aliasDomain });
  const posted = await post(h, s);
  const mails = await markSent(h.db.db, signer, posted.id, `bounce@${aliasDomain}`);
  return { s, posted, mails, aliasDomain };
}

/** Waits until the processor has recorded the bounce (every outcome, even "changes nothing", is recorded). */
const processed = (tenantId: string, rawId: string, count = 1) =>
  waitUntil(
    `bounce ${rawId} processed`,
    () => bounceEventsOf(db, tenantId, rawId),
    (e) => e.length >= count,
    10_000,
  );

describe('linking a bounce to the mail we sent (R10.1), in the order of trust', () => {
  it('a DSN to the VERP address turns the notification bounced with reason and diagnostic within seconds', async () => {
    const { s, mails } = await sentPost();
    const mail = must(mails[0], 'mail');
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({ to: mail.envelopeFrom, recipients: [{ address: mail.recipientEmail }] }),
      envelopeTo: [mail.envelopeFrom],
    });
    const started = Date.now();
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const notification = await waitUntil(
      'the red envelope',
      () => notificationOf(db, mail.id),
      (n) => n?.status === 'bounced',
      5_000,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(notification).toMatchObject({
      status: 'bounced',
      failureType: 'userunknown',
      failureReason: expect.stringContaining('550 5.1.1'),
    });
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({
      linkedBy: 'verp',
      outcome: 'bounced',
      hard: true,
      statusCode: '5.1.1',
      email: mail.recipientEmail.toLowerCase(),
      outgoingMailId: mail.id,
      notificationId: notification?.id,
    });
    const [row] = await db.select().from(schema.outgoingMails).where(eq(schema.outgoingMails.id, mail.id));
    expect(row?.state).toBe('bounced');
    expect((await contactByEmail(db, s.databaseId, mail.recipientEmail))?.bounceCount).toBe(1);

    // The chatter shows it: the message carries the red envelope and says for whom and why (R6.3).
    const chatter = await h.call({
      method: 'GET',
      url: `/v1/databases/${s.databaseId}/threads/${s.threadId}/messages`,
    });
    expect(chatter.statusCode).toBe(200);
    expect(chatter.body).toContain('"hasFailure":true');
    expect(chatter.body).toContain('userunknown');
  });

  it('without VERP, the original Message-ID links the recipient the report names', async () => {
    const { s, posted, mails, aliasDomain } = await sentPost(2);
    const target = must(mails[1], 'mail');
    const other = must(mails[0], 'mail');
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({
        to: `bounce@${aliasDomain}`,
        recipients: [
          { address: target.recipientEmail, status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full' },
        ],
        originalMessageId: posted.messageId,
      }),
      envelopeTo: [`bounce@${aliasDomain}`],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({
      linkedBy: 'message_id',
      outcome: 'bounced',
      outgoingMailId: target.id,
      hard: false,
    });
    expect(await notificationOf(db, target.id)).toMatchObject({
      status: 'bounced',
      failureType: 'mailboxfull',
      failureReason: '552 5.2.2 Mailbox full',
    });
    // The other recipient of the same message is untouched.
    expect((await notificationOf(db, other.id))?.status).toBe('sent');
  });

  it('with neither, the References point to the thread and its latest mail to that address', async () => {
    const aliasDomain = `r${randomBytes(4).toString('hex')}.test`;
    const s = await seedThread(h, { followers: 1, aliasDomain });
    const first = await post(h, s, { subject: 'First' });
    await markSent(db, signer, first.id, `bounce@${aliasDomain}`);
    const second = await post(h, s, { subject: 'Second' });
    const mail = must((await markSent(db, signer, second.id, `bounce@${aliasDomain}`))[0], 'mail');
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({
        to: `bounce@${aliasDomain}`,
        recipients: [{ address: mail.recipientEmail }],
        originalReferences: [first.messageId],
      }),
      envelopeTo: [`bounce@${aliasDomain}`],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({ linkedBy: 'references', outcome: 'bounced', outgoingMailId: mail.id });
    expect((await notificationOf(db, mail.id))?.status).toBe('bounced');
  });

  it('marks the trace of a mass mailing bounced', async () => {
    const { s, mails } = await sentPost();
    const mail = must(mails[0], 'mail');
    const mailing = must(
      (
        await db
          .insert(schema.mailings)
          .values({
            tenantId: s.databaseId,
            name: 'November news',
            subject: 'News',
            fromHeader: 'news@acme.test',
            state: 'sending',
          })
          .returning()
      )[0],
      'mailing',
    );
    await db
      .update(schema.outgoingMails)
      .set({ lane: 'mass', mailingId: mailing.id })
      .where(eq(schema.outgoingMails.id, mail.id));
    await db.insert(schema.mailingTraces).values({
      tenantId: s.databaseId,
      mailingId: mailing.id,
      email: mail.recipientEmail,
      status: 'sent',
      outgoingMailId: mail.id,
    });
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({ to: mail.envelopeFrom, recipients: [{ address: mail.recipientEmail }] }),
      envelopeTo: [mail.envelopeFrom],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    await processed(s.databaseId, raw.id);
    const [trace] = await db
      .select()
      .from(schema.mailingTraces)
      .where(eq(schema.mailingTraces.mailingId, mailing.id));
    expect(trace).toMatchObject({ status: 'bounced', reason: expect.stringContaining('5.1.1') });
  });
});

describe('bounces that change nothing', () => {
  it('a bounce that links to nothing is kept with what was read, for an admin', async () => {
    const { s, mails, aliasDomain } = await sentPost();
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({
        to: `bounce@${aliasDomain}`,
        recipients: [{ address: 'someone@remote.test' }],
        originalMessageId: 'never-sent-by-us@elsewhere.test',
      }),
      envelopeTo: [`bounce@${aliasDomain}`],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({
      linkedBy: 'none',
      outcome: 'ignored',
      email: 'someone@remote.test',
      outgoingMailId: null,
      note: expect.stringContaining('neither the original Message-ID nor the References'),
    });
    expect(event?.report).toMatchObject({
      kind: 'dsn',
      originalMessageId: 'never-sent-by-us@elsewhere.test',
    });
    expect((await notificationOf(db, mails[0]?.id ?? ''))?.status).toBe('sent');
    // An admin finds it through the API, with the stored report to download.
    const listed = await h.call({
      method: 'GET',
      url: `/v1/databases/${s.databaseId}/bounces?unlinked=true`,
    });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({
        email: 'someone@remote.test',
        linkedBy: 'none',
        outcome: 'ignored',
        rawInboundId: raw.id,
      }),
    ]);
  });

  it('a DSN naming a recipient we never wrote to changes nothing (forged)', async () => {
    const { s, posted, mails, aliasDomain } = await sentPost();
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({
        to: `bounce@${aliasDomain}`,
        recipients: [{ address: 'victim@elsewhere.test' }],
        originalMessageId: posted.messageId,
      }),
      envelopeTo: [`bounce@${aliasDomain}`],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({
      linkedBy: 'none',
      outcome: 'ignored',
      note: expect.stringContaining('ignored as forged'),
    });
    expect((await notificationOf(db, mails[0]?.id ?? ''))?.status).toBe('sent');
    const contacts = await db
      .select()
      .from(schema.contacts)
      .where(eq(schema.contacts.tenantId, s.databaseId));
    expect(contacts.every((c) => c.bounceCount === 0)).toBe(true);
  });

  it('a VERP token with a bad signature changes nothing, even with a genuine Message-ID', async () => {
    const { s, posted, mails, aliasDomain } = await sentPost();
    const mail = must(mails[0], 'mail');
    // The mail's own id with a made-up signature: what a forger who read a Return-Path would try.
    const forged = `bounce+${mail.id.replaceAll('-', '')}aaaaaaaaaaaa@${aliasDomain}`;
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({
        to: forged,
        recipients: [{ address: mail.recipientEmail }],
        originalMessageId: posted.messageId,
      }),
      envelopeTo: [forged],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({
      linkedBy: 'none',
      outcome: 'ignored',
      note: expect.stringContaining('no valid signature'),
    });
    expect((await notificationOf(db, mail.id))?.status).toBe('sent');
    expect((await contactByEmail(db, s.databaseId, mail.recipientEmail))?.bounceCount).toBe(0);
  });

  it('a delay warning is recorded but the mail stays sent', async () => {
    const { s, mails } = await sentPost();
    const mail = must(mails[0], 'mail');
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({
        to: mail.envelopeFrom,
        recipients: [
          {
            address: mail.recipientEmail,
            action: 'delayed',
            status: '4.4.1',
            diagnostic: '421 4.4.1 try later',
          },
        ],
      }),
      envelopeTo: [mail.envelopeFrom],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({ linkedBy: 'verp', outcome: 'delayed' });
    expect((await notificationOf(db, mail.id))?.status).toBe('sent');
    expect((await contactByEmail(db, s.databaseId, mail.recipientEmail))?.bounceCount).toBe(0);
  });

  it('a mail that is not a report is kept with the reason, nothing else changes', async () => {
    const { s, aliasDomain } = await sentPost();
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: `From: someone@remote.test\r\nTo: bounce@${aliasDomain}\r\nSubject: hello\r\nMessage-ID: <x${randomBytes(4).toString('hex')}@remote.test>\r\n\r\nJust saying hi.\r\n`,
      envelopeTo: [`bounce@${aliasDomain}`],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    const [event] = await processed(s.databaseId, raw.id);
    expect(event).toMatchObject({
      linkedBy: 'none',
      outcome: 'ignored',
      email: '',
      note: expect.stringContaining('not a delivery report'),
    });
  });
});

describe('idempotency', () => {
  it('the same bounce twice (re-run, or stored again from another source) changes nothing the second time', async () => {
    const { s, mails } = await sentPost();
    const mail = must(mails[0], 'mail');
    const text = dsn({ to: mail.envelopeFrom, recipients: [{ address: mail.recipientEmail }] });
    const raw = await storeBounce(db, { tenantId: s.databaseId, raw: text, envelopeTo: [mail.envelopeFrom] });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    await processed(s.databaseId, raw.id);
    // The same job again (a redelivery) and the same bytes fetched from a mailbox as well.
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id, `${raw.id}-again`);
    const copy = await storeBounce(db, { tenantId: s.databaseId, raw: text, envelopeTo: [], source: 'imap' });
    await enqueueBounce(h.deps.producer, s.databaseId, copy.id);
    const jobs = await Promise.all(
      [`${raw.id}-again`, copy.id].map((id) => {
        const queue = h.deps.producer.queues.get('bounce');
        return waitUntil(
          `job ${id} done`,
          async () => (await queue?.getJobState(id)) ?? 'missing',
          (state) => state === 'completed' || state === 'failed',
          10_000,
        );
      }),
    );
    expect(jobs).toEqual(['completed', 'completed']);
    const events = await db
      .select()
      .from(schema.bounceEvents)
      .where(eq(schema.bounceEvents.outgoingMailId, mail.id));
    expect(events).toHaveLength(1);
    expect((await contactByEmail(db, s.databaseId, mail.recipientEmail))?.bounceCount).toBe(1);
  });
});

describe('the auto-blacklist rule (R10.3) with an injectable clock', () => {
  const NOW = new Date('2026-11-24T12:00:00Z');
  const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600 * 1000);
  const handler = () =>
    createProcessBounceHandler({ db, verifyVerp: (t) => signer.verify(t), now: () => NOW });
  const logger = createLogger({ service: 'bounce-test', level: 'silent' });

  /** Five posts to one follower, then one bounce of each, arrived `ago` days before NOW. */
  async function bouncesAt(ago: number[]) {
    const aliasDomain = `c${randomBytes(4).toString('hex')}.test`;
    const s = await seedThread(h, { followers: 1, aliasDomain });
    const email = s.followerEmails[0] ?? '';
    const run = handler();
    for (const d of ago) {
      const posted = await post(h, s);
      const mail = must((await markSent(db, signer, posted.id, `bounce@${aliasDomain}`))[0], 'mail');
      const raw = await storeBounce(db, {
        tenantId: s.databaseId,
        raw: dsn({ to: mail.envelopeFrom, recipients: [{ address: email }] }),
        envelopeTo: [mail.envelopeFrom],
        receivedAt: daysAgo(d),
      });
      await run({ tenantId: s.databaseId, rawInboundId: raw.id }, { logger });
    }
    return { tenantId: s.databaseId, email };
  }

  it('5 bounces within 3 days do not blacklist', async () => {
    const { tenantId, email } = await bouncesAt([3, 2.5, 2, 1, 0]);
    expect((await contactByEmail(db, tenantId, email))?.bounceCount).toBe(5);
    expect(await isBlacklisted(db, tenantId, email)).toBe(false);
  });

  it('5 bounces spread over 8 days do, with a note that says why and lists them', async () => {
    const { tenantId, email } = await bouncesAt([8, 6, 4, 2, 0]);
    expect(await isBlacklisted(db, tenantId, email)).toBe(true);
    const [entry] = await listBlacklistEntries(db, tenantId);
    expect(entry).toMatchObject({ email, source: 'auto', createdBy: 'bounce-processor', active: true });
    const lines = entry?.note.split('\n') ?? [];
    expect(lines[0]).toContain(`${email} bounced 5 times within the last 30 days, spread over 8 days`);
    expect(lines.filter((l) => l.startsWith('- '))).toHaveLength(5);
    expect(lines[2]).toContain(`${daysAgo(8).toISOString()} hard userunknown 5.1.1`);
  });

  it('bounces older than a month do not count', async () => {
    const { tenantId, email } = await bouncesAt([45, 35, 8, 4, 0]);
    expect(await isBlacklisted(db, tenantId, email)).toBe(false);
  });

  it('soft bounces followed by a successful delivery do not count', async () => {
    const aliasDomain = `d${randomBytes(4).toString('hex')}.test`;
    const s = await seedThread(h, { followers: 1, aliasDomain });
    const email = s.followerEmails[0] ?? '';
    const run = handler();
    for (const d of [9, 8, 7, 6, 1]) {
      const posted = await post(h, s);
      const mail = must((await markSent(db, signer, posted.id, `bounce@${aliasDomain}`))[0], 'mail');
      if (d === 1) {
        // A mail delivered 3 days ago, between the soft bounces and the last one.
        const delivered = await post(h, s);
        const [ok] = await markSent(db, signer, delivered.id, `bounce@${aliasDomain}`);
        await db
          .update(schema.outgoingMails)
          .set({ sentAt: daysAgo(3) })
          .where(eq(schema.outgoingMails.id, ok?.id ?? ''));
      }
      const raw = await storeBounce(db, {
        tenantId: s.databaseId,
        raw: dsn({
          to: mail.envelopeFrom,
          recipients: [{ address: email, status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' }],
        }),
        envelopeTo: [mail.envelopeFrom],
        receivedAt: daysAgo(d),
      });
      await run({ tenantId: s.databaseId, rawInboundId: raw.id }, { logger });
    }
    expect((await contactByEmail(db, s.databaseId, email))?.bounceCount).toBe(5);
    expect(await isBlacklisted(db, s.databaseId, email)).toBe(false);
  });

  it('the processor blacklists when the fifth bounce arrives through the queue', async () => {
    const { s, mails } = await sentPost();
    const mail = must(mails[0], 'mail');
    const email = mail.recipientEmail.toLowerCase();
    // Four earlier bounces of this address, recorded over the last nine days.
    await db.insert(schema.bounceEvents).values(
      [9, 7, 5, 3].map((d) => ({
        tenantId: s.databaseId,
        sourceKey: `dsn:earlier-${d}`,
        email,
        hard: true,
        statusCode: '5.1.1',
        reason: 'userunknown',
        kind: 'dsn',
        linkedBy: 'verp' as const,
        outcome: 'bounced',
        occurredAt: new Date(Date.now() - d * 24 * 3600 * 1000),
      })),
    );
    const raw = await storeBounce(db, {
      tenantId: s.databaseId,
      raw: dsn({ to: mail.envelopeFrom, recipients: [{ address: mail.recipientEmail }] }),
      envelopeTo: [mail.envelopeFrom],
    });
    await enqueueBounce(h.deps.producer, s.databaseId, raw.id);
    await waitUntil(
      'blacklisted',
      () => isBlacklisted(db, s.databaseId, email),
      (b) => b,
      10_000,
    );
    const entries = await listBlacklistEntries(db, s.databaseId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.note).toMatch(/bounced 5 times within the last 30 days, spread over 9 days/);
  });
});

describe('R10.2: a normal mail from the address resets its counter', () => {
  it('a refusal at RCPT that makes the fifth bounce blacklists too (the dispatcher queues the check)', async () => {
    const { s, mails } = await sentPost();
    const email = must(mails[0], 'mail').recipientEmail.toLowerCase();
    // Five refusals at RCPT over nine days, as the dispatcher records them (kind smtp).
    await db.insert(schema.bounceEvents).values(
      [9, 7, 5, 3, 0].map((d) => ({
        tenantId: s.databaseId,
        sourceKey: `smtp:refused-${d}`,
        email,
        hard: true,
        statusCode: '5.1.1',
        reason: 'userunknown',
        kind: 'smtp',
        linkedBy: 'smtp' as const,
        outcome: 'bounced',
        occurredAt: new Date(Date.now() - d * 24 * 3600 * 1000),
      })),
    );
    expect(await isBlacklisted(db, s.databaseId, email)).toBe(false);
    await h.deps.producer.enqueue('check-blacklist', { tenantId: s.databaseId, email });
    await waitUntil(
      'blacklisted',
      () => isBlacklisted(db, s.databaseId, email),
      (b) => b,
      10_000,
    );
    const entries = await listBlacklistEntries(db, s.databaseId);
    expect(entries).toEqual([expect.objectContaining({ email, source: 'auto' })]);
  });

  it('resetBounceCounter zeroes the contacts of that address in that database only', async () => {
    const a = await seedThread(h, { followers: 1 });
    const b = await seedThread(h, { followers: 1 });
    const email = a.followerEmails[0] ?? '';
    await db
      .update(schema.contacts)
      .set({ bounceCount: 3 })
      .where(eq(schema.contacts.emailNormalized, email));
    await db
      .insert(schema.contacts)
      .values({ tenantId: b.databaseId, name: 'Same', email, emailNormalized: email, bounceCount: 2 });
    expect(await resetBounceCounter(db, a.databaseId, email.toUpperCase())).toBe(1);
    expect((await contactByEmail(db, a.databaseId, email))?.bounceCount).toBe(0);
    expect((await contactByEmail(db, b.databaseId, email))?.bounceCount).toBe(2);
    expect(await resetBounceCounter(db, a.databaseId, email)).toBe(0);
  });
});
