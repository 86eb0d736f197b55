import { randomUUID } from 'node:crypto';
import {
  addFollower,
  aliasRows,
  contactRows,
  findRawInbound,
  findUnroutedRaw,
  insertTenant,
  postMessage,
  storeRawInbound,
  threadRows,
} from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { createProducer, type JobContext, type Producer } from '@sotamail/queues';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
  waitUntil,
} from '@sotamail/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRoutingFailure } from '../src/jobs/record-routing-failure.js';
import { createRouteInboundHandlers } from '../src/jobs/route-inbound.js';

// A batch job routes many stored mails (the fetcher gathers them, route-batcher.ts). Against real
// PostgreSQL and Redis: one mail that cannot be stored does not hold back the others, and the retry
// of the job routes it without doing the others twice.

let db: TestDatabase;
let redis: TestRedis;
let producer: Producer;
let tenantId: string;
const domain = 'batch.test';

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis('producer');
  producer = createProducer(redis.redis, redis.prefix);
  const tenant = await insertTenant(db.db, { name: 'Batch', hostingType: 'online', aliasDomain: domain }, {});
  tenantId = tenant.id;
  await aliasRows.insert(db.db, { tenantId, name: 'jobs', model: 'hr.applicant' });
});

afterAll(async () => {
  await producer?.close();
  await redis?.close();
  await db?.drop();
});

