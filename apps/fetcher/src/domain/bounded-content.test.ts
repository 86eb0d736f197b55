import { describe, expect, it } from 'vitest';
import { BoundedContent } from './bounded-content.js';

const bytes = (n: number, fill = 0x61) => Buffer.alloc(n, fill);

describe('BoundedContent', () => {
  it.each([
    { chunks: [], content: '', held: 0, why: 'an empty transaction' },
    { chunks: [3, 4], content: 'aaaaaaa', held: 7, why: 'within the limit: every byte, in order' },
    { chunks: [5, 5], content: 'aaaaaaaaaa', held: 10, why: 'exactly the limit still fits' },
    { chunks: [5, 6], content: null, held: 0, why: 'one byte over: refused, nothing kept' },
    { chunks: [11], content: null, held: 0, why: 'one chunk over the limit is not kept either' },
    { chunks: [4, 20, 3, 1_000], content: null, held: 0, why: 'nothing after the limit is kept' },
  ])('$why', ({ chunks, content, held }) => {
    const collected = new BoundedContent(10);
    for (const n of chunks) {
      collected.add(bytes(n));
    }
    expect(collected.content()?.toString('latin1') ?? null).toBe(content);
    expect(collected.exceeded).toBe(content === null);
    expect(collected.heldBytes).toBe(held);
  });

  it('keeps the bytes as they came, whatever they are', () => {
    const collected = new BoundedContent(10);
    collected.add(Buffer.from([0xff, 0x00, 0x0d]));
    collected.add(Buffer.from([0x0a, 0x80]));
    expect([...(collected.content() ?? [])]).toEqual([0xff, 0x00, 0x0d, 0x0a, 0x80]);
  });
});
