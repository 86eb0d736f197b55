import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './api-harness.js';

let h: Harness;
let smtp: SMTPServer;
let smtpPort: number;
const seen: { mailFrom: string[]; rcptTo: string[]; messages: number } = {
  mailFrom: [],
  rcptTo: [],
  messages: 0,
};

beforeAll(async () => {
  h = await startHarness();
  smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'relay@example.com' && auth.password === 's3cret pass') {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
    },
    onMailFrom(address, _session, callback) {
      seen.mailFrom.push(address.address);
      callback();
    },
    onRcptTo(address, _session, callback) {
      seen.rcptTo.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      // 'end' comes only with the final "." of a complete message; a dropped connection never ends it.
      stream.on('end', () => {
        seen.messages++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await h?.close();
});

async function onPremiseDatabase(name: string) {
  const res = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: { name, hostingType: 'on_premise', aliasDomain: `${name.toLowerCase()}.test` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

describe('Test Connection through the API', () => {
  it('talks to the real server with the stored password and sends nothing', async () => {
    const db = await onPremiseDatabase('Conn');
    const server = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-servers`,
      payload: {
        name: 'relay',
        host: '127.0.0.1',
        port: smtpPort,
        security: 'none',
        authType: 'password',
        username: 'relay@example.com',
        password: 's3cret pass',
        fromFilter: 'example.com',
      },
    });
    const id = server.json().id;
    const res = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-servers/${id}/test`,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({ ok: true, code: null, sender: 'notifications@example.com' });
    expect(result.message).toMatch(/Successful/);
    expect(res.body).not.toContain('s3cret pass');
    expect(seen.mailFrom).toContain('notifications@example.com');
    expect(seen.messages).toBe(0);
    const stored = await h.call({ method: 'GET', url: `/v1/databases/${db}/outgoing-servers/${id}` });
    expect(stored.json().lastTest).toMatchObject({ ok: true, code: null });
  });

  it('gives one readable diagnosis when authentication fails, and records it', async () => {
    const db = await onPremiseDatabase('Badauth');
    const server = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-servers`,
      payload: {
        name: 'relay',
        host: '127.0.0.1',
        port: smtpPort,
        security: 'none',
        authType: 'password',
        username: 'relay@example.com',
        password: 'wrong',
        fromFilter: 'admin@example.com',
      },
    });
    const id = server.json().id;
    const res = await h.call({ method: 'POST', url: `/v1/databases/${db}/outgoing-servers/${id}/test` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      code: 'SMTP_AUTH_FAILED',
      step: 'auth',
      sender: 'admin@example.com',
    });
    expect(res.json().message).toMatch(/535|credentials/i);
    expect(res.body).not.toContain('"wrong"');
    const stored = await h.call({ method: 'GET', url: `/v1/databases/${db}/outgoing-servers/${id}` });
    expect(stored.json().lastTest).toMatchObject({ ok: false, code: 'SMTP_AUTH_FAILED' });
  });

  it('diagnoses a closed port', async () => {
    const db = await onPremiseDatabase('Closed');
    const server = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-servers`,
      payload: { name: 'nothing', host: '127.0.0.1', port: 1, security: 'none', fromFilter: 'example.com' },
    });
    const res = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-servers/${server.json().id}/test`,
    });
    expect(res.json()).toMatchObject({ ok: false, code: 'SMTP_CONNECTION_REFUSED', step: 'connect' });
  });
});

describe('outgoing route preview', () => {
  it('uses the platform default server for an online database without servers (seed example)', async () => {
    const created = await h.call({
      method: 'POST',
      url: '/v1/databases',
      payload: { name: 'mycompany', hostingType: 'online', aliasDomain: 'mycompany.com' },
    });
    const db = created.json().id;
    await h.call({
      method: 'PUT',
      url: `/v1/databases/${db}/parameters/mail.default.from_filter`,
      payload: { value: 'mycompany.com' },
    });
    const res = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-route-preview`,
      payload: { from: '"Admin" <admin@example.com>' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      server: null,
      step: 'platform-default',
      from: '"Admin" <notifications@mycompany.com>',
      envelopeFrom: 'bounce@mycompany.com',
      rewritten: true,
      warning: null,
    });
    expect(res.json().reason.length).toBeGreaterThan(20);
  });

  it('chooses by From filter, honours the dedicated mass server, and warns on-premise without servers', async () => {
    const db = await onPremiseDatabase('Preview');
    const empty = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-route-preview`,
      payload: { from: 'a@example.com' },
    });
    expect(empty.json().warning).toMatch(/no active outgoing server/);
    const add = (payload: Record<string, unknown>) =>
      h.call({
        method: 'POST',
        url: `/v1/databases/${db}/outgoing-servers`,
        payload: { host: 'smtp.test', port: 587, security: 'starttls', ...payload },
      });
    const domain = (await add({ name: 'example', fromFilter: 'example.com', priority: 10 })).json();
    const mass = (await add({ name: 'mass', fromFilter: null, priority: 50 })).json();
    const tx = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-route-preview`,
      payload: { from: 'Sales <sales@Example.com>' },
    });
    expect(tx.json()).toMatchObject({
      server: { id: domain.id, name: 'example' },
      step: 'from-domain',
      rewritten: false,
    });
    await h.call({ method: 'PATCH', url: `/v1/databases/${db}`, payload: { massMailingServerId: mass.id } });
    const bulk = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-route-preview`,
      payload: { from: 'Sales <sales@example.com>', kind: 'mass' },
    });
    expect(bulk.json()).toMatchObject({ server: { id: mass.id }, step: 'dedicated' });
    const bad = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/outgoing-route-preview`,
      payload: { from: 'not an address' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('INVALID_ADDRESS');
  });
});