async function storeAliasMail(
  subject: string,
  sender = 'ada@elsewhere.test',
  messageId = `<${randomUUID()}@elsewhere.test>`,
  alias = 'jobs',
  inReplyTo?: string,
): Promise<string> {
  const raw = Buffer.from(
    [
      `From: Ada <${sender}>`,
      `To: ${alias}@${domain}`,
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`] : []),
      'Date: Tue, 24 Nov 2026 10:00:00 +0000',
      '',
      `About ${subject}.`,
      '',
    ].join('\r\n'),
  );
  return storeRaw(raw, sender, `${alias}@${domain}`);
}

/** Stores a mail as the SMTP ingress would, received for `to`. */
async function storeRaw(raw: Buffer, sender: string, to: string): Promise<string> {
  const { id } = await storeRawInbound(db.db, {
    tenantId,
    source: 'smtp',
    sourceKey: `smtp:${randomUUID()}`,
    raw,
    size: raw.length,
    sha256: randomUUID(),
    envelopeFrom: sender,
    envelopeTo: [to],
  });
  return id;
}

const logger = createLogger({ service: 'test', level: 'silent' });
// The handlers read how often BullMQ started the job: the first run, or a run after a failure.
const run = (attemptsStarted: number) => ({ logger, job: { attemptsStarted } }) as unknown as JobContext;
const context = run(1);

async function threadCount(subject: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(
    'select count(*) as n from threads where tenant_id = $1 and subject = $2',
    [tenantId, subject],
  );
  return Number(rows[0]?.n);
}

/**
 * Holds the insert of a message with this subject inside its transaction (a trigger waits for an
 * advisory lock this test holds) until released: a deterministic "meanwhile" for two runs at once.
 * Lock checks are limited to this file's database: other files run beside it on the same server.
 */
async function pauseMessageInsert(subject: string) {
  const key = 4_242_420 + Math.floor(Math.random() * 1000);
  const fn = `pause_${key}`;
  const holder = await db.pool.connect();
  let held = false;
  const release = async () => {
    if (held) {
      held = false;
      await holder.query('select pg_advisory_unlock($1)', [key]);
    }
  };
  const remove = async () => {
    await release();
    holder.release();
    await db.pool.query(`drop trigger if exists ${fn} on messages`);
    await db.pool.query(`drop function if exists ${fn}()`);
  };
  try {
    await holder.query('select pg_advisory_lock($1)', [key]);
    held = true;
    await db.pool.query(`
      create function ${fn}() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(${key});
        return new;
      end $$`);
    await db.pool.query(`
      create trigger ${fn} before insert on messages
      for each row when (new.subject = '${subject.replaceAll("'", "''")}') execute function ${fn}()`);
  } catch (err) {
    await remove();
    throw err;
  }
  // The backend of the paused transaction: the one waiting for the lock in this database.
  const paused = `select w.pid from pg_locks w
                   where w.locktype = 'advisory' and w.objid = $1 and not w.granted
                     and w.database = (select oid from pg_database where datname = current_database())`;
  return {
    /** Resolves once a message insert waits in the trigger. */
    waiting: () =>
      waitUntil(
        `a message insert waiting on lock ${key}`,
        async () => (await db.pool.query(paused, [key])).rows.length,
        (n) => n > 0,
        10_000,
        20,
      ),
    /** Resolves once another transaction waits for the paused one to end. */
    blockingAnother: () =>
      waitUntil(
        'another transaction waiting for the paused one',
        async () =>
          (
            await db.pool.query(
              `select 1 from pg_stat_activity a where exists (${paused} and w.pid = any(pg_blocking_pids(a.pid)))`,
              [key],
            )
          ).rows.length,
        (n) => n > 0,
        10_000,
        20,
      ),
    release,
    remove,
  };
}

/** An order thread Ada follows, with the ERP's message `posted-<record>@erp.test` to reply to. */
async function orderThread(recordId: string) {
  const thread = await threadRows.insert(db.db, {
    tenantId,
    model: 'sale.order',
    recordId,
    subject: recordId,
  });
  const ada = await contactRows.insert(db.db, {
    tenantId,
    name: 'Ada',
    email: `ada-${recordId}@client.test`,
    emailNormalized: `ada-${recordId}@client.test`,
  });
  await addFollower(db.db, tenantId, thread.id, ada.id);
  await postMessage(db.db, {
    tenantId,
    threadId: thread.id,
    kind: 'comment',
    authorContactId: null,
    authorEmail: null,
    authorName: 'ERP',
    subject: recordId,
    bodyHtml: '<p>Your order</p>',
    bodyText: 'Your order',
    messageId: `posted-${recordId.toLowerCase()}@erp.test`,
  });
  return thread;
}

/** Bob's reply to the ERP's message of `recordId`, with a file attached. */
async function storeReplyWithFile(subject: string, recordId: string): Promise<string> {
  const raw = Buffer.from(
    [
      'From: Bob <bob@elsewhere.test>',
      `To: orders@${domain}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomUUID()}@elsewhere.test>`,
      `In-Reply-To: <posted-${recordId.toLowerCase()}@erp.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The signed order.',
      '--b1',
      'Content-Type: application/pdf; name="order.pdf"',
      'Content-Disposition: attachment; filename="order.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 signed').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
  );
  return storeRaw(raw, 'bob@elsewhere.test', `orders@${domain}`);
}

describe('a routing batch', () => {
  it('records the mails it could route when one fails; its retry gives that one a job of its own', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const ids = [
      await storeAliasMail('first'),
      await storeAliasMail('refused by the database'),
      await storeAliasMail('third'),
    ];
    // PostgreSQL refuses the second mail's record, as it would on a full disk or a broken constraint.
    await db.db.execute(sql`
      create function refuse_thread() returns trigger language plpgsql as $$
      begin
        raise exception 'no room for this record';
      end $$`);
    await db.db.execute(sql`
      create trigger refuse_thread before insert on threads
      for each row when (new.subject = 'refused by the database') execute function refuse_thread()`);

    await expect(
      handlers['route-inbound-batch']({ tenantId, rawInboundIds: ids }, context),
    ).rejects.toMatchObject({ cause: { message: 'no room for this record' } });
    const states = async () =>
      Promise.all(ids.map(async (id) => (await findRawInbound(db.db, tenantId, id))?.state));
    expect(await states()).toEqual(['routed', 'received', 'routed']);
    // The routed ones' events are queued.
    const events = (await producer.queues.get('events')?.getJobs(['waiting'])) ?? [];
    expect(events.filter((j) => j.name === 'thread-created')).toHaveLength(2);

    // The retry splits: only the mail still to route gets a job, so it can hold back no other.
    const retried = await handlers['route-inbound-batch']({ tenantId, rawInboundIds: ids }, run(2));
    expect(retried).toEqual({ split: 1 });
    const singles = (await producer.queues.get('inbound')?.getJobs(['waiting'])) ?? [];
    expect(singles.map((j) => [j.name, j.id, j.data])).toEqual([
      ['route-inbound', ids[1], { tenantId, rawInboundId: ids[1] }],
    ]);

    await db.db.execute(sql`drop trigger refuse_thread on threads`);
    expect(await handlers['route-inbound']({ tenantId, rawInboundId: ids[1] as string }, context)).toEqual({
      action: 'new-record',
    });
    expect(await states()).toEqual(['routed', 'routed', 'routed']);
    expect([
      await threadCount('first'),
      await threadCount('refused by the database'),
      await threadCount('third'),
    ]).toEqual([1, 1, 1]);
  });

  it('drops a mail whose record another mail with the same Message-ID makes meanwhile, without failing (R9.4)', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const messageId = `<${randomUUID()}@elsewhere.test>`;
    const first = await storeAliasMail('same id, first', 'cy@elsewhere.test', messageId);
    const second = await storeAliasMail('same id, other sender', 'bob@elsewhere.test', messageId);
    // The first mail's transaction has made its record and waits before storing its message, so the
    // second (locked per alias and sender, not kept out by the first's lock) meets the uncommitted
    // record and waits for it.
    const paused = await pauseMessageInsert('same id, first');
    try {
      const firstRun = handlers['route-inbound']({ tenantId, rawInboundId: first }, context);
      await paused.waiting();
      const secondRun = handlers['route-inbound']({ tenantId, rawInboundId: second }, context);
      // The second mail waits for the first one's uncommitted record.
      await paused.blockingAnother();
      await paused.release();
      expect(await firstRun).toEqual({ action: 'new-record' });
      expect(await secondRun).toEqual({ action: 'dropped' });
    } finally {
      await paused.remove();
    }
    const dropped = await findRawInbound(db.db, tenantId, second);
    expect(dropped?.state).toBe('ignored');
    expect((dropped?.decision as { reasons?: string[] } | null)?.reasons?.join(' ')).toMatch(
      /same Message-ID/,
    );
    expect([await threadCount('same id, first'), await threadCount('same id, other sender')]).toEqual([1, 0]);
  });

  it('leaves no empty record when the same Message-ID reaches aliases of two models at once (R9.4)', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    await aliasRows.insert(db.db, { tenantId, name: 'sales', model: 'crm.lead' });
    const messageId = `<${randomUUID()}@elsewhere.test>`;
    const toJobs = await storeAliasMail('two models, jobs', 'dee@elsewhere.test', messageId, 'jobs');
    const toSales = await storeAliasMail('two models, sales', 'dee@elsewhere.test', messageId, 'sales');
    // The mail to jobs@ has made its record and waits; the one to sales@ (another model, so another
    // record) stores the message first.
    const paused = await pauseMessageInsert('two models, jobs');
    try {
      const jobsRun = handlers['route-inbound']({ tenantId, rawInboundId: toJobs }, context);
      await paused.waiting();
      expect(await handlers['route-inbound']({ tenantId, rawInboundId: toSales }, context)).toEqual({
        action: 'new-record',
      });
      await paused.release();
      expect(await jobsRun).toEqual({ action: 'dropped' });
    } finally {
      await paused.remove();
    }
    // The record made for the mail that could not be stored went with it.
    expect([await threadCount('two models, jobs'), await threadCount('two models, sales')]).toEqual([0, 1]);
    expect((await findRawInbound(db.db, tenantId, toJobs))?.state).toBe('ignored');
  });

  it('stores its replies one by one when storing them together fails, and only the bad one waits', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const thread = await orderThread('R');
    const subjects = ['Re: R, first', 'Re: R, refused', 'Re: R, third'];
    const ids = [];
    for (const subject of subjects) {
      ids.push(
        await storeAliasMail(
          subject,
          'bob@elsewhere.test',
          `<${randomUUID()}@elsewhere.test>`,
          'orders',
          'posted-r@erp.test',
        ),
      );
    }
    // PostgreSQL refuses the second reply's message, as it would on a broken constraint: the batch's
    // statement fails as a whole, and each reply is stored on its own.
    await db.db.execute(sql`
      create function refuse_reply() returns trigger language plpgsql as $$
      begin
        raise exception 'no room for this reply';
      end $$`);
    await db.db.execute(sql`
      create trigger refuse_reply before insert on messages
      for each row when (new.subject = 'Re: R, refused') execute function refuse_reply()`);
    const lines: string[] = [];
    const watched = createLogger({
      service: 'test',
      level: 'warn',
      destination: { write: (line: string) => void lines.push(line) },
    });
    try {
      await expect(
        handlers['route-inbound-batch']({ tenantId, rawInboundIds: ids }, {
          logger: watched,
          job: { attemptsStarted: 1 },
        } as unknown as JobContext),
      ).rejects.toMatchObject({ cause: { message: 'no room for this reply' } });
    } finally {
      await db.db.execute(sql`drop trigger refuse_reply on messages`);
    }
    // The three were tried together first.
    expect(lines.filter((l) => l.includes('inbound.reply_batch_store_failed'))).toHaveLength(1);
    const raws = await Promise.all(ids.map((id) => findRawInbound(db.db, tenantId, id)));
    expect(raws.map((r) => [r?.state, r?.decision?.action])).toEqual([
      ['routed', 'reply'],
      // Its decision went with its message: nothing of it is stored until its own job routes it.
      ['received', undefined],
      ['routed', 'reply'],
    ]);
    const stored = await db.pool.query<{ subject: string; mails: number }>(
      `select m.subject, (select count(*)::int from outgoing_mails o where o.message_id = m.id) as mails
         from messages m where m.thread_id = $1 and m.kind = 'email' order by m.subject`,
      [thread.id],
    );
    // Each stored reply told Ada, the thread's follower.
    expect(stored.rows).toEqual([
      { subject: 'Re: R, first', mails: 1 },
      { subject: 'Re: R, third', mails: 1 },
    ]);
  });

  it("keeps a thread's messages in the order they arrived, held replies and one stored at once alike", async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const thread = await orderThread('Q');
    const reply = (subject: string) =>
      storeAliasMail(
        subject,
        'bob@elsewhere.test',
        `<${randomUUID()}@elsewhere.test>`,
        'orders',
        'posted-q@erp.test',
      );
    // The second has a file, and is held with the others; the third comes through an alias that
    // feeds this thread, whose existence is checked in its own transaction: it is stored at its
    // turn, after the replies held before it.
    await aliasRows.insert(db.db, { tenantId, name: 'q-desk', model: 'sale.order', threadId: thread.id });
    const ids = [
      await reply('Re: Q, 1'),
      await storeReplyWithFile('Re: Q, 2 (with a file)', 'Q'),
      await storeAliasMail("Q, 3 (to the thread's alias)", 'carl@elsewhere.test', undefined, 'q-desk'),
      await reply('Re: Q, 4'),
      await reply('Re: Q, 5'),
    ];
    await handlers['route-inbound-batch']({ tenantId, rawInboundIds: ids }, context);
    const { rows } = await db.pool.query<{ subject: string; at: string }>(
      `select subject, created_at::text as at from messages
        where thread_id = $1 and kind = 'email' order by created_at, id`,
      [thread.id],
    );
    expect(rows.map((r) => r.subject)).toEqual([
      'Re: Q, 1',
      'Re: Q, 2 (with a file)',
      "Q, 3 (to the thread's alias)",
      'Re: Q, 4',
      'Re: Q, 5',
    ]);
    // Each its own moment: the thread's order does not hang on the messages' random ids.
    expect(new Set(rows.map((r) => r.at)).size).toBe(5);
    // The file went in with its reply, in the batch's statement.
    const files = await db.pool.query<{ subject: string; filename: string; content: Buffer }>(
      `select m.subject, a.filename, a.content from attachments a join messages m on m.id = a.message_id
        where m.thread_id = $1`,
      [thread.id],
    );
    expect(files.rows).toEqual([
      { subject: 'Re: Q, 2 (with a file)', filename: 'order.pdf', content: Buffer.from('%PDF-1.4 signed') },
    ]);
  });

  it('routes the mails it finds and names the ones it does not', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const stored = await storeAliasMail('found');
    const gone = randomUUID();
    expect(
      await handlers['route-inbound-batch']({ tenantId, rawInboundIds: [gone, stored] }, context),
    ).toEqual({
      routed: 1,
      missing: 1,
    });
    expect((await findRawInbound(db.db, tenantId, stored))?.state).toBe('routed');
    // A lone job for a mail that is not there fails for good.
    await expect(handlers['route-inbound']({ tenantId, rawInboundId: gone }, context)).rejects.toThrow(
      'does not exist',
    );
  });

  it('routes a mail once when two runs take it at the same time (a sweep job beside its batch)', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    // The second run starts a little later each round, so that across the rounds it reads the mail
    // before the first run stores it and decides after (a duplicate of itself, unless recognised).
    for (let round = 0; round < 24; round++) {
      const subject = `raced ${round}`;
      // Each from its own sender: the per-sender alias limit (R9.1) is not what is tested here.
      const id = await storeAliasMail(subject, `racer${round}@elsewhere.test`);
      const runs = await Promise.allSettled([
        handlers['route-inbound-batch']({ tenantId, rawInboundIds: [id] }, context),
        new Promise((r) => setTimeout(r, round)).then(() =>
          handlers['route-inbound']({ tenantId, rawInboundId: id }, context),
        ),
      ]);
      expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const raw = await findRawInbound(db.db, tenantId, id);
      // Never dropped as a duplicate of itself.
      expect([raw?.state, raw?.decision?.action]).toEqual(['routed', 'new-record']);
      expect(await threadCount(subject)).toBe(1);
    }
  });

  it('leaves a mail failed, with the reason, once its routing job has used its last attempt', async () => {
    const id = await storeAliasMail('never routed', 'giving-up@elsewhere.test');
    const job = (attemptsMade: number) => ({
      name: 'route-inbound',
      data: { tenantId, rawInboundId: id },
      attemptsMade,
      opts: { attempts: 8 },
    });
    // An attempt that will be retried changes nothing.
    expect(await recordRoutingFailure(db.db, job(3), new Error('connection terminated'))).toBe(0);
    expect((await findRawInbound(db.db, tenantId, id))?.state).toBe('received');

    expect(await recordRoutingFailure(db.db, job(8), new Error('connection terminated'))).toBe(1);
    const raw = await findRawInbound(db.db, tenantId, id);
    expect([raw?.state, raw?.error]).toEqual([
      'failed',
      'routing failed (tried 8 times): connection terminated',
    ]);
    // The admin can route it again (reprocess); the sweep no longer picks it up.
    expect((await findUnroutedRaw(db.db, new Date(Date.now() + 60_000))).map((r) => r.id)).not.toContain(id);
  });

  it('never marks failed a mail another run has routed meanwhile', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const id = await storeAliasMail('routed after all', 'late@elsewhere.test');
    await handlers['route-inbound']({ tenantId, rawInboundId: id }, context);
    const batchJob = {
      name: 'route-inbound-batch',
      data: { tenantId, rawInboundIds: [id] },
      attemptsMade: 8,
      opts: { attempts: 8 },
    };
    await recordRoutingFailure(db.db, batchJob, new Error('gave up'));
    expect((await findRawInbound(db.db, tenantId, id))?.state).toBe('routed');
  });
});
