import { randomBytes } from 'node:crypto';
import { freePort, startTestDovecot, type TestDovecot } from '@sotamail/test-support';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './api-harness.js';

// Test & Confirm of incoming servers (R7.1) against a real Dovecot (IMAP and POP3 on loopback).

const user = 'box';
const password = 'box-secret';

let h: Harness;
let dovecot: TestDovecot;
let imap: ImapFlow;
let databaseId: string;

type ServerInput = {
  protocol: 'imap' | 'pop3';
  port?: number;
  security?: 'none' | 'starttls' | 'ssl';
  password?: string;
  folder?: string;
};

async function createServer(input: ServerInput): Promise<string> {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers`,
    payload: {
      name: `${input.protocol} ${randomBytes(3).toString('hex')}`,
      protocol: input.protocol,
      host: '127.0.0.1',
      port: input.port ?? (input.protocol === 'imap' ? dovecot.imapPort : dovecot.pop3Port),
      security: input.security ?? 'none',
      username: user,
      password: input.password ?? password,
      folder: input.folder ?? 'INBOX',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function test(id: string) {
  const res = await h.call({
    method: 'POST',
    url: `/v1/databases/${databaseId}/incoming-servers/${id}/test`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    ok: boolean;
    code: string | null;
    message: string;
    step: string | null;
    transcript: string[];
    durationMs: number;
    state: 'draft' | 'confirmed';
  };
}

async function read(id: string) {
  const res = await h.call({ method: 'GET', url: `/v1/databases/${databaseId}/incoming-servers/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    state: string;
    lastError: string | null;
    lastTest: { ok: boolean; code: string | null; message: string } | null;
  };
}

/** UIDs and flags of the INBOX, to show a test neither deletes nor flags anything. */
async function inbox(): Promise<string> {
  const lock = await imap.getMailboxLock('INBOX');
  try {
    const entries: string[] = [];
    for await (const m of imap.fetch('1:*', { uid: true, flags: true })) {
      entries.push(`${m.uid}:${[...(m.flags ?? [])].sort().join(',')}`);
    }
    return entries.join(' ');
  } finally {
    lock.release();
  }
}

beforeAll(async () => {
  dovecot = await startTestDovecot({ [user]: password });
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
  for (const tag of ['one', 'two']) {
    await imap.append(
      'INBOX',
      Buffer.from(
        `From: a@customer.test\r\nSubject: ${tag}\r\nMessage-ID: <${tag}@customer.test>\r\n\r\n${tag}\r\n`,
      ),
    );
  }
  h = await startHarness();
  const created = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: { name: 'probe.test', hostingType: 'on_premise', aliasDomain: 'probe.test' },
  });
  expect(created.statusCode, created.body).toBe(201);
  databaseId = created.json().id as string;
});

afterAll(async () => {
  await imap?.logout().catch(() => imap.close());
  await h?.close();
  dovecot?.stop();
});

