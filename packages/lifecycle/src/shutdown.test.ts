import { createLogger } from '@sotamail/logging';
import { describe, expect, it } from 'vitest';
import { createShutdown } from './shutdown.js';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('createShutdown', () => {
  it('closes in reverse order of registration and exits 0', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 1000, exit: (c) => exits.push(c) });
    shutdown.register({ name: 'db', close: () => void order.push('db') });
    shutdown.register({ name: 'worker', close: async () => void order.push('worker') });
    await shutdown.run('SIGTERM');
    expect(order).toEqual(['worker', 'db']);
    expect(exits).toEqual([0]);
  });

  it('runs once however often it is called', async () => {
    let closed = 0;
    const exits: number[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 1000, exit: (c) => exits.push(c) });
    shutdown.register({ name: 'x', close: () => void closed++ });
    await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);
    await shutdown.run('again');
    expect(closed).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('keeps closing after a failing closer and exits 1', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 1000, exit: (c) => exits.push(c) });
    shutdown.register({ name: 'db', close: () => void order.push('db') });
    shutdown.register({
      name: 'worker',
      close: () => {
        throw new Error('boom');
      },
    });
    await shutdown.run('SIGTERM');
    expect(order).toEqual(['db']);
    expect(exits).toEqual([1]);
  });

  it('exits 1 when asked to, even if every closer succeeds', async () => {
    const exits: number[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 1000, exit: (c) => exits.push(c) });
    shutdown.register({ name: 'db', close: () => {} });
    expect(await shutdown.run('startup failed', 1)).toBe(1);
    expect(exits).toEqual([1]);
  });

  it('exits 1 when the deadline passes', async () => {
    const exits: number[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 50, exit: (c) => exits.push(c) });
    shutdown.register({ name: 'stuck', close: () => new Promise<void>(() => {}) });
    expect(await shutdown.run('SIGTERM')).toBe(1);
    expect(exits).toEqual([1]);
  });
});
