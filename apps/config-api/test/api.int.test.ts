import { outgoingServerRows, schema } from '@sotamail/db';
import { createSecretBox } from '@sotamail/secrets';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealContext } from '../src/routes/outgoing-servers.js';
import { type Harness, startHarness } from './api-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function createDatabase(body: Record<string, unknown>) {
  const res = await h.call({ method: 'POST', url: '/v1/databases', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; aliasDomain: string; dailyLimit: number | null; hostingType: string };
}

async function createKey(databaseId: string) {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/api-keys`,
    payload: { name: 'erp' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; key: string; prefix: string };
}

function expectError(
  res: { statusCode: number; json: () => unknown; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(body.error.requestId).toBeTruthy();
  expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
  return body.error;
}

describe('authentication and tenant isolation', () => {
  it('refuses requests without a valid credential', async () => {
    expectError(await h.call({ method: 'GET', url: '/v1/databases', token: null }), 401, 'UNAUTHORIZED');
    expectError(
      await h.call({ method: 'GET', url: '/v1/databases', token: 'wrong-token' }),
      401,
      'UNAUTHORIZED',
    );
  });

  it('gives a key of database A a 404 for everything of database B', async () => {
    const a = await createDatabase({ name: 'Alpha', hostingType: 'online' });
    const b = await createDatabase({ name: 'Beta', hostingType: 'online' });
    const keyA = await createKey(a.id);
    const contactB = await h.call({
      method: 'POST',
      url: `/v1/databases/${b.id}/contacts`,
      payload: { name: 'Bob', email: 'bob@b.test' },
    });
    expect(contactB.statusCode).toBe(201);
    const contactId = contactB.json().id as string;

    const list = await h.call({ method: 'GET', url: '/v1/databases', token: keyA.key });
    expect(list.json().items.map((d: { id: string }) => d.id)).toEqual([a.id]);

    expectError(
      await h.call({ method: 'GET', url: `/v1/databases/${b.id}`, token: keyA.key }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await h.call({ method: 'GET', url: `/v1/databases/${b.id}/contacts/${contactId}`, token: keyA.key }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await h.call({ method: 'GET', url: `/v1/databases/${b.id}/parameters`, token: keyA.key }),
      404,
      'NOT_FOUND',
    );
    // B's object addressed through A's own database is not found either.
    expectError(
      await h.call({ method: 'GET', url: `/v1/databases/${a.id}/contacts/${contactId}`, token: keyA.key }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await h.call({ method: 'DELETE', url: `/v1/databases/${a.id}/contacts/${contactId}`, token: keyA.key }),
      404,
      'NOT_FOUND',
    );
    // …and it still exists.
    expect(
      (await h.call({ method: 'GET', url: `/v1/databases/${b.id}/contacts/${contactId}` })).statusCode,
    ).toBe(200);
    // The key works for its own database.
    expect(
      (await h.call({ method: 'GET', url: `/v1/databases/${a.id}/contacts`, token: keyA.key })).statusCode,
    ).toBe(200);
  });

  it('cannot be bypassed with a percent-encoded path', async () => {
    expectError(await h.call({ method: 'GET', url: '/%761/databases', token: null }), 401, 'UNAUTHORIZED');
    expectError(await h.call({ method: 'GET', url: '/v%31/databases', token: null }), 401, 'UNAUTHORIZED');
  });

  it('keeps the platform server’s From filter and the domain of an online database for the operator', async () => {
    const online = await createDatabase({ name: 'Spoof', hostingType: 'online' });
    const onprem = await createDatabase({
      name: 'Own',
      hostingType: 'on_premise',
      aliasDomain: 'own-servers.test',
    });
    const keyOnline = await createKey(online.id);
    const keyOnprem = await createKey(onprem.id);
    const put = (db: string, key: string, name: string, value: string) =>
      h.call({
        method: 'PUT',
        url: `/v1/databases/${db}/parameters/${name}`,
        token: key,
        payload: { value },
      });
    expectError(
      await put(online.id, keyOnline.key, 'mail.default.from_filter', 'bank.test'),
      403,
      'OPERATOR_ONLY',
    );
    expectError(
      await put(online.id, keyOnline.key, 'mail.catchall.domain', 'bank.test'),
      403,
      'OPERATOR_ONLY',
    );
    expectError(
      await h.call({
        method: 'DELETE',
        url: `/v1/databases/${online.id}/parameters/mail.default.from_filter`,
        token: keyOnline.key,
      }),
      403,
      'OPERATOR_ONLY',
    );
    expectError(
      await h.call({
        method: 'PATCH',
        url: `/v1/databases/${online.id}`,
        token: keyOnline.key,
        payload: { aliasDomain: 'bank.test' },
      }),
      403,
      'OPERATOR_ONLY',
    );
    expect((await put(online.id, h.operatorToken, 'mail.default.from_filter', 'spoof.test')).statusCode).toBe(
      200,
    );
    expect(
      (await put(onprem.id, keyOnprem.key, 'mail.default.from_filter', 'own-servers.test')).statusCode,
    ).toBe(200);
    expect((await put(online.id, keyOnline.key, 'mail.incoming.limit.alias', '7')).statusCode).toBe(200);
  });

  it('keeps operator-only actions for the operator, and revoked keys stop working', async () => {
    const a = await createDatabase({ name: 'Gamma', hostingType: 'online' });
    const key = await createKey(a.id);
    expectError(
      await h.call({
        method: 'PATCH',
        url: `/v1/databases/${a.id}`,
        token: key.key,
        payload: { dailyLimit: 5000 },
      }),
      403,
      'OPERATOR_ONLY',
    );
    expectError(
      await h.call({
        method: 'POST',
        url: '/v1/databases',
        token: key.key,
        payload: { name: 'x', hostingType: 'online' },
      }),
      403,
      'OPERATOR_ONLY',
    );
    const renamed = await h.call({
      method: 'PATCH',
      url: `/v1/databases/${a.id}`,
      token: key.key,
      payload: { name: 'Gamma Ltd' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Gamma Ltd', dailyLimit: 200 });
    const raised = await h.call({
      method: 'PATCH',
      url: `/v1/databases/${a.id}`,
      payload: { dailyLimit: 5000 },
    });
    expect(raised.json().dailyLimit).toBe(5000);

    const keys = await h.call({ method: 'GET', url: `/v1/databases/${a.id}/api-keys`, token: key.key });
    expect(keys.body).not.toContain(key.key);
    expect(keys.json().items[0].prefix).toBe(key.prefix);
    expect(
      (await h.call({ method: 'DELETE', url: `/v1/databases/${a.id}/api-keys/${key.id}` })).statusCode,
    ).toBe(204);
    expectError(
      await h.call({ method: 'GET', url: `/v1/databases/${a.id}`, token: key.key }),
      401,
      'UNAUTHORIZED',
    );
  });
});

describe('databases and parameters', () => {
  it('gives an online database a platform sub-domain, the daily limit and the seed parameters', async () => {
    const db = await createDatabase({ name: 'My Company', hostingType: 'online' });
    expect(db).toMatchObject({ aliasDomain: 'my-company.erp.example.test', dailyLimit: 200 });
    const params = await h.call({ method: 'GET', url: `/v1/databases/${db.id}/parameters` });
    const values = Object.fromEntries(
      params.json().items.map((p: { key: string; value: string | null }) => [p.key, p.value]),
    );
    expect(values).toMatchObject({
      'mail.catchall.domain': 'my-company.erp.example.test',
      'mail.default.from': 'notifications',
      'mail.catchall.alias': 'catchall',
      'mail.bounce.alias': 'bounce',
      'mail.incoming.limit.period': '60',
      'mail.incoming.limit.alias': '5',
      'mail.fetchmail.interval': '5',
      'mail.default.from_filter': 'my-company.erp.example.test',
    });
  });

  it('has no daily limit on-premise, and needs an alias domain there', async () => {
    const db = await createDatabase({
      name: 'Onprem',
      hostingType: 'on_premise',
      aliasDomain: 'Mail.Onprem.Test',
    });
    expect(db).toMatchObject({ aliasDomain: 'mail.onprem.test', dailyLimit: null });
    const err = expectError(
      await h.call({
        method: 'POST',
        url: '/v1/databases',
        payload: { name: 'x', hostingType: 'on_premise' },
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(err.message).toMatch(/aliasDomain/);
    expectError(
      await h.call({
        method: 'POST',
        url: '/v1/databases',
        payload: { name: 'y', hostingType: 'on_premise', aliasDomain: 'mail.onprem.test' },
      }),
      409,
      'CONFLICT',
    );
  });

  it('validates parameters per key and resets them to their defaults', async () => {
    const db = await createDatabase({ name: 'Params', hostingType: 'online' });
    const url = `/v1/databases/${db.id}/parameters`;
    expect(
      (
        await h.call({ method: 'PUT', url: `${url}/mail.incoming.limit.alias`, payload: { value: '10' } })
      ).json(),
    ).toEqual({ key: 'mail.incoming.limit.alias', value: '10' });
    expect(
      expectError(
        await h.call({ method: 'PUT', url: `${url}/mail.incoming.limit.alias`, payload: { value: 'ten' } }),
        422,
        'INVALID_PARAMETER',
      ).message,
    ).toMatch(/whole number/);
    expect(
      expectError(
        await h.call({ method: 'PUT', url: `${url}/mail.incomming.limit.alias`, payload: { value: '1' } }),
        422,
        'UNKNOWN_PARAMETER',
      ).message,
    ).toMatch(/mail\.incoming\.limit\.alias/);
    expectError(
      await h.call({
        method: 'PUT',
        url: `${url}/mail.default.from_filter`,
        payload: { value: 'not a domain' },
      }),
      422,
      'INVALID_PARAMETER',
    );
    await h.call({ method: 'PUT', url: `${url}/mail.catchall.domain`, payload: { value: 'Mycompany.Test' } });
    expect((await h.call({ method: 'GET', url: `/v1/databases/${db.id}` })).json().aliasDomain).toBe(
      'mycompany.test',
    );
    expect((await h.call({ method: 'DELETE', url: `${url}/mail.incoming.limit.alias` })).json()).toEqual({
      key: 'mail.incoming.limit.alias',
      value: '5',
    });
  });

  it('keeps the catchall and bounce aliases apart from each other and from the aliases (R8.3 before R8.4)', async () => {
    const db = await createDatabase({ name: 'System aliases', hostingType: 'online' });
    const url = `/v1/databases/${db.id}/parameters`;
    const created = await h.call({
      method: 'POST',
      url: `/v1/databases/${db.id}/aliases`,
      payload: { name: 'sales', model: 'crm.lead' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const put = (key: string, value: string) =>
      h.call({ method: 'PUT', url: `${url}/${key}`, payload: { value } });
    // An alias's name: the catchall's non-replies would make records.
    expect(expectError(await put('mail.catchall.alias', 'Sales'), 409, 'CONFLICT').message).toMatch(/alias/);
    // The other system alias: every reply to the catchall would be taken for a delivery report.
    expect(expectError(await put('mail.catchall.alias', 'bounce'), 409, 'CONFLICT').message).toMatch(
      /mail\.bounce\.alias/,
    );
    expectError(await put('mail.bounce.alias', 'catchall'), 409, 'CONFLICT');
    // Stored as routing compares it.
    expect((await put('mail.catchall.alias', 'Support')).json()).toEqual({
      key: 'mail.catchall.alias',
      value: 'support',
    });
    // An alias cannot take the catchall's name in another case either.
    const clash = await h.call({
      method: 'POST',
      url: `/v1/databases/${db.id}/aliases`,
      payload: { name: 'SUPPORT', model: 'helpdesk.ticket' },
    });
    expectError(clash, 409, 'CONFLICT');
    // Back to the default, unless an alias took the default's name meanwhile.
    const catchallAlias = await h.call({
      method: 'POST',
      url: `/v1/databases/${db.id}/aliases`,
      payload: { name: 'catchall', model: 'crm.lead' },
    });
    expect(catchallAlias.statusCode, catchallAlias.body).toBe(201);
    expectError(await h.call({ method: 'DELETE', url: `${url}/mail.catchall.alias` }), 409, 'CONFLICT');
  });
});

describe('outgoing servers', () => {
  it('refuses port 25 on online databases with the R1.2 message, not on-premise', async () => {
    const online = await createDatabase({ name: 'Online smtp', hostingType: 'online' });
    const onprem = await createDatabase({
      name: 'Onprem smtp',
      hostingType: 'on_premise',
      aliasDomain: 'onprem-smtp.test',
    });
    const server = { name: 'relay', host: 'smtp.example.test', port: 25, security: 'none' };
    const err = expectError(
      await h.call({ method: 'POST', url: `/v1/databases/${online.id}/outgoing-servers`, payload: server }),
      422,
      'PORT_25_BLOCKED',
    );
    expect(err.message).toMatch(/465.*587.*2525/);
    expect(
      (await h.call({ method: 'POST', url: `/v1/databases/${onprem.id}/outgoing-servers`, payload: server }))
        .statusCode,
    ).toBe(201);
    const created = await h.call({
      method: 'POST',
      url: `/v1/databases/${online.id}/outgoing-servers`,
      payload: { ...server, port: 587, security: 'starttls' },
    });
    expect(created.statusCode).toBe(201);
    expectError(
      await h.call({
        method: 'PATCH',
        url: `/v1/databases/${online.id}/outgoing-servers/${created.json().id}`,
        payload: { port: 25 },
      }),
      422,
      'PORT_25_BLOCKED',
    );
  });

  it('stores secrets encrypted, never returns them, and keeps them across updates', async () => {
    const db = await createDatabase({ name: 'Secrets', hostingType: 'online' });
    const password = 'correct horse battery staple';
    const res = await h.call({
      method: 'POST',
      url: `/v1/databases/${db.id}/outgoing-servers`,
      payload: {
        name: 'M365',
        host: 'smtp.office365.test',
        port: 587,
        security: 'starttls',
        authType: 'password',
        username: 'u@x.test',
        password,
        fromFilter: 'x.test',
        maxPerMinute: 30,
        maxConnections: 3,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(password);
    const server = res.json();
    expect(server).toMatchObject({
      hasPassword: true,
      fromFilter: 'x.test',
      maxPerMinute: 30,
      maxConnections: 3,
      priority: 10,
    });
    expect(server).not.toHaveProperty('password');

    const [row] = await h.db.db
      .select()
      .from(schema.outgoingServers)
      .where(eq(schema.outgoingServers.id, server.id));
    expect(row?.passwordSealed).toBeTruthy();
    expect(row?.passwordSealed).not.toContain(password);
    expect(createSecretBox(h.deps.secretKey, sealContext(server.id)).open(row?.passwordSealed ?? '')).toBe(
      password,
    );

    const patched = await h.call({
      method: 'PATCH',
      url: `/v1/databases/${db.id}/outgoing-servers/${server.id}`,
      payload: { priority: 5 },
    });
    expect(patched.json()).toMatchObject({ priority: 5, hasPassword: true });
    const list = await h.call({ method: 'GET', url: `/v1/databases/${db.id}/outgoing-servers` });
    expect(list.body).not.toContain(password);
    expect(list.body).not.toContain(row?.passwordSealed ?? 'x');
    expectError(
      await h.call({
        method: 'PATCH',
        url: `/v1/databases/${db.id}/outgoing-servers/${server.id}`,
        payload: { password: null },
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect((await outgoingServerRows.find(h.db.db, db.id, server.id))?.passwordSealed).toBe(
      row?.passwordSealed,
    );
  });
});

describe('directory', () => {
  it('manages aliases, contacts, threads and followers', async () => {
    const db = await createDatabase({ name: 'Directory', hostingType: 'online' });
    const base = `/v1/databases/${db.id}`;
    const alias = await h.call({
      method: 'POST',
      url: `${base}/aliases`,
      payload: { name: 'Sales', model: 'crm.lead', defaults: { team: 'EU' }, contactPolicy: 'contacts' },
    });
    expect(alias.statusCode, alias.body).toBe(201);
    expect(alias.json()).toMatchObject({
      name: 'sales',
      model: 'crm.lead',
      defaults: { team: 'EU' },
      contactPolicy: 'contacts',
      threadId: null,
    });
    expectError(
      await h.call({ method: 'POST', url: `${base}/aliases`, payload: { name: 'sales', model: 'crm.lead' } }),
      409,
      'CONFLICT',
    );
    expectError(
      await h.call({
        method: 'POST',
        url: `${base}/aliases`,
        payload: { name: 'catchall', model: 'crm.lead' },
      }),
      409,
      'CONFLICT',
    );
    expectError(
      await h.call({ method: 'POST', url: `${base}/aliases`, payload: { name: 'x', model: 'Not A Model' } }),
      400,
      'VALIDATION_FAILED',
    );

    const thread = await h.call({
      method: 'POST',
      url: `${base}/threads`,
      payload: { model: 'sale.order', recordId: '42', subject: 'SO42' },
    });
    expect(thread.statusCode, thread.body).toBe(201);
    const threadId = thread.json().id;
    expectError(
      await h.call({
        method: 'POST',
        url: `${base}/threads`,
        payload: { model: 'sale.order', recordId: '42' },
      }),
      409,
      'CONFLICT',
    );

    const contact = await h.call({
      method: 'POST',
      url: `${base}/contacts`,
      payload: { name: 'Mary', email: 'Mary@Customer.Example.com' },
    });
    const contactId = contact.json().id;
    expectError(
      await h.call({
        method: 'POST',
        url: `${base}/contacts`,
        payload: { name: 'Bad', email: 'not-an-address' },
      }),
      400,
      'VALIDATION_FAILED',
    );

    expect(
      (await h.call({ method: 'PUT', url: `${base}/threads/${threadId}/followers/${contactId}` })).statusCode,
    ).toBe(204);
    expect(
      (await h.call({ method: 'PUT', url: `${base}/threads/${threadId}/followers/${contactId}` })).statusCode,
    ).toBe(204);
    const followers = await h.call({ method: 'GET', url: `${base}/threads/${threadId}/followers` });
    expect(followers.json().items).toEqual([
      expect.objectContaining({ contactId, email: 'Mary@Customer.Example.com' }),
    ]);
    expect(
      (await h.call({ method: 'DELETE', url: `${base}/threads/${threadId}/followers/${contactId}` }))
        .statusCode,
    ).toBe(204);
    expectError(
      await h.call({ method: 'DELETE', url: `${base}/threads/${threadId}/followers/${contactId}` }),
      404,
      'NOT_FOUND',
    );

    const fixed = await h.call({
      method: 'PATCH',
      url: `${base}/aliases/${alias.json().id}`,
      payload: { threadId },
    });
    expect(fixed.json().threadId).toBe(threadId);
  });

  it('returns an incoming server to draft when its connection changes', async () => {
    const db = await createDatabase({
      name: 'Incoming',
      hostingType: 'on_premise',
      aliasDomain: 'incoming.test',
    });
    const base = `/v1/databases/${db.id}/incoming-servers`;
    const res = await h.call({
      method: 'POST',
      url: base,
      payload: {
        name: 'catchall',
        protocol: 'imap',
        host: 'imap.incoming.test',
        port: 993,
        security: 'ssl',
        username: 'catchall',
        password: 'pw',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ state: 'draft', folder: 'INBOX', hasPassword: true });
    expect(res.body).not.toContain('"pw"');
    await h.db.db
      .update(schema.incomingServers)
      .set({ state: 'confirmed' })
      .where(eq(schema.incomingServers.id, res.json().id));
    const renamed = await h.call({
      method: 'PATCH',
      url: `${base}/${res.json().id}`,
      payload: { name: 'Catchall box' },
    });
    expect(renamed.json().state).toBe('confirmed');
    const moved = await h.call({
      method: 'PATCH',
      url: `${base}/${res.json().id}`,
      payload: { host: 'imap2.incoming.test' },
    });
    expect(moved.json().state).toBe('draft');
    expectError(
      await h.call({
        method: 'POST',
        url: base,
        payload: { name: 'x', protocol: 'imap', host: 'h', port: 993, security: 'ssl', username: 'u' },
      }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('errors, documentation and dashboard', () => {
  it('answers every failure in the one error format', async () => {
    expectError(await h.call({ method: 'GET', url: '/v1/nothing-here' }), 404, 'NOT_FOUND');
    expectError(await h.call({ method: 'GET', url: '/v1/databases/not-a-uuid' }), 400, 'VALIDATION_FAILED');
    const bad = await h.call({
      method: 'POST',
      url: '/v1/databases',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expectError(bad, 400, 'INVALID_REQUEST');
    const invalid = expectError(
      await h.call({ method: 'POST', url: '/v1/databases', payload: { name: '', hostingType: 'cloud' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(JSON.stringify(invalid)).toMatch(/hostingType/);
  });

  it('takes an empty body with a JSON content type as no body', async () => {
    const db = await createDatabase({ name: 'Empty body', hostingType: 'online' });
    const base = `/v1/databases/${db.id}`;
    const thread = await h.call({
      method: 'POST',
      url: `${base}/threads`,
      payload: { model: 'sale.order', recordId: '1' },
    });
    const contact = await h.call({
      method: 'POST',
      url: `${base}/contacts`,
      payload: { name: 'A', email: 'a@x.test' },
    });
    const res = await h.call({
      method: 'PUT',
      url: `${base}/threads/${thread.json().id}/followers/${contact.json().id}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode, res.body).toBe(204);
  });

  it('serves the OpenAPI description and its UI', async () => {
    const json = await h.call({ method: 'GET', url: '/docs/json', token: null });
    expect(json.statusCode).toBe(200);
    expect(Object.keys(json.json().paths)).toEqual(
      expect.arrayContaining(['/v1/databases', '/v1/databases/{databaseId}/outgoing-servers']),
    );
    const ui = await h.call({ method: 'GET', url: '/docs/', token: null });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/html/);
  });

  it('keeps the queue dashboard behind the operator credential', async () => {
    expectError(await h.call({ method: 'GET', url: '/admin/queues', token: null }), 401, 'UNAUTHORIZED');
    const basic = Buffer.from(`operator:${h.operatorToken}`).toString('base64');
    const page = await h.call({
      method: 'GET',
      url: '/admin/queues',
      token: null,
      headers: { authorization: `Basic ${basic}` },
    });
    expect(page.statusCode).toBe(200);
    const queues = await h.call({ method: 'GET', url: '/admin/queues/api/queues', token: h.operatorToken });
    expect(queues.statusCode, queues.body).toBe(200);
    expect(
      queues
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual(['bounce', 'events', 'fetch', 'inbound', 'mass', 'outbound']);
  });

  it('reports readiness of PostgreSQL and Redis', async () => {
    const res = await h.call({ method: 'GET', url: '/health/ready', token: null });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toEqual([
      expect.objectContaining({ name: 'postgres', ok: true }),
      expect.objectContaining({ name: 'redis', ok: true }),
    ]);
  });
});
