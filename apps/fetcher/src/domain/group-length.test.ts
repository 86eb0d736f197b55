import { describe, expect, it } from 'vitest';
import { groupLength } from './group-length.js';

const limits = { maxMails: 3, maxBytes: 100 };

describe('groupLength', () => {
  it.each([
    { sizes: [], expected: 0, why: 'nothing waiting' },
    { sizes: [10], expected: 1, why: 'a lone mail' },
    { sizes: [10, 10, 10, 10], expected: 3, why: 'at most maxMails' },
    { sizes: [60, 40, 1], expected: 2, why: 'exactly maxBytes fits' },
    { sizes: [60, 41, 1], expected: 1, why: 'one byte over stops the group' },
    { sizes: [500, 1], expected: 1, why: 'a mail over maxBytes goes alone' },
    { sizes: [1, 500, 1], expected: 1, why: 'and is not joined to the ones before it' },
  ])('$why: $sizes → $expected', ({ sizes, expected }) => {
    expect(groupLength(sizes, limits)).toBe(expected);
  });
});