describe('Test & Confirm (R7.1) against Dovecot', () => {
  it.each(['imap', 'pop3'] as const)(
    '%s: logs in and opens the mailbox, confirms the server, and deletes or flags nothing',
    async (protocol) => {
      const before = await inbox();
      expect(before.split(' ')).toHaveLength(2);
      const id = await createServer({ protocol });
      expect((await read(id)).state).toBe('draft');

      const result = await test(id);
      expect(result).toMatchObject({ ok: true, code: null, step: null, state: 'confirmed' });
      expect(result.message).toMatch(/^Connection Test Successful!/);
      // The password never appears in the transcript.
      expect(result.transcript.join('\n')).not.toContain(password);
      expect(result.transcript.some((l) => l.startsWith('S: '))).toBe(true);

      const row = await read(id);
      expect(row).toMatchObject({ state: 'confirmed', lastError: null, lastTest: { ok: true, code: null } });
      expect(await inbox()).toBe(before);
    },
  );

  it.each(['imap', 'pop3'] as const)(
    '%s: a wrong password gets the authentication diagnosis and leaves the server unconfirmed',
    async (protocol) => {
      const id = await createServer({ protocol, password: 'not-the-password' });
      const result = await test(id);
      expect(result).toMatchObject({ ok: false, code: 'MAILBOX_AUTH_FAILED', step: 'auth', state: 'draft' });
      expect(result.message).toMatch(
        /^Authentication failed: the server 127\.0\.0\.1:\d+ refused the username or password.*Check the username and password\.$/,
      );
      expect(result.transcript.join('\n')).not.toContain('not-the-password');
      const row = await read(id);
      expect(row.state).toBe('draft');
      expect(row.lastError).toBe(result.message);
      expect(row.lastTest).toMatchObject({ ok: false, code: 'MAILBOX_AUTH_FAILED' });
    },
  );

  it.each(['imap', 'pop3'] as const)('%s: a closed port is diagnosed as refused', async (protocol) => {
    const closedPort = await freePort();
    const id = await createServer({ protocol, port: closedPort });
    const result = await test(id);
    expect(result).toMatchObject({
      ok: false,
      code: 'MAILBOX_CONNECTION_REFUSED',
      step: 'connect',
      state: 'draft',
    });
    expect(result.message).toBe(
      `The server 127.0.0.1 refused the connection on port ${closedPort}. Check the port number and that the mail server is running.`,
    );
  });

  it('imap: a folder that does not exist is diagnosed as such', async () => {
    const id = await createServer({ protocol: 'imap', folder: 'No Such Folder' });
    const result = await test(id);
    expect(result).toMatchObject({
      ok: false,
      code: 'MAILBOX_FOLDER_MISSING',
      step: 'folder',
      state: 'draft',
    });
    expect(result.message).toContain('The folder "No Such Folder" does not exist');
  });

  it.each(['imap', 'pop3'] as const)(
    '%s: STARTTLS against a server without TLS is diagnosed as not offered',
    async (protocol) => {
      const id = await createServer({ protocol, security: 'starttls' });
      const result = await test(id);
      expect(result).toMatchObject({ ok: false, code: 'MAILBOX_STARTTLS_NOT_OFFERED', step: 'starttls' });
    },
  );

  it.each(['imap', 'pop3'] as const)(
    '%s: SSL/TLS against a plain port is a TLS mismatch',
    async (protocol) => {
      const id = await createServer({ protocol, security: 'ssl' });
      const result = await test(id);
      expect(result).toMatchObject({ ok: false, code: 'MAILBOX_TLS_MISMATCH', step: 'tls', state: 'draft' });
    },
  );

  it('a failed test takes a confirmed server back to unconfirmed', async () => {
    const id = await createServer({ protocol: 'pop3' });
    expect((await test(id)).state).toBe('confirmed');
    // The password changes on the mail server: the next test fails and the server stops being fetched.
    dovecot.setUsers({ [user]: 'changed-on-the-server' });
    // Dovecot notices a changed passwd file by its mtime, in whole seconds.
    await new Promise((r) => setTimeout(r, 1_100));
    const result = await test(id);
    expect(result).toMatchObject({ ok: false, code: 'MAILBOX_AUTH_FAILED', state: 'draft' });
    expect((await read(id)).state).toBe('draft');
    dovecot.setUsers({ [user]: password });
  });

  it('answers 404 for a server of another database, as for one that does not exist', async () => {
    const id = await createServer({ protocol: 'imap' });
    const other = await h.call({
      method: 'POST',
      url: '/v1/databases',
      payload: { name: 'other.test', hostingType: 'on_premise', aliasDomain: 'other.test' },
    });
    const res = await h.call({
      method: 'POST',
      url: `/v1/databases/${other.json().id}/incoming-servers/${id}/test`,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect((await read(id)).state).toBe('draft');
  });
});
