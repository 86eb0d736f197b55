import { randomUUID } from 'node:crypto';
import {
  addFollower,
  aliasRows,
  contactRows,
  findRawInbound,
  insertTenant,
  postMessage,
  storeRawInbound,
  threadRows,
} from '@sotamail/db';
import { databaseLookups, type RouteKeys, type RouteLookups } from '@sotamail/inbound-routing';
import { createLogger } from '@sotamail/logging';
import { createProducer, type JobContext, type Producer } from '@sotamail/queues';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchLookups } from '../src/adapters/batch-lookups.js';
import { createRouteInboundHandlers } from '../src/jobs/route-inbound.js';

// A batch job looks up what its mails' routes depend on (known Message-IDs, authors, the catchall's
// loop counters) once for all of them (adapters/batch-lookups.ts). Against real PostgreSQL: the same
// mails, routed as one batch in one database and one by one in another, are decided alike, also when
// a mail depends on one earlier in its own batch.

let db: TestDatabase;
let redis: TestRedis;
let producer: Producer;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis('producer');
  producer = createProducer(redis.redis, redis.prefix);
});

afterAll(async () => {
  await producer?.close();
  await redis?.close();
  await db?.drop();
});

type World = { tenantId: string; domain: string; followingBob: string; orderThreadId: string };

/** A database with a jobs alias, a catchall, and an order thread that Bob follows (his second contact). */
async function world(domain: string): Promise<World> {
  const tenant = await insertTenant(
    db.db,
    { name: domain, hostingType: 'online', aliasDomain: domain },
    // One record per sender per period: Ada's second application is over the limit (R9.1).
    { 'mail.catchall.alias': 'catchall', 'mail.incoming.limit.alias': '1' },
  );
  const tenantId = tenant.id;
  await aliasRows.insert(db.db, { tenantId, name: 'jobs', model: 'hr.applicant' });
  const thread = await threadRows.insert(db.db, {
    tenantId,
    model: 'sale.order',
    recordId: '7',
    subject: 'S7',
  });
  // Two contacts share Bob's address; the author of his reply is the one following the thread (R6.4).
  await contactRows.insert(db.db, {
    tenantId,
    name: 'Bob (old)',
    email: 'bob@client.test',
    emailNormalized: 'bob@client.test',
  });
  const following = await contactRows.insert(db.db, {
    tenantId,
    name: 'Bob',
    email: 'bob@client.test',
    emailNormalized: 'bob@client.test',
  });
  await addFollower(db.db, tenantId, thread.id, following.id);
  await postMessage(db.db, {
    tenantId,
    threadId: thread.id,
    kind: 'comment',
    authorContactId: null,
    authorEmail: null,
    authorName: 'ERP',
    subject: 'S7',
    bodyHtml: '<p>Your order</p>',
    bodyText: 'Your order',
    messageId: 'posted-s7@erp.test',
  });
  return { tenantId, domain, followingBob: following.id, orderThreadId: thread.id };
}

type Mail = {
  from: string;
  to: string;
  messageId: string;
  inReplyTo?: string;
  subject: string;
  body: string;
};

/** Bob's reply to the order: in the batch twice, the second time as a copy. */
const bobThanks = (domain: string): Mail => ({
  from: 'bob@client.test',
  to: `catchall@${domain}`,
  messageId: 'r2@client.test',
  inReplyTo: 'posted-s7@erp.test',
  subject: 'Re: S7',
  body: 'Thanks',
});

