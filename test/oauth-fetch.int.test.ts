import { randomBytes } from 'node:crypto';
import { schema } from '@sotamail/db';
import { createOAuthTokenSource } from '@sotamail/oauth';
import {
  freePort,
  type ServiceProcess,
  startReadyService,
  startService,
  stopServices,
  type TestDovecot,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { eq } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';
import { type FakeOAuthProvider, startFakeOAuthProvider, startOAuthDovecot } from './oauth-provider.js';
import { waitUntil } from './outbound-harness.js';

// Fetching with OAuth2 (XOAUTH2) from a real Dovecot that checks access tokens against a local
// provider: the fetcher and a router run as processes, the fetcher's token endpoint points at the
// provider (OAUTH_GOOGLE_TOKEN_URL), and the servers are confirmed by a real Test & Confirm.

const imapUser = 'imapbox@oauth.test';
const popUser = 'popbox@oauth.test';
const appendPassword = 'only-for-append';

let h: Harness;
let provider: FakeOAuthProvider;
let dovecot: TestDovecot;
let databaseId: string;
const services: ServiceProcess[] = [];
const clients: ImapFlow[] = [];

async function mailbox(user: string): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: appendPassword },
    logger: false,
  });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

async function append(c: ImapFlow, user: string, tag: string) {
  const messageId = `<${tag}.${randomBytes(4).toString('hex')}@customer.test>`;
  const raw = Buffer.from(
    [
      'From: "Customer" <customer@customer.test>',
      `To: ${user}`,
      `Subject: ${tag}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 01 Dec 2025 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${tag}.`,
      '',
    ].join('\r\n'),
  );
  const res = await c.append('INBOX', raw);
  return { messageId, uid: res ? res.uid : undefined };
}

/** Creates an OAuth2 server through the API and confirms it with a real Test & Confirm. */
async function createConfirmedServer(protocol: 'imap' | 'pop3', user: string, refreshToken: string) {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers`,
    payload: {
      name: `${protocol} ${user}`,
      protocol,
      host: '127.0.0.1',
      port: protocol === 'imap' ? dovecot.imapPort : dovecot.pop3Port,
      security: 'none',
      authType: 'xoauth2',
      username: user,
      oauthProvider: 'google',
      oauthClientId: provider.clientId,
      oauthClientSecret: provider.clientSecret,
      oauthRefreshToken: refreshToken,
      fetchIntervalSeconds: 600,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const tested = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers/${id}/test`,
  });
  expect(tested.json(), tested.body).toMatchObject({ ok: true, state: 'confirmed' });
  return id;
}

async function stored(serverId: string) {
  const rows = await h.db.db
    .select()
    .from(schema.rawInboundMessages)
    .where(eq(schema.rawInboundMessages.incomingServerId, serverId));
  return rows.map((r) => ({
    messageId: /^Message-ID: (.*)$/m.exec(r.raw.toString('utf8'))?.[1]?.trim() ?? null,
    state: r.state,
  }));
}

async function serverRow(id: string) {
  const [row] = await h.db.db.select().from(schema.incomingServers).where(eq(schema.incomingServers.id, id));
  if (!row) {
    throw new Error(`incoming server ${id} not found`);
  }
  return row;
}

async function flagsOf(c: ImapFlow, uid: number): Promise<string[]> {
  const lock = await c.getMailboxLock('INBOX');
  try {
    const message = await c.fetchOne(String(uid), { flags: true }, { uid: true });
    return message ? [...(message.flags ?? [])] : [];
  } finally {
    lock.release();
  }
}

/** Access tokens of this user that Dovecot's oauth2 passdb refused, from its log. */
const refusedTokens = (user: string) =>
  dovecot
    .log()
    .split('\n')
    .filter((l) => l.includes(`oauth2(${user},`) && l.includes('oauth2 failed')).length;

/** Changes a setting the fetcher watches without a new Test & Confirm: its session restarts. */
async function restartSession(id: string, fetchIntervalSeconds: number) {
  const res = await h.call({
    method: 'PATCH',
    url: `/v1/databases/${databaseId}/incoming-servers/${id}`,
    payload: { fetchIntervalSeconds },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().state).toBe('confirmed');
}

beforeAll(async () => {
  provider = await startFakeOAuthProvider();
  dovecot = await startOAuthDovecot(
    { [imapUser]: appendPassword, [popUser]: appendPassword },
    provider.introspectionUrl,
  );
  h = await startHarness();
  h.deps.oauthAccessToken = createOAuthTokenSource({
    endpoints: { google: provider.tokenUrl, microsoft: provider.tokenUrl },
  });
  const created = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: { name: 'oauth.test', hostingType: 'on_premise', aliasDomain: 'oauth.test' },
  });
  expect(created.statusCode, created.body).toBe(201);
  databaseId = created.json().id as string;

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
  for (const c of clients) {
    await c.logout().catch(() => c.close());
  }
  await h?.close();
  dovecot?.stop();
  await provider?.close();
});

