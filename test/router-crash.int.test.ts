import { schema } from '@sotamail/db';
import { and, eq, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailStates, post, seedThread, waitUntil } from './outbound-harness.js';
import { type RouterHarness, startRouterHarness } from './router-harness.js';

// kill -9 of a router while it routes (R7.3, "nothing lost, nothing created twice"): every stored
// mail is routed exactly once, no message, record, notification or event exists twice.

let r: RouterHarness;

beforeAll(async () => {
  r = await startRouterHarness();
  await r.startFetcher();
}, 90_000);

afterAll(async () => {
  await r?.close();
});

const replies = 100;
const leads = 50;
// Short, so the dead router's jobs are handed to the new one within seconds.
const routerEnv = { ROUTER_CONCURRENCY: '8', JOB_LOCK_MS: '2000' };

describe('a router killed with SIGKILL mid-job', () => {
  it('loses nothing and creates nothing twice once another router takes over', async () => {
    const s = await seedThread(r.d.h, { followers: 2, aliasDomain: 'crash.test', dailyLimit: null });
    const alias = await r.d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/aliases`,
      payload: { name: 'sales', model: 'crm.lead' },
    });
    expect(alias.statusCode, alias.body).toBe(201);
    const original = await post(r.d.h, s);

    // Stored while no router runs: the queue fills up, then a router takes it all at once.
    for (let i = 0; i < replies; i++) {
      await r.send({
        from: s.followerEmails[0],
        to: 'catchall@crash.test',
        subject: `Re: Your quote ${i}`,
        text: `answer ${i}`,
        messageId: `<reply-${i}@customer.test>`,
        inReplyTo: `<${original.messageId}>`,
      });
    }
    for (let i = 0; i < leads; i++) {
      await r.send({
        from: `lead${i}@prospect.test`,
        to: 'sales@crash.test',
        subject: `Lead ${i}`,
        text: `I want ${i} chairs`,
        messageId: `<lead-${i}@prospect.test>`,
      });
    }
    const total = replies + leads;
    const processed = async () =>
      Number(
        (
          await r.d.h.db.db
            .select({ n: sql<number>`count(*)` })
            .from(schema.rawInboundMessages)
            .where(
              and(
                eq(schema.rawInboundMessages.tenantId, s.databaseId),
                ne(schema.rawInboundMessages.state, 'received'),
              ),
            )
        )[0]?.n ?? 0,
      );
    expect(await processed()).toBe(0);

    const victim = await r.startRouter(routerEnv);
    const deadline = Date.now() + 30_000;
    while ((await processed()) < 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    const atKill = await processed();
    // The kill happened in the middle of the work, not after it.
    expect(atKill).toBeGreaterThanOrEqual(10);
    expect(atKill).toBeLessThan(total);

    await r.startRouter(routerEnv);
    const raws = await r.waitForProcessed(s.databaseId, total, 60_000);

    // Every mail routed once: the right decision, recorded by exactly one run.
    const actions = raws.map((x) => (x.decision as { action: string }).action);
    expect(actions.filter((a) => a === 'reply')).toHaveLength(replies);
    expect(actions.filter((a) => a === 'new-record')).toHaveLength(leads);
    expect(raws.every((x) => x.state === 'routed' && x.attempts === 1)).toBe(true);

    // No message twice in the thread, no record twice, one message per record.
    const inThread = await r.threadMessages(s.databaseId, s.threadId);
    expect(inThread).toHaveLength(1 + replies);
    expect(new Set(inThread.map((m) => m.messageId)).size).toBe(1 + replies);
    const records = await r.d.h.db.db
      .select()
      .from(schema.threads)
      .where(and(eq(schema.threads.tenantId, s.databaseId), eq(schema.threads.model, 'crm.lead')));
    expect(records).toHaveLength(leads);
    expect(new Set(records.map((t) => t.createdByEmail)).size).toBe(leads);
    for (const record of records) {
      expect(await r.threadMessages(s.databaseId, record.id)).toHaveLength(1);
    }

    // Each record announced once.
    const events = (await r.d.h.deps.producer.queues.get('events')?.getJobs(['waiting', 'completed'])) ?? [];
    const announced = events.map((j) => (j.data as { threadId: string }).threadId);
    expect(announced).toHaveLength(leads);
    expect(new Set(announced)).toEqual(new Set(records.map((t) => t.id)));

    // Each reply notified the two other people once, and all of it went out.
    const expectedMails = 2 + replies * 2;
    await waitUntil(
      'every notification sent',
      () => mailStates(r.d.h, s.databaseId),
      (c) => c.sent === expectedMails,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const toThisDatabase = r.d.sink.received.filter((m) => m.mailFrom.endsWith('@crash.test'));
    expect(toThisDatabase).toHaveLength(expectedMails);
    expect(new Set(toThisDatabase.map((m) => `${m.parsed.messageId} ${m.rcptTo.join()}`)).size).toBe(
      expectedMails,
    );
  }, 180_000);
});