// In arrival order; each mail depends on what the database holds, or on a mail before it.
const mails = (domain: string): [Mail, string][] => [
  [
    {
      from: 'ada@elsewhere.test',
      to: `jobs@${domain}`,
      messageId: 'cv-ada@elsewhere.test',
      subject: 'CV',
      body: 'Hello',
    },
    'new-record',
  ],
  [
    {
      from: 'bob@client.test',
      to: `catchall@${domain}`,
      messageId: 'r1@client.test',
      inReplyTo: 'cv-ada@elsewhere.test',
      subject: 'Re: CV',
      body: 'Welcome',
    },
    'reply',
  ],
  [bobThanks(domain), 'reply'],
  // An answer to the reply just before it, and a copy of that reply: in a batch, that reply is not
  // stored yet when they are routed (the batch's replies are stored together) until they ask.
  [
    {
      from: 'bob@client.test',
      to: `catchall@${domain}`,
      messageId: 'r3@client.test',
      inReplyTo: 'r2@client.test',
      subject: 'Re: S7',
      body: 'And one more thing',
    },
    'reply',
  ],
  [bobThanks(domain), 'dropped'],
  [
    {
      from: 'ada@elsewhere.test',
      to: `jobs@${domain}`,
      messageId: 'cv-ada@elsewhere.test',
      subject: 'CV',
      body: 'Hello',
    },
    'dropped',
  ],
  [
    {
      from: 'carl@bot.test',
      to: `catchall@${domain}`,
      messageId: 'b1@bot.test',
      subject: 'Ping',
      body: 'Same words',
    },
    'refused',
  ],
  [
    {
      from: 'carl@bot.test',
      to: `catchall@${domain}`,
      messageId: 'b2@bot.test',
      subject: 'Ping',
      body: 'Same words',
    },
    'dropped',
  ],
  [
    {
      from: 'ada@elsewhere.test',
      to: `jobs@${domain}`,
      messageId: 'cv2-ada@elsewhere.test',
      subject: 'CV, again',
      body: 'Hello again',
    },
    'dropped',
  ],
  [
    {
      from: 'dora@elsewhere.test',
      to: `jobs@${domain}`,
      messageId: 'cv-dora@elsewhere.test',
      subject: 'CV',
      body: 'Hi',
    },
    'new-record',
  ],
];

async function store(w: World, mail: Mail): Promise<string> {
  const raw = Buffer.from(
    [
      `From: <${mail.from}>`,
      `To: ${mail.to}`,
      `Subject: ${mail.subject}`,
      `Message-ID: <${mail.messageId}>`,
      ...(mail.inReplyTo ? [`In-Reply-To: <${mail.inReplyTo}>`] : []),
      'Date: Tue, 24 Nov 2026 10:00:00 +0000',
      '',
      mail.body,
      '',
    ].join('\r\n'),
  );
  const { id } = await storeRawInbound(db.db, {
    tenantId: w.tenantId,
    source: 'smtp',
    sourceKey: `smtp:${randomUUID()}`,
    raw,
    size: raw.length,
    sha256: randomUUID(),
    envelopeFrom: mail.from,
    envelopeTo: [mail.to],
  });
  return id;
}

// Warnings are kept: a batch whose lookups failed falls back to asking mail by mail, which decides
// alike, so only its warning shows the batch lookups were not used.
const warnings: string[] = [];
const logger = createLogger({
  service: 'test',
  level: 'warn',
  destination: { write: (line: string) => void warnings.push(line) },
});
const context = { logger, job: { attemptsStarted: 1 } } as unknown as JobContext;

async function actions(w: World, ids: string[]): Promise<unknown[]> {
  return Promise.all(ids.map(async (id) => (await findRawInbound(db.db, w.tenantId, id))?.decision?.action));
}

async function authorOf(w: World, messageId: string): Promise<string | null | undefined> {
  const { rows } = await db.pool.query<{ author_contact_id: string | null }>(
    'select author_contact_id from messages where tenant_id = $1 and message_id = $2',
    [w.tenantId, messageId],
  );
  return rows[0]?.author_contact_id;
}

async function threadOf(w: World, messageId: string): Promise<string | undefined> {
  const { rows } = await db.pool.query<{ thread_id: string }>(
    'select thread_id from messages where tenant_id = $1 and message_id = $2',
    [w.tenantId, messageId],
  );
  return rows[0]?.thread_id;
}

