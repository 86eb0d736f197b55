import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  freePort,
  startService,
  type TestDatabase,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const baseEnv = () => ({
  DATABASE_URL: db.url,
  REDIS_URL: testEnv.redisUrl,
  QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
  LOG_LEVEL: 'info',
  SHUTDOWN_TIMEOUT_MS: '5000',
  SOTAMAIL_SECRET_KEY: randomBytes(32).toString('base64'),
  SMTP_INGRESS_PORT: '0',
});

describe.each(['fetcher', 'router', 'dispatcher', 'bounce-processor'])('%s process', (service) => {
  it('starts, reports ready, logs JSON and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const proc = startService(service, { ...baseEnv(), HEALTH_PORT: String(port) });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health`, 20_000);
      const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 10_000);
      const body = (await ready.json()) as { checks: { name: string; ok: boolean }[] };
      expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
        ['postgres', true],
        ['redis', true],
      ]);
    } finally {
      proc.child.kill('SIGTERM');
    }
    const { code } = await proc.exited;
    expect(code, proc.output()).toBe(0);
    const lines = proc
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { service: string; msg: string });
    expect(lines.every((l) => l.service === service)).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['service.started', 'shutdown.start', 'shutdown.done']),
    );
  });
});

describe('configuration errors', () => {
  it('lists every problem and exits 1 without a stack trace', async () => {
    const proc = startService('dispatcher', { ...baseEnv(), REDIS_URL: 'http://nope', HEALTH_PORT: 'abc' });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/REDIS_URL: must be a URL starting with redis:/);
    expect(proc.output()).toMatch(/HEALTH_PORT: /);
    expect(proc.output()).not.toMatch(/SOTAMAIL_SECRET_KEY/);
    expect(proc.output()).not.toMatch(/\n\s+at /);
  });

  it('config-api names its missing secrets', async () => {
    const { SOTAMAIL_SECRET_KEY: _omitted, ...env } = baseEnv();
    const proc = startService('config-api', { ...env, PORT: '0' });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/SOTAMAIL_OPERATOR_TOKEN: is required/);
    expect(proc.output()).toMatch(/SOTAMAIL_SECRET_KEY: is required/);
  });

  it('exits 1 with a clear log line when PostgreSQL is unreachable', async () => {
    const port = await freePort();
    const deadPg = await freePort();
    const proc = startService('router', {
      ...baseEnv(),
      DATABASE_URL: `postgres://x:y@127.0.0.1:${deadPg}/none`,
      HEALTH_PORT: String(port),
    });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/startup.dependency_unavailable/);
  });
});

describe('config-api process', () => {
  it('serves the API on its port and stops cleanly', async () => {
    const port = await freePort();
    const token = randomBytes(24).toString('base64url');
    const proc = startService('config-api', {
      ...baseEnv(),
      PORT: String(port),
      SOTAMAIL_OPERATOR_TOKEN: token,
      SOTAMAIL_SECRET_KEY: randomBytes(32).toString('base64'),
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 20_000);
      const res = await fetch(`http://127.0.0.1:${port}/v1/databases`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect((await proc.exited).code, proc.output()).toBe(0);
  });
});
