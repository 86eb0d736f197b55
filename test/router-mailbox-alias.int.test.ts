import { schema } from '@sotamail/db';
import { startTestDovecot, type TestDovecot } from '@sotamail/test-support';
import { and, eq } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './outbound-harness.js';
import { type RouterHarness, startRouterHarness } from './router-harness.js';

// R7.1: one mailbox per alias. Mail that reaches the sales mailbox without sales@ in its headers (a
// Bcc, a forward) is fetched from a real Dovecot and still makes a record of the sales alias.

const password = 'sales-secret';
let r: RouterHarness;
let dovecot: TestDovecot | undefined;
let imapPort: number;
let imap: ImapFlow;

beforeAll(async () => {
  dovecot = await startTestDovecot({ sales: password });
  imapPort = dovecot.imapPort;
  imap = new ImapFlow({
    host: '127.0.0.1',
    port: imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: 'sales', pass: password },
    logger: false,
  });
  imap.on('error', () => {});
  await imap.connect();
  r = await startRouterHarness({ dispatcher: false });
}, 90_000);

afterAll(async () => {
  await imap?.logout().catch(() => imap.close());
  await r?.close();
  dovecot?.stop();
});

const bccMail = (n: number) =>
  Buffer.from(
    [
      'From: "Buyer" <buyer@customer.test>',
      // Sent to a partner with sales@ in Bcc: nothing in the headers names the alias.
      'To: partner@reseller.test',
      `Subject: ${n * 10} chairs, please`,
      `Message-ID: <bcc-${n}@customer.test>`,
      'Date: Mon, 01 Dec 2025 10:00:00 +0000',
      '',
      `A quote for ${n * 10} chairs.`,
      '',
    ].join('\r\n'),
  );

describe('the alias of a mailbox (R7.1)', () => {
  it('makes a record of the alias whose mailbox the mail was fetched from, though its headers name another address', async () => {
    const created = await r.d.h.call({
      method: 'POST',
      url: '/v1/databases',
      payload: { name: 'mailbox.test', hostingType: 'on_premise', aliasDomain: 'mailbox.test' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const databaseId = created.json().id as string;
    const alias = await r.d.h.call({
      method: 'POST',
      url: `/v1/databases/${databaseId}/aliases`,
      payload: { name: 'sales', model: 'crm.lead' },
    });
    expect(alias.statusCode, alias.body).toBe(201);
    const aliasId = alias.json().id as string;
    // The mailbox is first set up without naming its alias.
    const server = await r.d.h.call({
      method: 'POST',
      url: `/v1/databases/${databaseId}/incoming-servers`,
      payload: {
        name: 'sales mailbox',
        protocol: 'imap',
        host: '127.0.0.1',
        port: imapPort,
        security: 'none',
        username: 'sales',
        password,
        fetchIntervalSeconds: 600,
      },
    });
    expect(server.statusCode, server.body).toBe(201);
    const serverId = server.json().id as string;
    // Test & Confirm is not built yet: confirm it directly.
    await r.d.h.db.db
      .update(schema.incomingServers)
      .set({ state: 'confirmed' })
      .where(eq(schema.incomingServers.id, serverId));
    await r.startFetcher({
      IMAP_FETCH_ENABLED: 'true',
      SOTAMAIL_SECRET_KEY: r.d.h.deps.secretKey.toString('base64'),
      FETCH_SCAN_INTERVAL_MS: '300',
    });
    await r.startRouter();
    const leads = () =>
      r.d.h.db.db
        .select()
        .from(schema.threads)
        .where(and(eq(schema.threads.tenantId, databaseId), eq(schema.threads.model, 'crm.lead')));

    await imap.append('INBOX', bccMail(4));
    const [first] = await r.waitForProcessed(databaseId, 1, 30_000);
    expect(first?.decision).toMatchObject({ action: 'unroutable' });

    // The admin names the mailbox's alias and routes the stored mail again: the router finds the
    // alias through the incoming server the mail came from, as nothing in the mail names it.
    const patched = await r.d.h.call({
      method: 'PATCH',
      url: `/v1/databases/${databaseId}/incoming-servers/${serverId}`,
      payload: { aliasId },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const again = await r.d.h.call({
      method: 'POST',
      url: `/v1/databases/${databaseId}/inbound/${first?.id}/reprocess`,
    });
    expect(again.statusCode, again.body).toBe(202);
    const [lead] = await waitUntil('a crm.lead record', leads, (rows) => rows.length === 1, 20_000);
    expect(lead).toMatchObject({
      subject: '40 chairs, please',
      createdByAliasId: aliasId,
      createdByEmail: 'buyer@customer.test',
    });
    const [routed] = await r.rawOf(databaseId);
    expect(routed?.incomingServerId).toBe(serverId);
    expect(routed?.envelopeTo).toEqual(['sales']);
    expect(JSON.stringify(routed?.decision)).toMatch(/fetched from the mailbox of the alias sales/);
    expect(await r.threadMessages(databaseId, lead?.id ?? '')).toHaveLength(1);

    // New mail in the mailbox makes records of the alias directly.
    await imap.append('INBOX', bccMail(5));
    await waitUntil('a second crm.lead record', leads, (rows) => rows.length === 2, 30_000);
  }, 90_000);
});