describe('the lookups of a routing batch', () => {
  it('decide every mail as routing them one by one does, earlier mails of the batch included', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const batched = await world('batched.test');
    const single = await world('single.test');

    const batchIds: string[] = [];
    for (const [mail] of mails(batched.domain)) {
      batchIds.push(await store(batched, mail));
    }
    await handlers['route-inbound-batch']({ tenantId: batched.tenantId, rawInboundIds: batchIds }, context);

    const singleIds: string[] = [];
    for (const [mail] of mails(single.domain)) {
      const id = await store(single, mail);
      singleIds.push(id);
      await handlers['route-inbound']({ tenantId: single.tenantId, rawInboundId: id }, context);
    }

    expect(warnings).toEqual([]);
    const expected = mails('any').map(([, action]) => action);
    expect(await actions(single, singleIds)).toEqual(expected);
    expect(await actions(batched, batchIds)).toEqual(expected);
    // Bob's reply to the order is his, as the thread's follower; his reply to Ada's new record is
    // in her thread.
    expect(await authorOf(batched, 'r2@client.test')).toBe(batched.followingBob);
    expect(await threadOf(batched, 'r3@client.test')).toBe(batched.orderThreadId);
    const { rows } = await db.pool.query<{ same: boolean }>(
      `select r.thread_id = c.thread_id as same from messages r, messages c
        where r.tenant_id = $1 and c.tenant_id = $1 and r.message_id = 'r1@client.test' and c.message_id = 'cv-ada@elsewhere.test'`,
      [batched.tenantId],
    );
    expect(rows).toEqual([{ same: true }]);
  });

  it('count only mail received in the period in the loop check, as the database does', async () => {
    const handlers = createRouteInboundHandlers({ db: db.db, producer, now: () => new Date() });
    const batched = await world('late-batched.test');
    const single = await world('late-single.test');
    const late = (w: World): Mail[] =>
      ['l1@bot.test', 'l2@bot.test'].map((messageId) => ({
        from: 'eve@bot.test',
        to: `catchall@${w.domain}`,
        messageId,
        subject: 'Ping',
        body: 'Same words',
      }));
    // Both arrived two hours ago (the router was down): neither is within the hour of the other's routing.
    const storeLate = async (w: World) => {
      const ids = [];
      for (const mail of late(w)) {
        ids.push(await store(w, mail));
      }
      await db.pool.query(
        "update raw_inbound_messages set received_at = now() - interval '2 hours' where id = any($1::uuid[])",
        [ids],
      );
      return ids;
    };
    const batchIds = await storeLate(batched);
    const singleIds = await storeLate(single);
    await handlers['route-inbound-batch']({ tenantId: batched.tenantId, rawInboundIds: batchIds }, context);
    for (const id of singleIds) {
      await handlers['route-inbound']({ tenantId: single.tenantId, rawInboundId: id }, context);
    }
    expect(await actions(single, singleIds)).toEqual(['refused', 'refused']);
    expect(await actions(batched, batchIds)).toEqual(['refused', 'refused']);
  });

  it('answer independent mails from the batch queries, and ask again what an earlier mail may change', async () => {
    const w = await world('direct.test');
    const direct = databaseLookups(db.db);
    const asked: string[] = [];
    // The database's own lookups, noting each question the batch could not answer itself.
    const noted =
      <A extends unknown[], R>(name: string, lookup: (...args: A) => R) =>
      (...args: A): R => {
        asked.push(name);
        return lookup(...args);
      };
    const single: RouteLookups = {
      knownMessages: noted('known', direct.knownMessages),
      authorContact: noted('author', direct.authorContact),
      sameContentSeen: noted('same', direct.sameContentSeen),
      aliasRecordCount: noted('alias', direct.aliasRecordCount),
    };
    const keys = (messageId: string, senderEmail: string, references: string[]): RouteKeys => ({
      messageId,
      senderEmail,
      recipients: [],
      localParts: ['catchall', 'jobs'],
      tokens: [],
      references,
      fingerprint: `fp-${senderEmail}`,
      toCatchall: true,
    });
    const first = {
      id: randomUUID(),
      receivedAt: new Date(),
      keys: keys('n1@x.test', 'bob@client.test', ['posted-s7@erp.test']),
    };
    const second = { id: randomUUID(), receivedAt: new Date(), keys: keys('n2@x.test', 'carl@bot.test', []) };
    const third = {
      id: randomUUID(),
      receivedAt: new Date(),
      keys: keys('n3@x.test', 'dana@client.test', []),
    };
    // Two contacts of Dana made in one millisecond: only PostgreSQL's microseconds tell the older,
    // which has the greater id.
    const olderDana = 'ffffffff-0000-4000-8000-000000000000';
    await db.pool.query(
      `insert into contacts (id, tenant_id, name, email, email_normalized, created_at) values
         ($1, $3, 'Dana', 'dana@client.test', 'dana@client.test', '2026-11-01 10:00:00.000100+00'),
         ($2, $3, 'Dana', 'dana@client.test', 'dana@client.test', '2026-11-01 10:00:00.000900+00')`,
      [olderDana, '00000000-0000-4000-8000-000000000001', w.tenantId],
    );
    const since = new Date(Date.now() - 3_600_000);
    const jobs = (await aliasRows.list(db.db, w.tenantId)).map((a) => ({
      id: a.id,
      name: a.name,
      threadId: a.threadId,
    }));
    const lookups = await BatchLookups.prefetch(
      db.db,
      {
        tenantId: w.tenantId,
        since,
        keys: new Map([
          [first.id, first.keys],
          [second.id, second.keys],
          [third.id, third.keys],
        ]),
        aliases: jobs,
      },
      single,
    );
    const jobsId = jobs[0]?.id as string;
    const questions = [
      () => lookups.knownMessages(w.tenantId, 'n1@x.test', ['posted-s7@erp.test']),
      () => lookups.authorContact(w.tenantId, 'bob@client.test', w.orderThreadId),
      () => lookups.authorContact(w.tenantId, 'BOB@client.test', null),
      () => lookups.authorContact(w.tenantId, 'dana@client.test', null),
      () =>
        lookups.sameContentSeen({
          tenantId: w.tenantId,
          senderEmail: 'carl@bot.test',
          fingerprint: 'fp-carl@bot.test',
          since,
          exceptId: second.id,
        }),
      () => lookups.aliasRecordCount(jobsId, 'carl@bot.test', since),
    ];
    const answers = [];
    for (const q of questions) {
      answers.push(await q());
    }
    expect(asked).toEqual([]);
    expect(answers).toEqual([
      await direct.knownMessages(w.tenantId, 'n1@x.test', ['posted-s7@erp.test']),
      await direct.authorContact(w.tenantId, 'bob@client.test', w.orderThreadId),
      await direct.authorContact(w.tenantId, 'bob@client.test', null),
      await direct.authorContact(w.tenantId, 'dana@client.test', null),
      false,
      0,
    ]);
    expect((answers[1] as { contact: { id: string } }).contact.id).toBe(w.followingBob);
    expect((answers[3] as { contact: { id: string } }).contact.id).toBe(olderDana);

    // Once the first mail is routed, a reply to it, the loop check of its content and its sender's
    // records may differ from what the batch asked: those are asked again.
    lookups.noteRouted(
      { ...first, keys: { ...first.keys, fingerprint: 'fp-carl@bot.test', senderEmail: 'carl@bot.test' } },
      true,
    );
    await lookups.knownMessages(w.tenantId, 'n2@x.test', ['n1@x.test']);
    expect(
      await lookups.sameContentSeen({
        tenantId: w.tenantId,
        senderEmail: 'carl@bot.test',
        fingerprint: 'fp-carl@bot.test',
        since,
        exceptId: second.id,
      }),
    ).toBe(true);
    await lookups.aliasRecordCount(jobsId, 'carl@bot.test', since);
    expect(asked).toEqual(['known', 'alias']);
  });
});
