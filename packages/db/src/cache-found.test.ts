import { describe, expect, it } from 'vitest';
import { cacheFound } from './cache-found.js';

type TenantContext = { tenant: { id: string }; params: Record<string, string> };

const context = (id: string, version: number): TenantContext => ({
  tenant: { id },
  params: { version: String(version) },
});

function fakeLoader(answer: (id: string, call: number) => Promise<TenantContext | undefined>) {
  const calls: string[] = [];
  return {
    calls,
    load: (id: string) => {
      calls.push(id);
      return answer(id, calls.length);
    },
  };
}

describe('cacheFound (a database and its parameters)', () => {
  it('loads a database once within the time to live, and again after it', async () => {
    let clock = 0;
    const source = fakeLoader(async (id, call) => context(id, call));
    const get = cacheFound(source.load, { ttlMs: 5_000, now: () => clock });
    expect((await get('a'))?.params.version).toBe('1');
    clock = 4_999;
    expect((await get('a'))?.params.version).toBe('1');
    expect((await get('b'))?.params.version).toBe('2');
    clock = 5_000;
    expect((await get('a'))?.params.version).toBe('3');
    expect(source.calls).toEqual(['a', 'b', 'a']);
  });

  it('shares one load between mail arriving together', async () => {
    const source = fakeLoader(async (id) => context(id, 1));
    const get = cacheFound(source.load, { ttlMs: 5_000, now: () => 0 });
    await Promise.all([get('a'), get('a'), get('a')]);
    expect(source.calls).toEqual(['a']);
  });

  it('does not remember a missing database or a failed load', async () => {
    const source = fakeLoader(async (id, call) => {
      if (call === 1) {
        return undefined;
      }
      if (call === 2) {
        throw new Error('database down');
      }
      return context(id, call);
    });
    const get = cacheFound(source.load, { ttlMs: 5_000, now: () => 0 });
    expect(await get('a')).toBeUndefined();
    await expect(get('a')).rejects.toThrow('database down');
    expect((await get('a'))?.params.version).toBe('3');
    expect(source.calls).toHaveLength(3);
  });

  it('asks every time when the time to live is 0', async () => {
    const source = fakeLoader(async (id, call) => context(id, call));
    const get = cacheFound(source.load, { ttlMs: 0 });
    await get('a');
    await get('a');
    expect(source.calls).toHaveLength(2);
  });
});
