import { randomUUID } from 'node:crypto';
import {
  addFollower,
  contactRows,
  insertTenant,
  type RoutedMessage,
  storeRawInbound,
  storeRoutedMessage,
  storeRoutedReplies,
  threadRows,
} from '@sotamail/db';
import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Against real PostgreSQL: the replies of a routing batch stored in one statement come to exactly
// what storing them one by one comes to (messages, followers' mails and notifications, the decisions
// noted, bounce counters reset), a Message-ID stored before or earlier in the batch stores nothing
// again, and a batch that cannot be stored leaves nothing behind.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

type World = { tenantId: string; threadId: string; ada: string; bob: string };

/**
 * A thread followed by Ada, Bob (twice: two contacts share his address) and Cy, whose address
 * bounced; Bob is the author of the replies, so only Ada and Cy get mails.
 */
async function world(name: string): Promise<World> {
  const tenant = await insertTenant(db.db, { name, hostingType: 'online', aliasDomain: `${name}.test` }, {});
  const tenantId = tenant.id;
  const thread = await threadRows.insert(db.db, {
    tenantId,
    model: 'sale.order',
    recordId: '1',
    subject: 'S1',
  });
  const contact = async (who: string, email: string, bounceCount = 0) => {
    const row = await contactRows.insert(db.db, {
      tenantId,
      name: who,
      email,
      emailNormalized: email.toLowerCase(),
      bounceCount,
    });
    await addFollower(db.db, tenantId, thread.id, row.id);
    return row.id;
  };
  const ada = await contact('Ada', 'Ada@Client.test');
  const bob = await contact('Bob', 'bob@client.test', 3);
  await contact('Bob (old)', 'bob@client.test');
  await contact('Cy', 'cy@client.test');
  return { tenantId, threadId: thread.id, ada, bob };
}

async function rawMail(tenantId: string): Promise<string> {
  const raw = Buffer.from('Subject: x\r\n\r\nx\r\n');
  const { id } = await storeRawInbound(db.db, {
    tenantId,
    source: 'smtp',
    sourceKey: `smtp:${randomUUID()}`,
    raw,
    size: raw.length,
    sha256: randomUUID(),
    envelopeFrom: 'bob@client.test',
    envelopeTo: ['catchall@x.test'],
  });
  return id;
}

/** Every byte value, zero included, in an order a wrong offset or length would not reproduce. */
const binary = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37) % 256));
const file = (filename: string, content: Buffer, contentType = 'application/octet-stream') => ({
  filename,
  contentType,
  content,
  sha256: `sha-of-${filename}`,
});
/** The files of reply n: two for the first, one for the auto-reply, one for the copy (never stored). */
const filesOf = (n: number) =>
  n === 1
    ? [
        file('order.pdf', binary, 'application/pdf'),
        file('notes.txt', Buffer.from('ligne 1\r\nété\r\n'), 'text/plain'),
      ]
    : n === 2
      ? [file('empty.bin', Buffer.alloc(0))]
      : [file('copy.bin', Buffer.from("the copy's file"))];

/** Bob's replies: a person's (resets his bounce counter), an auto-reply (notifies nobody), a copy. */
async function replies(w: World, tag: string): Promise<RoutedMessage[]> {
  const reply = async (n: number, messageId: string, auto: boolean): Promise<RoutedMessage> => ({
    rawInboundId: await rawMail(w.tenantId),
    decision: { action: 'reply', sender: 'bob@client.test', fingerprint: `fp-${n}`, reasons: [`r${n}`] },
    message: {
      tenantId: w.tenantId,
      threadId: w.threadId,
      kind: 'email',
      // The auto-reply's author is unknown: NULLs among the batch's values.
      authorContactId: auto ? null : w.bob,
      authorEmail: auto ? null : 'Bob@Client.test',
      authorName: auto ? null : 'Bob',
      subject: `Re: S1 (${n})`,
      bodyHtml: n === 1 ? '<p>It\'s "fine" \\o/</p>' : '',
      bodyText: `Answer ${n}, with a quote: "x" and a backslash \\`,
      messageId,
      inReplyTo: 'posted@erp.test',
      references: ['posted@erp.test', `ref-${n}@client.test`],
      notifyFollowers: !auto,
    },
    resetBounceOf: auto ? null : 'Bob@Client.test',
    attachments: filesOf(n),
  });
  return [
    await reply(1, `r1-${tag}@client.test`, false),
    await reply(2, `r2-${tag}@client.test`, true),
    await reply(3, `r1-${tag}@client.test`, false),
  ];
}

