import { schema } from '@sotamail/db';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DispatchHarness,
  mailStates,
  post,
  seedThread,
  startDispatchHarness,
  waitUntil,
} from './outbound-harness.js';

// Several dispatcher processes against one database and one Redis: the limits must hold across
// instances, and a killed instance must lose nothing.

let d: DispatchHarness;
beforeEach(async () => {
  d = await startDispatchHarness();
});
afterEach(async () => {
  await d?.close();
});

const oneDay = 24 * 3600 * 1000;

describe('daily limit (R1.1)', () => {
  it('sends exactly the limit with three dispatchers racing, defers the rest, and sends it when the window moves', async () => {
    const s = await seedThread(d.h, { followers: 250, dailyLimit: 200 });
    await Promise.all([d.startDispatcher(), d.startDispatcher(), d.startDispatcher()]);
    await post(d.h, s);
    const states = await waitUntil(
      '200 sent and 50 deferred',
      () => mailStates(d.h, s.databaseId),
      (c) => (c.sent ?? 0) + (c.deferred ?? 0) === 250,
      60_000,
    );
    expect(states).toEqual({ sent: 200, deferred: 50 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.sink.received).toHaveLength(200);
    const deferred = await d.h.db.db
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.status, 'deferred'));
    expect(deferred).toHaveLength(50);
    expect(deferred[0]?.failureReason).toMatch(/deferred: daily limit of 200/);

    // The next UTC day: dispatchers whose clock is a day ahead release the deferred mail.
    await d.stopDispatchers();
    await d.startDispatcher({ CLOCK_OFFSET_MS: String(oneDay) });
    await waitUntil(
      'all 250 sent',
      () => mailStates(d.h, s.databaseId),
      (c) => c.sent === 250,
      60_000,
    );
    const recipients = d.sink.received.flatMap((m) => m.rcptTo);
    expect(recipients).toHaveLength(250);
    expect(new Set(recipients).size).toBe(250);
  }, 150_000);
});

describe('per-server rate limit (R5.2)', () => {
  it('holds N per minute across two dispatcher processes', async () => {
    const s = await seedThread(d.h, { followers: 8, hostingType: 'on_premise' });
    const server = await d.h.call({
      method: 'POST',
      url: `/v1/databases/${s.databaseId}/outgoing-servers`,
      payload: {
        name: 'M365-like',
        host: '127.0.0.1',
        port: d.sink.port,
        security: 'none',
        maxPerMinute: 5,
        maxConnections: 3,
      },
    });
    expect(server.statusCode, server.body).toBe(201);
    await Promise.all([d.startDispatcher(), d.startDispatcher()]);
    await post(d.h, s);
    await d.sink.waitFor(5, 20_000);
    await new Promise((r) => setTimeout(r, 4000));
    expect(d.sink.received).toHaveLength(5);
    expect(await mailStates(d.h, s.databaseId)).toMatchObject({ sent: 5 });
    const all = await d.sink.waitFor(8, 110_000);
    const first = all[0]?.at ?? 0;
    expect(all.slice(0, 5).every((m) => m.at - first < 60_000)).toBe(true);
    expect(all.slice(5).every((m) => m.at - first >= 59_000)).toBe(true);
    await waitUntil(
      'all sent',
      () => mailStates(d.h, s.databaseId),
      (c) => c.sent === 8,
      10_000,
    );
  }, 160_000);
});

describe('crash safety', () => {
  it('loses nothing when a dispatcher is killed with SIGKILL mid-batch', async () => {
    d.sink.behaviour.dataDelayMs = 40;
    const s = await seedThread(d.h, { followers: 120 });
    // A short claim lease, so mails the victim had claimed are taken again within seconds.
    const env = {
      TRANSACTIONAL_CONCURRENCY: '4',
      SENDS_PER_JOB: '2',
      JOB_LOCK_MS: '4000',
      CLAIM_LEASE_MS: '6000',
      // The lease must outlast a batch's slice and a send's timeout (checked at start).
      BATCH_SLICE_MS: '2000',
      SMTP_TIMEOUT_MS: '3000',
    };
    const victim = await d.startDispatcher(env);
    await d.startDispatcher(env);
    await post(d.h, s);
    await d.sink.waitFor(30, 30_000);
    victim.child.kill('SIGKILL');
    await victim.exited;
    await d.startDispatcher(env);
    const states = await waitUntil(
      'every mail settled',
      () => mailStates(d.h, s.databaseId),
      (c) => c.sent === 120,
      90_000,
    );
    expect(states).toEqual({ sent: 120 });
    const recipients = d.sink.received.flatMap((m) => m.rcptTo);
    expect(new Set(recipients).size).toBe(120);
    // Only mail the SMTP server had accepted while the victim died before recording it can go twice:
    // at most the victim's sends in flight (4 jobs × 2 sends); see the README's crash window.
    expect(recipients.length - 120).toBeLessThanOrEqual(8);
  }, 150_000);
});
