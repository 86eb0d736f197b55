// Outbound benchmark: N notifications through config-api → queue → dispatcher → a local SMTP sink,
// and in the same run the same number of messages sent by a bare nodemailer pool to the same sink
// (the practical ceiling of our stack). Needs the local services (`npm run setup`).
//   npm run bench:outbound            (BENCH_MESSAGES=100 BENCH_FOLLOWERS=100 → 10,000 notifications)
import { randomBytes } from 'node:crypto';
import { schema } from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { createProducer, pingRedis } from '@sotamail/queues';
import {
  createTestDatabase,
  createTestRedis,
  freePort,
  startService,
  stopServices,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { buildApp } from '../apps/config-api/src/app.js';
import setupTemplate from '../packages/test-support/src/global-setup.js';
import { startFastSink } from './fast-sink.js';

const messages = Number(process.env.BENCH_MESSAGES ?? 100);
const followers = Number(process.env.BENCH_FOLLOWERS ?? 100);
const dispatchers = Number(process.env.BENCH_DISPATCHERS ?? 2);
const connections = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 5);
const total = messages * followers;
const body = `<p>${'Quote attached, please review. '.repeat(20)}</p>`;

async function baseline(port: number): Promise<number> {
  const sink = await startFastSink();
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    // As many sockets as all our dispatchers together open (one pool of `connections` each).
    maxConnections: connections * dispatchers,
    maxMessages: 500,
  });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      await transport.sendMail({
        from: '"Admin" <notifications@bench.test>',
        to: `f${i % followers}@customer.test`,
        subject: 'Your quote',
        html: body,
        text: body.replace(/<[^>]+>/g, ''),
        messageId: `<${randomBytes(8).toString('hex')}@bench.test>`,
        envelope: { from: 'bounce@bench.test', to: [`f${i % followers}@customer.test`] },
      });
    }
  };
  await Promise.all(Array.from({ length: connections * dispatchers * 4 }, worker));
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  await sink.close();
  void port;
  return total / seconds;
}

async function sotamail(): Promise<number> {
  const sink = await startFastSink();
  const db = await createTestDatabase();
  const redis = await createTestRedis('producer');
  const producer = createProducer(redis.redis, redis.prefix);
  const secretKey = randomBytes(32);
  const app = await buildApp({
    logger: createLogger({ service: 'bench', level: 'warn' }),
    pingRedis: () => pingRedis(redis.redis),
    deps: {
      handle: db,
      producer,
      secretKey,
      operatorToken: 'bench-operator-token-0123456789',
      platformMailDomain: 'bench.test',
      probeSmtp: async () => ({
        ok: false,
        code: 'SMTP_PROTOCOL_ERROR',
        message: 'not in the benchmark',
        step: 'connect',
        transcript: [],
        durationMs: 0,
      }),
      oauthAccessToken: async () => ({ ok: false, message: 'not in the benchmark' }),
    },
  });
  const auth = { authorization: 'Bearer bench-operator-token-0123456789' };
  const created = await app.inject({
    method: 'POST',
    url: '/v1/databases',
    headers: auth,
    payload: { name: 'bench', hostingType: 'on_premise', aliasDomain: 'bench.test' },
  });
  const databaseId = created.json().id as string;
  await app.inject({
    method: 'POST',
    url: `/v1/databases/${databaseId}/outgoing-servers`,
    headers: auth,
    payload: {
      name: 'sink',
      host: '127.0.0.1',
      port: sink.port,
      security: 'none',
      ...(process.env.BENCH_CAP ? { maxConnections: connections } : {}),
    },
  });
  const author = await app.inject({
    method: 'POST',
    url: `/v1/databases/${databaseId}/contacts`,
    headers: auth,
    payload: { name: 'Admin', email: 'admin@bench.test' },
  });
  const threads: string[] = [];
  for (let m = 0; m < messages; m++) {
    const [thread] = await db.db
      .insert(schema.threads)
      .values({ tenantId: databaseId, model: 'sale.order', recordId: String(m), subject: `SO${m}` })
      .returning();
    threads.push(thread?.id ?? '');
  }
  const contacts = await db.db
    .insert(schema.contacts)
    .values(
      Array.from({ length: followers }, (_, i) => ({
        tenantId: databaseId,
        name: `F${i}`,
        email: `f${i}@customer.test`,
        emailNormalized: `f${i}@customer.test`,
      })),
    )
    .returning({ id: schema.contacts.id });
  for (const threadId of threads) {
    await db.db
      .insert(schema.followers)
      .values(contacts.map((c) => ({ tenantId: databaseId, threadId, contactId: c.id })));
  }

  const procs = [];
  for (let i = 0; i < dispatchers; i++) {
    const port = await freePort();
    const proc = startService(
      'dispatcher',
      {
        DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl,
        QUEUE_PREFIX: redis.prefix,
        SOTAMAIL_SECRET_KEY: secretKey.toString('base64'),
        HEALTH_PORT: String(port),
        LOG_LEVEL: 'warn',
        ...(process.env.BENCH_CONCURRENCY
          ? { TRANSACTIONAL_CONCURRENCY: process.env.BENCH_CONCURRENCY }
          : {}),
      },
      // BENCH_PROFILE=<dir> writes a CPU profile of each dispatcher there (open it in Chrome's DevTools).
      process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    );
    procs.push(proc);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 30_000);
  }

  const started = performance.now();
  for (const threadId of threads) {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/databases/${databaseId}/threads/${threadId}/messages`,
      headers: auth,
      payload: { authorContactId: author.json().id, subject: 'Your quote', bodyHtml: body },
    });
    if (res.statusCode !== 202) {
      throw new Error(res.body);
    }
  }
  process.stdout.write(
    `  posted ${messages} messages in ${((performance.now() - started) / 1000).toFixed(1)} s; ${sink.count()} mails already received\n`,
  );
  await sink.waitFor(total, 15 * 60_000);
  // Done is when every mail is recorded as sent, not only received by the sink.
  const deadline = Date.now() + 60_000;
  let count = 0;
  for (;;) {
    count = await db.db.$count(schema.outgoingMails, eq(schema.outgoingMails.state, 'sent'));
    if (count >= total || Date.now() > deadline) {
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await stopServices(procs);
  await app.close();
  await producer.close();
  await redis.close();
  await db.drop();
  await sink.close();
  if (count !== total) {
    throw new Error(`only ${count} of ${total} mails recorded as sent`);
  }
  return total / seconds;
}

const fmt = (n: number) => n.toFixed(1);
process.stdout.write(
  `outbound benchmark: ${total} notifications (${messages} messages × ${followers} followers), ${dispatchers} dispatcher processes, ${connections} SMTP connections each (baseline: one pool of ${connections * dispatchers})\n`,
);
// The same template database the tests use, built from the checked-in migrations; dropped at the end.
const dropTemplate = await setupTemplate();
// The baseline runs before and after ours and counts as their mean: this machine's speed drifts
// over a minute, and the ratio should not depend on which side of a drift each run fell.
const before = await baseline(0);
const x = await sotamail().finally(dropTemplate);
const after = await baseline(0);
const y = (before + after) / 2;
process.stdout.write(`  baseline before ${fmt(before)} msg/s, after ${fmt(after)} msg/s\n`);
process.stdout.write(
  `outbound: sotamail ${fmt(x)} msg/s, baseline ${fmt(y)} msg/s, ratio ${(x / y).toFixed(2)}\n`,
);
process.exit(0);