describe('fetching with OAuth2 (XOAUTH2)', () => {
  let imap: ImapFlow;
  let imapServerId: string;
  let refreshToken: string;

  it('fetches and routes the mail of an IMAP server logged in with an access token', async () => {
    imap = await mailbox(imapUser);
    refreshToken = provider.grant(imapUser);
    imapServerId = await createConfirmedServer('imap', imapUser, refreshToken);

    const healthPort = await freePort();
    const fetcher = startService('fetcher', {
      DATABASE_URL: h.db.url,
      REDIS_URL: testEnv.redisUrl,
      QUEUE_PREFIX: h.redis.prefix,
      SOTAMAIL_SECRET_KEY: h.deps.secretKey.toString('base64'),
      HEALTH_PORT: String(healthPort),
      SMTP_INGRESS_PORT: '0',
      FETCH_SCAN_INTERVAL_MS: '300',
      FETCH_LEASE_TTL_MS: '3000',
      FETCH_RECONNECT_MAX_MS: '1000',
      OAUTH_GOOGLE_TOKEN_URL: provider.tokenUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    });
    services.push(fetcher);
    await waitForHttp(`http://127.0.0.1:${healthPort}/health/ready`, 20_000);
    await waitUntil(
      'the first sync',
      () => serverRow(imapServerId),
      (r) => r.lastFetchAt !== null,
      15_000,
    );

    const m = await append(imap, imapUser, 'oauth-imap');
    const rows = await waitUntil(
      'the message stored and routed',
      () => stored(imapServerId),
      (r) => r.some((x) => x.messageId === m.messageId && x.state !== 'received'),
      15_000,
    );
    expect(rows.filter((r) => r.messageId === m.messageId)).toHaveLength(1);
    await waitUntil(
      '\\Seen on the server',
      () => flagsOf(imap, m.uid ?? 0),
      (f) => f.includes('\\Seen'),
      5_000,
    );
    expect((await serverRow(imapServerId)).lastError).toBeNull();
  });

  it('gets a new access token once when the server refuses the cached one, and goes on fetching', async () => {
    const exchangesBefore = provider.exchanges();
    const refusedBefore = refusedTokens(imapUser);
    // The cached token is revoked before its expiry; the next login with it is refused.
    provider.expireAccessTokens();
    await restartSession(imapServerId, 601);
    const m = await append(imap, imapUser, 'after-refresh');
    await waitUntil(
      'the message stored after the refresh',
      () => stored(imapServerId),
      (r) => r.some((x) => x.messageId === m.messageId),
      15_000,
    );
    expect(provider.exchanges()).toBe(exchangesBefore + 1);
    expect(refusedTokens(imapUser)).toBe(refusedBefore + 1);
    expect((await serverRow(imapServerId)).lastError).toBeNull();
  });

  it('records a revoked refresh token on the server in words an admin can act on, and fetches nothing', async () => {
    provider.revoke(refreshToken);
    provider.expireAccessTokens();
    await restartSession(imapServerId, 602);
    const m = await append(imap, imapUser, 'while-revoked');
    const row = await waitUntil(
      'the error recorded',
      () => serverRow(imapServerId),
      (r) => r.lastError !== null,
      15_000,
    );
    expect(row.lastError).toBe(
      'The Google refresh token was revoked or has expired: reconnect the account to get a new one (Google said: "Token has been expired or revoked.").',
    );
    expect((await stored(imapServerId)).some((r) => r.messageId === m.messageId)).toBe(false);
    expect(await flagsOf(imap, m.uid ?? 0)).not.toContain('\\Seen');
  });

  it('fetches a POP3 mailbox with AUTH XOAUTH2 (a Microsoft-sized token) and deletes what it stored', async () => {
    const pop = await mailbox(popUser);
    const messages = [await append(pop, popUser, 'pop-1'), await append(pop, popUser, 'pop-2')];
    // Over RFC 5034's 255 octets: the response goes on its own line after the server's empty challenge.
    const id = await createConfirmedServer('pop3', popUser, provider.grant(popUser, { tokenLength: 1500 }));
    const rows = await waitUntil(
      'both messages stored and routed',
      () => stored(id),
      (r) => messages.every((m) => r.some((x) => x.messageId === m.messageId && x.state !== 'received')),
      15_000,
    );
    expect(rows).toHaveLength(2);
    await waitUntil(
      'the mailbox emptied by DELE and QUIT',
      async () => {
        const status = await pop.status('INBOX', { messages: true });
        return status ? (status.messages ?? -1) : -1;
      },
      (n) => n === 0,
      5_000,
    );
    expect((await serverRow(id)).lastError).toBeNull();
  });
});
