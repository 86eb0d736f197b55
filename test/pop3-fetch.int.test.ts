import { randomBytes } from 'node:crypto';
import { listFetchableServers, schema } from '@sotamail/db';
import { createLogger } from '@sotamail/logging';
import { createRouteBatcher } from '@sotamail/queues';
import {
  type ServiceProcess,
  startReadyService,
  startTestDovecot,
  stopServices,
  type TestDovecot,
  testEnv,
} from '@sotamail/test-support';
import { eq, sql } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';
import { mailboxStorage, pop3Ports } from '../apps/fetcher/src/mailbox-fetching.js';
import { runPop3Cycle } from '../apps/fetcher/src/pop3-fetching.js';
import { waitUntil } from './outbound-harness.js';

// POP3 fetching against a real Dovecot (R7.2, R7.3): the fetcher and a router run as processes on the
// test's database and queue prefix; mail is put in the mailbox with IMAP APPEND, as an MTA would, and
// read back over POP3. A fetch cycle run in this process drops its connection between a store and
// its DELE, as a crash or a network cut would.

const user = 'catchall';
const password = 'pop-secret';
const wrongUser = 'wrongpass';
const pollSeconds = 10;

let h: Harness;
let dovecot: TestDovecot;
let imap: ImapFlow;
let databaseId: string;
let serverId: string;
const services: ServiceProcess[] = [];
const logger = createLogger({ service: 'pop3-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

async function startFetcher(): Promise<{ proc: ServiceProcess; healthPort: number }> {
  const proc = await startReadyService('fetcher', {
    DATABASE_URL: h.db.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.redis.prefix,
    SOTAMAIL_SECRET_KEY: h.deps.secretKey.toString('base64'),
    SMTP_INGRESS_PORT: '0',
    FETCH_SCAN_INTERVAL_MS: '300',
    FETCH_LEASE_TTL_MS: '3000',
    FETCH_RECONNECT_MAX_MS: '2000',
    // Three messages take two connections: batches are committed by QUIT one at a time.
    POP3_BATCH_SIZE: '2',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  });
  services.push(proc);
  return { proc, healthPort: proc.healthPort };
}

async function createPop3Server(values: { username: string; password: string }): Promise<string> {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers`,
    payload: {
      name: `POP3 ${values.username}`,
      protocol: 'pop3',
      host: '127.0.0.1',
      port: dovecot.pop3Port,
      security: 'none',
      username: values.username,
      password: values.password,
      fetchIntervalSeconds: pollSeconds,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function append(tag: string, extraHeaders = '') {
  const messageId = `<${tag}.${randomBytes(4).toString('hex')}@customer.test>`;
  const raw = Buffer.from(
    [
      'From: "Customer" <customer@customer.test>',
      `To: ${user}@pop3.test`,
      `Subject: ${tag}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 01 Dec 2025 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...(extraHeaders ? [extraHeaders] : []),
      '',
      // A line starting with a dot: POP3 sends it dot-stuffed, and it must be stored as written.
      `.Body of ${tag}.`,
      '',
    ].join('\r\n'),
  );
  await imap.append('INBOX', raw);
  return { messageId, raw };
}

/** Messages still in the mailbox on the server. */
async function onServer(): Promise<number> {
  const status = await imap.status('INBOX', { messages: true });
  return status ? (status.messages ?? -1) : -1;
}

async function stored() {
  const rows = await h.db.db
    .select()
    .from(schema.rawInboundMessages)
    .where(eq(schema.rawInboundMessages.incomingServerId, serverId));
  return rows.map((r) => ({
    messageId: /^Message-ID: (.*)$/m.exec(r.raw.toString('utf8'))?.[1]?.trim() ?? null,
    raw: r.raw,
    source: r.source,
    sourceKey: r.sourceKey,
    state: r.state,
    envelopeTo: r.envelopeTo,
  }));
}

const countOf = (rows: { messageId: string | null }[], messageId: string) =>
  rows.filter((r) => r.messageId === messageId).length;

async function serverRow(id: string) {
  const [row] = await h.db.db.select().from(schema.incomingServers).where(eq(schema.incomingServers.id, id));
  if (!row) {
    throw new Error(`incoming server ${id} not found`);
  }
  return row;
}

const pop3Logins = (login: string) =>
  dovecot
    .log()
    .split('\n')
    .filter((l) => l.includes('pop3-login') && l.includes(`Login: user=<${login}>`)).length;

