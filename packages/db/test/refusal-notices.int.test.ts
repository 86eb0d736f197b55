import { findRawInbound, insertTenant, type NewNotice, recordRefusal, storeRawInbound } from '@sotamail/db';
import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Against real PostgreSQL: a refused sender gets one notice per day (R8.3, R8.4), and one mail one notice,
// even when an admin routes it again on a later day.

let db: TestDatabase;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  tenantId = (await insertTenant(db.db, { name: 'n', hostingType: 'online', aliasDomain: 'n.test' }, {})).id;
});

afterAll(async () => {
  await db?.drop();
});

let stored = 0;
async function refusedMail(): Promise<string> {
  stored++;
  const raw = Buffer.from(`From: p@x.test\r\nSubject: ${stored}\r\n\r\nhello\r\n`);
  const { id } = await storeRawInbound(db.db, {
    tenantId,
    source: 'smtp',
    sourceKey: `refused-${stored}`,
    raw,
    size: raw.length,
    sha256: `h${stored}`,
    envelopeFrom: 'p@x.test',
    envelopeTo: ['catchall@n.test'],
  });
  return id;
}

const notice = (rawInboundId: string, day: string): NewNotice => ({
  tenantId,
  rawInboundId,
  recipient: 'P@x.test',
  day,
  reason: 'catchall-not-reply',
  subject: 'Re: hello',
  bodyText: 'Write to a thread you follow.',
  refusedMessageId: null,
});

const refuse = (rawInboundId: string, day: string) =>
  recordRefusal(db.db, { rawInboundId, decision: { action: 'refused' }, notice: notice(rawInboundId, day) });

/** What a re-process does to the stored mail before routing it again. */
const reset = (id: string) =>
  db.pool.query(`update raw_inbound_messages set state = 'received', decision = null where id = $1`, [id]);

describe('recordRefusal', () => {
  it('answers a mail once, even routed again on a later day', async () => {
    const mail = await refusedMail();
    expect((await refuse(mail, '2026-11-20')).noticeId).not.toBeNull();
    await reset(mail);
    expect((await refuse(mail, '2026-11-21')).noticeId).toBeNull();
    const raw = await findRawInbound(db.db, tenantId, mail);
    expect(raw?.state).toBe('ignored');
    expect(raw?.decision).toMatchObject({
      notice: { skipped: 'this mail was already answered with a notice on 2026-11-20' },
    });
  });

  it('still answers the same sender once a day for other mail', async () => {
    expect((await refuse(await refusedMail(), '2026-11-22')).noticeId).not.toBeNull();
    expect((await refuse(await refusedMail(), '2026-11-22')).noticeId).toBeNull();
    expect((await refuse(await refusedMail(), '2026-11-23')).noticeId).not.toBeNull();
  });
});
