import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { schema } from '@sotamail/db';
import {
  freePort,
  repoRoot,
  type ServiceProcess,
  startService,
  stopServices,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';
import { must, notificationOf } from './bounce-fixtures.js';
import { waitUntil } from './outbound-harness.js';

// The whole bounce path with a real MTA (issue 5, "Tests"): the dispatcher sends through a Postfix
// from Debian's packages, which accepts mail for an unknown local user and then bounces it. Postfix's
// own DSN goes to our VERP envelope sender, relayed to SotaMail's SMTP ingress (the fetcher), the
// router hands it to the bounce queue, and the bounce-processor puts the red envelope on the message.

const run = promisify(execFile);
const POSTFIX_DOMAIN = 'mx-e2e.test';

let h: Harness;
let postfixDir: string;
let postfixPort: number;
const services: ServiceProcess[] = [];

async function startProcess(name: string, env: Record<string, string>) {
  const port = await freePort();
  const proc = startService(name, {
    DATABASE_URL: h.db.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.redis.prefix,
    SOTAMAIL_SECRET_KEY: h.deps.secretKey.toString('base64'),
    HEALTH_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...env,
  });
  services.push(proc);
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 20_000);
}

beforeAll(async () => {
  h = await startHarness();
  const ingressPort = await freePort();
  postfixPort = await freePort();
  postfixDir = await mkdtemp(join(tmpdir(), 'sotamail-postfix-'));
  // Fails with the script's own words when Postfix is not installed (infra/local-services.sh installs it).
  await run('bash', [
    join(repoRoot, 'infra/postfix/start-test-instance.sh'),
    postfixDir,
    String(postfixPort),
    String(ingressPort),
    POSTFIX_DOMAIN,
  ]);
  await startProcess('fetcher', { SMTP_INGRESS_PORT: String(ingressPort) });
  await startProcess('router', {});
  await startProcess('bounce-processor', {});
  await startProcess('dispatcher', {
    PLATFORM_SMTP_HOST: '127.0.0.1',
    PLATFORM_SMTP_PORT: String(postfixPort),
    RELEASE_INTERVAL_MS: '500',
  });
}, 90_000);

afterAll(async () => {
  await stopServices(services);
  if (postfixDir) {
    await run('bash', [join(repoRoot, 'infra/postfix/stop-test-instance.sh'), postfixDir]);
    await rm(postfixDir, { recursive: true, force: true });
  }
  await h?.close();
});

async function call(method: 'POST' | 'PUT' | 'GET', url: string, payload?: Record<string, unknown>) {
  const res = await h.call({ method, url, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.body === '' ? null : res.json();
}

describe('a bounce from a real Postfix', () => {
  it('turns the notification bounced with Postfix’s diagnostic within seconds', async () => {
    const aliasDomain = `pf${randomBytes(4).toString('hex')}.test`;
    const user = `nosuchuser${randomBytes(3).toString('hex')}`;
    const db = (await call('POST', '/v1/databases', {
      name: 'Postfix E2E',
      hostingType: 'online',
      aliasDomain,
    })) as {
      id: string;
    };
    const base = `/v1/databases/${db.id}`;
    const thread = await call('POST', `${base}/threads`, {
      model: 'sale.order',
      recordId: '7',
      subject: 'SO7',
    });
    const author = await call('POST', `${base}/contacts`, { name: 'Admin', email: 'admin@example.com' });
    const customer = await call('POST', `${base}/contacts`, {
      name: 'Gone',
      email: `${user}@${POSTFIX_DOMAIN}`,
    });
    await call('PUT', `${base}/threads/${thread.id}/followers/${author.id}`);
    await call('PUT', `${base}/threads/${thread.id}/followers/${customer.id}`);

    const started = Date.now();
    const posted = (await call('POST', `${base}/threads/${thread.id}/messages`, {
      authorContactId: author.id,
      bodyHtml: '<p>Your quote</p>',
    })) as { notifications: { id: string; email: string }[] };
    const notificationId = must(posted.notifications[0], 'notification').id;
    const [mailRow] = await h.db.db
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.id, notificationId));
    const mailId = must(mailRow?.outgoingMailId, 'outgoing mail');

    const bounced = await waitUntil(
      'the notification bounced',
      () => notificationOf(h.db.db, mailId),
      (n) => n?.status === 'bounced',
      20_000,
    );
    const elapsed = Date.now() - started;
    // Postfix's own words, as its local(8) wrote them in the DSN.
    expect(bounced?.failureReason).toContain(`unknown user: "${user}"`);
    expect(bounced?.failureType).toBe('userunknown');
    expect(elapsed).toBeLessThan(15_000);

    // It went out through Postfix with our signed VERP envelope, and came back to it from <>.
    const [mail] = await h.db.db
      .select()
      .from(schema.outgoingMails)
      .where(eq(schema.outgoingMails.id, mailId));
    expect(mail?.envelopeFrom).toMatch(
      new RegExp(`^bounce\\+[a-z0-9]{44}@${aliasDomain.replace('.', '\\.')}$`),
    );
    expect(mail?.smtpResponse).toMatch(/^250 /);
    const [raw] = await h.db.db
      .select()
      .from(schema.rawInboundMessages)
      .where(
        and(eq(schema.rawInboundMessages.tenantId, db.id), eq(schema.rawInboundMessages.source, 'smtp')),
      );
    expect(raw?.envelopeTo).toEqual([mail?.envelopeFrom]);
    expect(raw?.raw.toString()).toContain(`Reporting-MTA: dns; mx.${POSTFIX_DOMAIN}`);
    const [event] = await h.db.db
      .select()
      .from(schema.bounceEvents)
      .where(eq(schema.bounceEvents.outgoingMailId, mailId));
    expect(event).toMatchObject({ linkedBy: 'verp', outcome: 'bounced', hard: true, statusCode: '5.1.1' });

    const contact = await call('GET', `${base}/contacts/${customer.id}`);
    expect(contact.bounceCount).toBe(1);
  }, 60_000);
});
