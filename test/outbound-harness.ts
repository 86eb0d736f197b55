import { randomBytes } from 'node:crypto';
import { schema } from '@sotamail/db';
import {
  freePort,
  type ServiceProcess,
  type SmtpSink,
  startService,
  startSmtpSink,
  stopServices,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { eq } from 'drizzle-orm';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';

export type DispatchHarness = {
  h: Harness;
  sink: SmtpSink;
  dispatchers: ServiceProcess[];
  startDispatcher: (env?: Record<string, string>) => Promise<ServiceProcess>;
  stopDispatchers: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * config-api in-process (inject), a real SMTP sink, and dispatchers as real processes sharing the
 * test's database and queue prefix: the whole outbound path with nothing faked.
 */
export async function startDispatchHarness(): Promise<DispatchHarness> {
  const h = await startHarness();
  const sink = await startSmtpSink();
  const dispatchers: ServiceProcess[] = [];
  const harness: DispatchHarness = {
    h,
    sink,
    dispatchers,
    async startDispatcher(env = {}) {
      const port = await freePort();
      const proc = startService('dispatcher', {
        DATABASE_URL: h.db.url,
        REDIS_URL: testEnv.redisUrl,
        QUEUE_PREFIX: h.redis.prefix,
        SOTAMAIL_SECRET_KEY: h.deps.secretKey.toString('base64'),
        PLATFORM_SMTP_HOST: '127.0.0.1',
        PLATFORM_SMTP_PORT: String(sink.port),
        HEALTH_PORT: String(port),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        RELEASE_INTERVAL_MS: '500',
        // Long enough that a test machine under load never loses a lock by starvation; the kill test
        // sets a short one to see a dead instance's jobs handed over quickly.
        JOB_LOCK_MS: '15000',
        THROTTLE_PAUSE_MS: '1000',
        SHUTDOWN_TIMEOUT_MS: '10000',
        ...env,
      });
      dispatchers.push(proc);
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 20_000);
      return proc;
    },
    async stopDispatchers() {
      const running = dispatchers.splice(0);
      await stopServices(running);
    },
    async close() {
      await harness.stopDispatchers();
      await sink.close();
      await h.close();
    },
  };
  return harness;
}

export type Scenario = { databaseId: string; threadId: string; authorId: string; followerEmails: string[] };

/** A database, a thread, its author and `followers` other followers, written straight to the database for speed. */
export async function seedThread(
  h: Harness,
  options: {
    followers: number;
    hostingType?: 'online' | 'on_premise';
    aliasDomain?: string;
    dailyLimit?: number | null;
  },
): Promise<Scenario> {
  const aliasDomain = options.aliasDomain ?? `t${randomBytes(4).toString('hex')}.test`;
  const created = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: {
      name: aliasDomain,
      hostingType: options.hostingType ?? 'online',
      aliasDomain,
      dailyLimit: options.dailyLimit,
    },
  });
  if (created.statusCode !== 201) {
    throw new Error(created.body);
  }
  const databaseId = created.json().id as string;
  const { db } = h.db;
  const [thread] = await db
    .insert(schema.threads)
    .values({ tenantId: databaseId, model: 'sale.order', recordId: '42', subject: 'SO42' })
    .returning();
  // Addresses unique per scenario: the SMTP sink counts attempts per recipient across a test file.
  const tag = randomBytes(3).toString('hex');
  const people = [
    { name: 'Admin', email: 'admin@example.com' },
    ...Array.from({ length: options.followers }, (_, i) => ({
      name: `Follower ${i}`,
      email: `f${i}.${tag}@customer.test`,
    })),
  ];
  const rows = await db
    .insert(schema.contacts)
    .values(
      people.map((p) => ({
        tenantId: databaseId,
        name: p.name,
        email: p.email,
        emailNormalized: p.email.toLowerCase(),
      })),
    )
    .returning();
  if (!thread || !rows[0]) {
    throw new Error('seed failed');
  }
  await db
    .insert(schema.followers)
    .values(rows.map((r) => ({ tenantId: databaseId, threadId: thread.id, contactId: r.id })));
  return {
    databaseId,
    threadId: thread.id,
    authorId: rows[0].id,
    followerEmails: people.slice(1).map((p) => p.email),
  };
}

export async function post(h: Harness, s: Scenario, body: Record<string, unknown> = {}) {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${s.databaseId}/threads/${s.threadId}/messages`,
    payload: { authorContactId: s.authorId, subject: 'Your quote', bodyHtml: '<p>Hello</p>', ...body },
  });
  if (res.statusCode !== 202) {
    throw new Error(res.body);
  }
  return res.json() as {
    id: string;
    messageId: string;
    notifications: { id: string; email: string; status: string }[];
  };
}

export async function mailStates(h: Harness, databaseId: string): Promise<Record<string, number>> {
  const rows = await h.db.db
    .select({ state: schema.outgoingMails.state })
    .from(schema.outgoingMails)
    .where(eq(schema.outgoingMails.tenantId, databaseId));
  const counts: Record<string, number> = {};
  for (const { state } of rows) {
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

// Kept here too: the root tests import it with the harness.
export { waitUntil } from '@sotamail/test-support';
