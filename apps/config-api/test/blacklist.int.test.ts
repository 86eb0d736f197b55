import { isBlacklisted } from '@sotamail/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './api-harness.js';

// The blacklist API (R10.3) against a real PostgreSQL: list, add, remove with history, one database's
// key never reaching another database's list.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Entry = {
  id: string;
  email: string;
  active: boolean;
  note: string;
  source: string;
  createdBy: string | null;
  createdAt: string;
  removedAt: string | null;
  removedBy: string | null;
  removedNote: string | null;
};

async function createDatabase(name: string) {
  const res = await h.call({
    method: 'POST',
    url: '/v1/databases',
    payload: { name, hostingType: 'online' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

const list = async (db: string, query = '', token?: string) => {
  const res = await h.call({ method: 'GET', url: `/v1/databases/${db}/blacklist${query}`, token });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: Entry[] }).items;
};

describe('blacklist API', () => {
  it('adds an address with a note, lists it, and the mass lane sees it', async () => {
    const db = await createDatabase('Blacklist A');
    const res = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/blacklist`,
      payload: { email: ' Mary@Customer.TEST ', note: 'asked by phone not to get newsletters' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const entry = res.json() as Entry;
    expect(entry).toMatchObject({
      email: 'mary@customer.test',
      active: true,
      note: 'asked by phone not to get newsletters',
      source: 'manual',
      createdBy: 'operator',
      removedAt: null,
    });
    expect((await list(db)).map((e) => e.id)).toEqual([entry.id]);
    expect(await isBlacklisted(h.db.db, db, 'MARY@customer.test')).toBe(true);
    expect(await isBlacklisted(h.db.db, db, 'joe@customer.test')).toBe(false);
  });

  it('refuses a second active entry for the same address, and a bad address, with a clear message', async () => {
    const db = await createDatabase('Blacklist B');
    const url = `/v1/databases/${db}/blacklist`;
    expect((await h.call({ method: 'POST', url, payload: { email: 'a@b.test' } })).statusCode).toBe(201);
    const again = await h.call({ method: 'POST', url, payload: { email: 'A@B.test' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(
      /^a@b\.test is already blacklisted \(entry [0-9a-f-]{36}\)\.$/,
    );
    const bad = await h.call({ method: 'POST', url, payload: { email: 'not an address' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('must be an email address');
    expect(bad.body).not.toMatch(/\n\s+at /);
  });

  it('removal keeps the entry as history: who, when and why', async () => {
    const db = await createDatabase('Blacklist C');
    const key = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/api-keys`,
      payload: { name: 'erp' },
    });
    const { id: keyId, key: token } = key.json() as { id: string; key: string };
    const added = (
      await h.call({
        method: 'POST',
        url: `/v1/databases/${db}/blacklist`,
        payload: { email: 'x@y.test' },
        token,
      })
    ).json() as Entry;
    expect(added.createdBy).toBe(`api-key:${keyId}`);

    const removed = await h.call({
      method: 'DELETE',
      url: `/v1/databases/${db}/blacklist/${added.id}`,
      payload: { note: 'the customer fixed the mailbox' },
      token,
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({
      id: added.id,
      active: false,
      removedBy: `api-key:${keyId}`,
      removedNote: 'the customer fixed the mailbox',
    });
    expect(Date.parse((removed.json() as Entry).removedAt ?? '')).not.toBeNaN();
    expect(await list(db)).toEqual([]);
    expect((await list(db, '?history=true')).map((e) => [e.id, e.active])).toEqual([[added.id, false]]);
    expect(await isBlacklisted(h.db.db, db, 'x@y.test')).toBe(false);

    const twice = await h.call({ method: 'DELETE', url: `/v1/databases/${db}/blacklist/${added.id}` });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('was already removed');

    // The address can be listed again; history keeps both entries.
    const readded = await h.call({
      method: 'POST',
      url: `/v1/databases/${db}/blacklist`,
      payload: { email: 'x@y.test' },
    });
    expect(readded.statusCode).toBe(201);
    expect(await list(db, '?history=true&email=X@y.test')).toHaveLength(2);
    expect(await list(db)).toHaveLength(1);
  });

  it('another database’s key gets 404, for the list and for an entry', async () => {
    const a = await createDatabase('Blacklist D');
    const b = await createDatabase('Blacklist E');
    const entry = (
      await h.call({ method: 'POST', url: `/v1/databases/${a}/blacklist`, payload: { email: 'p@q.test' } })
    ).json() as Entry;
    const keyOfB = (
      await h.call({ method: 'POST', url: `/v1/databases/${b}/api-keys`, payload: { name: 'erp' } })
    ).json().key as string;
    expect(
      (await h.call({ method: 'GET', url: `/v1/databases/${a}/blacklist`, token: keyOfB })).statusCode,
    ).toBe(404);
    // Through its own database's URL, B's key cannot reach A's entry either.
    const cross = await h.call({
      method: 'DELETE',
      url: `/v1/databases/${b}/blacklist/${entry.id}`,
      token: keyOfB,
    });
    expect(cross.statusCode).toBe(404);
    expect(await isBlacklisted(h.db.db, a, 'p@q.test')).toBe(true);
  });

  it('is documented in the OpenAPI description', async () => {
    const doc = (await h.call({ method: 'GET', url: '/docs/json', token: null })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/v1/databases/{databaseId}/blacklist'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(doc.paths['/v1/databases/{databaseId}/blacklist/{id}'] ?? {})).toEqual(['delete']);
  });
});
