import { randomBytes } from 'node:crypto';
import { schema } from '@sotamail/db';
import {
  type ServiceProcess,
  startReadyService,
  startTestDovecot,
  stopServices,
  type TestDovecot,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { eq, sql } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';
import { waitUntil } from './outbound-harness.js';

// IMAP fetching against a real Dovecot (R7.2, R7.3): fetchers and a router run as processes on the
// test's database and queue prefix; the test puts mail in the mailbox with APPEND, as an MTA would.

const leaseTtlMs = 3_000;
const user = 'catchall';
const password = 'imap-secret';
const wrongUser = 'wrongpass';

let h: Harness;
let dovecot: TestDovecot | undefined;
let imapPort: number;
let imap: ImapFlow;
let serverId: string;
let databaseId: string;
const services: ServiceProcess[] = [];

type Fetcher = { proc: ServiceProcess; healthPort: number };

async function startFetcher(): Promise<Fetcher> {
  const proc = await startReadyService('fetcher', {
    DATABASE_URL: h.db.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.redis.prefix,
    SOTAMAIL_SECRET_KEY: h.deps.secretKey.toString('base64'),
    SMTP_INGRESS_PORT: '0',
    FETCH_SCAN_INTERVAL_MS: '300',
    FETCH_LEASE_TTL_MS: String(leaseTtlMs),
    FETCH_RECONNECT_MAX_MS: '2000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  });
  services.push(proc);
  return { proc, healthPort: proc.healthPort };
}

async function stopGracefully(f: Fetcher) {
  f.proc.child.kill('SIGTERM');
  return f.proc.exited;
}

async function createImapServer(values: {
  username: string;
  password: string;
  fetchIntervalSeconds: number;
}) {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers`,
    payload: {
      name: `IMAP ${values.username}`,
      protocol: 'imap',
      host: '127.0.0.1',
      port: imapPort,
      security: 'none',
      username: values.username,
      password: values.password,
      fetchIntervalSeconds: values.fetchIntervalSeconds,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  // Test & Confirm is not built yet: confirm it directly.
  await h.db.db
    .update(schema.incomingServers)
    .set({ state: 'confirmed' })
    .where(eq(schema.incomingServers.id, id));
  return id;
}

function mail(tag: string, extraHeaders = '') {
  const messageId = `<${tag}.${randomBytes(4).toString('hex')}@customer.test>`;
  const raw = Buffer.from(
    [
      'From: "Customer" <customer@customer.test>',
      `To: ${user}@imap.test`,
      `Subject: ${tag}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 01 Dec 2025 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...(extraHeaders ? [extraHeaders] : []),
      '',
      `Body of ${tag}.`,
      '',
    ].join('\r\n'),
  );
  return { messageId, raw };
}

async function append(tag: string, extraHeaders = '') {
  const m = mail(tag, extraHeaders);
  const res = await imap.append('INBOX', m.raw);
  if (!res || res.uid === undefined) {
    throw new Error('APPEND returned no UID');
  }
  return { ...m, uid: res.uid };
}

/** The stored raw messages of the test server: Message-ID, state, routing. */
async function stored() {
  const rows = await h.db.db
    .select({
      id: schema.rawInboundMessages.id,
      raw: schema.rawInboundMessages.raw,
      state: schema.rawInboundMessages.state,
      envelopeTo: schema.rawInboundMessages.envelopeTo,
      sourceKey: schema.rawInboundMessages.sourceKey,
    })
    .from(schema.rawInboundMessages)
    .where(eq(schema.rawInboundMessages.incomingServerId, serverId));
  return rows.map((r) => ({
    id: r.id,
    messageId: /^Message-ID: (.*)$/m.exec(r.raw.toString('utf8'))?.[1]?.trim() ?? null,
    state: r.state,
    envelopeTo: r.envelopeTo,
    sourceKey: r.sourceKey,
  }));
}

const countOf = (rows: { messageId: string | null }[], messageId: string) =>
  rows.filter((r) => r.messageId === messageId).length;

async function flagsOf(uid: number): Promise<string[]> {
  const lock = await imap.getMailboxLock('INBOX');
  try {
    const message = await imap.fetchOne(String(uid), { flags: true }, { uid: true });
    return message ? [...(message.flags ?? [])] : [];
  } finally {
    lock.release();
  }
}

async function serverRow(id: string) {
  const [row] = await h.db.db.select().from(schema.incomingServers).where(eq(schema.incomingServers.id, id));
  if (!row) {
    throw new Error(`incoming server ${id} not found`);
  }
  return row;
}

const leaseKey = () => `${h.redis.prefix}:fetch-lease:${serverId}`;

function imapLogins(login: string): number {
  const log = dovecot?.log() ?? '';
  return log.split('\n').filter((l) => l.includes('imap-login') && l.includes(`Login: user=<${login}>`))
    .length;
}

beforeAll(async () => {
  dovecot = await startTestDovecot({ [user]: password, [wrongUser]: 'the-right-one' });
  imapPort = dovecot.imapPort;
  imap = new ImapFlow({
    host: '127.0.0.1',
    port: imapPort,
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
    payload: { name: 'imap.test', hostingType: 'on_premise', aliasDomain: 'imap.test' },
  });
  expect(created.statusCode, created.body).toBe(201);
  databaseId = created.json().id as string;
  // A long poll: only IDLE can bring the mail within seconds.
  serverId = await createImapServer({ username: user, password, fetchIntervalSeconds: 600 });

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

describe('IMAP fetching (R7.2, R7.3)', () => {
  let first: Fetcher;
  let second: Fetcher;

  it('stores a new message within 5 s through IDLE, routes it, and only then flags it \\Seen', async () => {
    first = await startFetcher();
    // The session is open and caught up once it recorded a fetch.
    await waitUntil(
      'the first sync',
      () => serverRow(serverId),
      (r) => r.lastFetchAt !== null,
      15_000,
    );

    const m = await append('idle');
    const started = Date.now();
    await waitUntil('the message stored', stored, (rows) => countOf(rows, m.messageId) === 1, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);

    const rows = await waitUntil(
      'the message routed',
      stored,
      (r) => r.some((x) => x.messageId === m.messageId && x.state !== 'received'),
      15_000,
    );
    const row = rows.find((x) => x.messageId === m.messageId);
    expect(row?.envelopeTo).toEqual([`${user}`]);
    expect(row?.sourceKey).toMatch(new RegExp(`^imap:${serverId}:[0-9a-f]{64}$`));
    await waitUntil(
      '\\Seen on the server',
      () => flagsOf(m.uid),
      (f) => f.includes('\\Seen'),
      5_000,
    );
    expect((await serverRow(serverId)).lastError).toBeNull();
  });

  it('leaves a message that cannot be stored unseen on the server, and fetches it once storing works', async () => {
    // Storing fails for this one message: nothing may acknowledge it on the server.
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
    await waitUntil(
      'the failure recorded',
      () => serverRow(serverId),
      (r) => (r.lastError ?? '').includes('refused by the test'),
      10_000,
    );
    expect(countOf(await stored(), m.messageId)).toBe(0);
    expect(await flagsOf(m.uid)).not.toContain('\\Seen');

    await h.db.db.execute(sql`drop trigger refuse_marked_mail on raw_inbound_messages`);
    await waitUntil('stored after the fix', stored, (rows) => countOf(rows, m.messageId) === 1, 10_000);
    await waitUntil(
      '\\Seen after storing',
      () => flagsOf(m.uid),
      (f) => f.includes('\\Seen'),
      5_000,
    );
    await waitUntil(
      'the error cleared',
      () => serverRow(serverId),
      (r) => r.lastError === null,
      5_000,
    );
  });

  it('fetches everything that arrived while the fetcher was down, each message once', async () => {
    const exit = await stopGracefully(first);
    expect(exit.code).toBe(0);
    // A graceful stop releases the lease at once.
    expect(await h.redis.redis.get(leaseKey())).toBeNull();

    const before = (await stored()).length;
    const batch = [await append('down-1'), await append('down-2'), await append('down-3')];
    first = await startFetcher();
    await waitUntil(
      'the three stored',
      stored,
      (rows) => batch.every((m) => countOf(rows, m.messageId) === 1),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = await stored();
    expect(rows).toHaveLength(before + 3);
    for (const m of batch) {
      expect(countOf(rows, m.messageId)).toBe(1);
    }
  });

  it('keeps one session per mailbox with two fetchers running, and stores each message once', async () => {
    const loginsBefore = imapLogins(user);
    second = await startFetcher();
    // Several scans of the second fetcher: it never gets the lease, so it never logs in.
    await new Promise((r) => setTimeout(r, 1_500));
    const before = (await stored()).length;
    const batch = [await append('pair-1'), await append('pair-2'), await append('pair-3')];
    await waitUntil(
      'the three stored',
      stored,
      (rows) => batch.every((m) => countOf(rows, m.messageId) === 1),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = await stored();
    expect(rows).toHaveLength(before + 3);
    expect(imapLogins(user)).toBe(loginsBefore);
    expect(await h.redis.redis.get(leaseKey())).toContain(`:${first.proc.child.pid}:`);
  });

  it('hands the mailbox over within the lease ttl when its holder is killed', async () => {
    const holder = (await h.redis.redis.get(leaseKey())) ?? '';
    const [dead, survivor] = holder.includes(`:${first.proc.child.pid}:`) ? [first, second] : [second, first];
    dead.proc.child.kill('SIGKILL');
    await dead.proc.exited;
    const killedAt = Date.now();

    const m = await append('after-kill');
    await waitUntil(
      'stored by the survivor',
      stored,
      (rows) => countOf(rows, m.messageId) === 1,
      leaseTtlMs + 5_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(leaseTtlMs + 5_000);
    expect(await h.redis.redis.get(leaseKey())).toContain(`:${survivor.proc.child.pid}:`);
    await waitUntil(
      '\\Seen',
      () => flagsOf(m.uid),
      (f) => f.includes('\\Seen'),
      5_000,
    );
    expect(countOf(await stored(), m.messageId)).toBe(1);
  });

  it('records a readable error for a wrong password and keeps running', async () => {
    const survivor = [first, second].find(
      (f) => f.proc.child.exitCode === null && f.proc.child.signalCode === null,
    );
    if (!survivor) {
      throw new Error('no fetcher left running');
    }
    const badId = await createImapServer({
      username: wrongUser,
      password: 'not-the-password',
      fetchIntervalSeconds: 600,
    });
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
    await waitForHttp(`http://127.0.0.1:${survivor.healthPort}/health/ready`, 2_000);
    expect(survivor.proc.child.exitCode).toBeNull();

    // The good mailbox is still served by the same process.
    const m = await append('still-fetching');
    await waitUntil('stored', stored, (rows) => countOf(rows, m.messageId) === 1, 5_000);
  });
});