beforeAll(async () => {
  dovecot = await startTestDovecot({ [user]: password, [wrongUser]: 'the-right-one' });
  imap = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: password },
    logger: false,
  });
  imap.on('error', () => {});
  await imap.connect();

  h = await startHarness();
  const created = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: { name: 'pop3.test', hostingType: 'on_premise', aliasDomain: 'pop3.test' },
  });
  expect(created.statusCode, created.body).toBe(201);
  databaseId = created.json().id as string;
  serverId = await createPop3Server({ username: user, password });
  // Test & Confirm, as an admin would: only confirmed servers are fetched.
  const confirmed = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers/${serverId}/test`,
  });
  expect(confirmed.json(), confirmed.body).toMatchObject({ ok: true, state: 'confirmed' });

  services.push(
    await startReadyService('router', {
      DATABASE_URL: h.db.url,
      REDIS_URL: testEnv.redisUrl,
      QUEUE_PREFIX: h.redis.prefix,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    }),
  );
});

afterAll(async () => {
  await stopServices(services);
  await imap?.logout().catch(() => imap.close());
  await h?.close();
  dovecot?.stop();
});

describe('POP3 fetching (R7.2, R7.3)', () => {
  let batch: { messageId: string; raw: Buffer }[] = [];

  it('keeps every message on the server when the connection drops between a store and its DELE', async () => {
    batch = [await append('pop-1'), await append('pop-2'), await append('pop-3')];
    expect(await onServer()).toBe(3);
    const [target] = await listFetchableServers(h.db.db, ['pop3']);
    if (!target) {
      throw new Error('the confirmed POP3 server is not fetchable');
    }
    const storage = mailboxStorage({
      db: h.db.db,
      routeBatcher: createRouteBatcher(h.deps.producer, {
        windowMs: 0,
        onError: (err) => logger.error({ err }, 'route.enqueue_failed'),
      }),
      secretKey: h.deps.secretKey,
      logger,
    })(target);
    let storedSoFar = 0;
    const cycle = runPop3Cycle({
      target: {
        incomingServerId: serverId,
        host: '127.0.0.1',
        port: dovecot.pop3Port,
        security: 'none',
        username: user,
      },
      ports: pop3Ports(storage, serverId),
      batchSize: 10,
      logger,
      faults: {
        // The first message is stored and DELEd, the second stored: then the connection is gone.
        async afterStore(_uidl, connection) {
          storedSoFar += 1;
          if (storedSoFar === 2) {
            connection.destroy();
          }
        },
      },
    });
    await expect(cycle).rejects.toMatchObject({ code: 'EConnectionClosed' });

    const rows = await stored();
    expect(rows.map((r) => r.messageId).sort()).toEqual([batch[0]?.messageId, batch[1]?.messageId].sort());
    // No QUIT, no deletion: even the DELEd first message is still there.
    expect(await onServer()).toBe(3);
  });

  it('fetches them on the next cycle in batches: each stored once, routed, and DELEted', async () => {
    const loginsBefore = pop3Logins(user);
    await startFetcher();
    await waitUntil('the mailbox emptied', onServer, (n) => n === 0, 15_000);
    const rows = await waitUntil(
      'all three routed',
      stored,
      (r) => r.length === 3 && r.every((x) => x.state !== 'received'),
      15_000,
    );
    for (const m of batch) {
      expect(countOf(rows, m.messageId)).toBe(1);
      const row = rows.find((r) => r.messageId === m.messageId);
      // Dot-unstuffed: the bytes stored are the bytes the MTA delivered.
      expect(row?.raw.equals(m.raw)).toBe(true);
      expect(row?.source).toBe('pop3');
      expect(row?.envelopeTo).toEqual([user]);
      expect(row?.sourceKey).toMatch(new RegExp(`^pop3:${serverId}:[\\x21-\\x7e]{1,70}:[0-9a-f]{64}$`));
    }
    // Two batches of at most two messages, each ended by its own QUIT.
    expect(pop3Logins(user) - loginsBefore).toBe(2);
    const server = await serverRow(serverId);
    expect(server.lastError).toBeNull();
    expect(server.lastFetchAt).not.toBeNull();
  });

  it('polls at the server’s interval and fetches new mail without duplicates', async () => {
    const m = await append('later');
    await waitUntil(
      'the new message stored',
      stored,
      (rows) => countOf(rows, m.messageId) === 1,
      (pollSeconds + 5) * 1000,
    );
    await waitUntil('deleted on the server', onServer, (n) => n === 0, 5_000);
    const rows = await stored();
    expect(rows).toHaveLength(4);
  });

  it('records a readable error for a wrong password and keeps fetching the other mailbox', async () => {
    const badId = await createPop3Server({ username: wrongUser, password: 'not-the-password' });
    // Test & Confirm would refuse it: confirm it directly, as if the password changed after the test.
    await h.db.db
      .update(schema.incomingServers)
      .set({ state: 'confirmed' })
      .where(eq(schema.incomingServers.id, badId));
    const row = await waitUntil(
      'the error recorded',
      () => serverRow(badId),
      (r) => r.lastError !== null,
      10_000,
    );
    expect(row.lastError).toMatch(
      /^Authentication failed on 127\.0\.0\.1:\d+: the server refused the username or password\.$/,
    );
    expect(row.lastFetchAt).toBeNull();

    const m = await append('still-fetching');
    await waitUntil('stored', stored, (rows) => countOf(rows, m.messageId) === 1, (pollSeconds + 5) * 1000);
  });

  it('leaves a message that cannot be stored on the server, and fetches it once storing works', async () => {
    await h.db.db.execute(sql`
      create function refuse_marked_mail() returns trigger language plpgsql as $$
      begin
        if position('X-Refuse-Store: yes'::bytea in new.raw) > 0 then
          raise exception 'refused by the test';
        end if;
        return new;
      end $$`);
    await h.db.db.execute(sql`
      create trigger refuse_marked_mail before insert on raw_inbound_messages
      for each row execute function refuse_marked_mail()`);
    const m = await append('refused', 'X-Refuse-Store: yes');
    const row = await waitUntil(
      'the failure recorded',
      () => serverRow(serverId),
      (r) => (r.lastError ?? '').includes('refused by the test'),
      (pollSeconds + 5) * 1000,
    );
    expect(row.lastError).toMatch(
      /^The message with UIDL \S+ could not be stored: refused by the test; it stays on the server and is fetched again\.$/,
    );
    expect(countOf(await stored(), m.messageId)).toBe(0);
    expect(await onServer()).toBe(1);

    await h.db.db.execute(sql`drop trigger refuse_marked_mail on raw_inbound_messages`);
    await waitUntil('stored after the fix', stored, (rows) => countOf(rows, m.messageId) === 1, 10_000);
    await waitUntil('deleted on the server', onServer, (n) => n === 0, 5_000);
    await waitUntil(
      'the error cleared',
      () => serverRow(serverId),
      (r) => r.lastError === null,
      5_000,
    );
  });
});