/** Everything a store leaves in the database, without ids and times, comparable across databases. */
async function footprint(w: World, tag: string) {
  const messages = await db.pool.query(
    `select m.subject, m.body_html, m.body_text, m.message_id, m.in_reply_to, m."references", m.kind,
            m.author_email, m.author_name, m.author_contact_id = $2 as by_bob, r.decision, r.sender_email,
            r.content_fingerprint,
            array(select o.recipient_email || ' ' || o.recipient_name || ' ' || o.state || ' ' || o.lane
                    from outgoing_mails o where o.message_id = m.id order by 1) as mails,
            array(select n.email from notifications n
                    join outgoing_mails o on o.id = n.outgoing_mail_id and o.message_id = m.id
                   where n.message_id = m.id order by 1) as notified,
            array(select a.filename || ' ' || a.content_type || ' ' || a.size || ' ' || a.sha256 || ' '
                         || encode(a.content, 'hex')
                    from attachments a where a.message_id = m.id and a.tenant_id = m.tenant_id
                   order by a.filename) as files
       from messages m join raw_inbound_messages r on r.id = m.raw_inbound_id
      where m.tenant_id = $1 order by m.subject`,
    [w.tenantId, w.bob],
  );
  const notes = await db.pool.query(
    `select decision, sender_email, content_fingerprint from raw_inbound_messages
      where tenant_id = $1 order by decision->'reasons'->>0`,
    [w.tenantId],
  );
  const bounces = await db.pool.query(
    'select name, bounce_count from contacts where tenant_id = $1 order by name',
    [w.tenantId],
  );
  return {
    messages: messages.rows.map((m) => ({ ...m, message_id: String(m.message_id).replace(tag, 'TAG') })),
    notes: notes.rows,
    bounces: bounces.rows,
  };
}

describe('storing the replies of a batch together', () => {
  it('comes to what storing them one by one comes to', async () => {
    const one = await world('one-by-one');
    const together = await world('together');
    const single = [];
    for (const reply of await replies(one, 'one')) {
      single.push(await storeRoutedMessage(db.db, reply));
    }
    const batch = await storeRoutedReplies(db.db, together.tenantId, await replies(together, 'together'));

    expect(single.map((s) => s.created)).toEqual([true, true, false]);
    expect(batch.map((s) => s.created)).toEqual([true, true, false]);
    const mailCounts = (stored: { created: boolean; outgoingMailIds?: string[] }[]) =>
      stored.map((s) => s.outgoingMailIds?.length ?? 0);
    // Ada and Cy are told of the person's reply; nobody of the auto-reply (R9.3).
    expect(mailCounts(batch)).toEqual([2, 0, 0]);
    expect(mailCounts(batch)).toEqual(mailCounts(single));

    const expected = await footprint(one, 'one');
    expect(expected.messages.map((m) => m.mails)).toEqual([
      ['Ada@Client.test Ada ready transactional', 'cy@client.test Cy ready transactional'],
      [],
    ]);
    expect(expected.bounces.find((c) => c.name === 'Bob')?.bounce_count).toBe(0);
    // Each file with its own message, byte for byte; the copy's file is not stored (R9.4).
    const hex = (f: ReturnType<typeof file>) =>
      `${f.filename} ${f.contentType} ${f.content.length} ${f.sha256} ${f.content.toString('hex')}`;
    expect(expected.messages.map((m) => m.files)).toEqual([filesOf(1).map(hex).sort(), filesOf(2).map(hex)]);
    expect(await footprint(together, 'together')).toEqual(expected);
  });

  it('returns the ids of the stored messages and of their followers’ mails', async () => {
    const w = await world('ids');
    const [first] = await storeRoutedReplies(db.db, w.tenantId, (await replies(w, 'ids')).slice(0, 1));
    if (!first?.created) {
      throw new Error('the reply was not stored');
    }
    const { rows } = await db.pool.query<{ id: string }>(
      'select id from outgoing_mails where message_id = $1 order by id',
      [first.messageId],
    );
    expect([...first.outgoingMailIds].sort()).toEqual(rows.map((r) => r.id));
  });

  it('stores nothing for a Message-ID stored before', async () => {
    const w = await world('before');
    const [first, ...rest] = await replies(w, 'before');
    await storeRoutedReplies(db.db, w.tenantId, [first as RoutedMessage]);
    expect((await storeRoutedReplies(db.db, w.tenantId, rest)).map((s) => s.created)).toEqual([true, false]);
    const { rows } = await db.pool.query('select count(*)::int as n from messages where tenant_id = $1', [
      w.tenantId,
    ]);
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('stores nothing of a batch one of whose replies cannot be stored', async () => {
    const w = await world('refused');
    const batch = await replies(w, 'refused');
    const gone = { ...batch[1], message: { ...batch[1]?.message, threadId: randomUUID() } } as RoutedMessage;
    await expect(storeRoutedReplies(db.db, w.tenantId, [batch[0] as RoutedMessage, gone])).rejects.toThrow();
    const counts = await db.pool.query(
      `select (select count(*)::int from messages where tenant_id = $1) as messages,
              (select count(*)::int from outgoing_mails where tenant_id = $1) as mails,
              (select count(*)::int from raw_inbound_messages where tenant_id = $1 and decision is not null) as noted,
              (select bounce_count from contacts where id = $2) as bob_bounces`,
      [w.tenantId, w.bob],
    );
    expect(counts.rows).toEqual([{ messages: 0, mails: 0, noted: 0, bob_bounces: 3 }]);
  });

  it('refuses replies of another database than the one it stores for', async () => {
    const w = await world('other');
    const other = await world('other-2');
    await expect(storeRoutedReplies(db.db, other.tenantId, await replies(w, 'other'))).rejects.toThrow(
      /every reply must be of the database/,
    );
  });
});
