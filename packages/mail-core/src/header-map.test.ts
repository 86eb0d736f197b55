import { describe, expect, it } from 'vitest';
import { headerMap, headerMapFromLines, headerValue, headerValues } from './header-map.js';

describe('headerMap', () => {
  it('lower-cases names, keeps every value in mail order, unfolds and trims values', () => {
    const headers = headerMap([
      ['Received', 'from a\r\n\tby b'],
      ['Subject', '  Hello\r\n world  '],
      ['RECEIVED', 'from c\n by d'],
      [' ', 'no name: skipped'],
    ]);
    expect([...headers.keys()]).toEqual(['received', 'subject']);
    expect(headerValues(headers, 'received')).toEqual(['from a\tby b', 'from c by d']);
    expect(headerValue(headers, 'SUBJECT')).toBe('Hello world');
    expect(headerValue(headers, 'X-Absent')).toBeNull();
    expect(headerValues(headers, 'X-Absent')).toEqual([]);
  });
});

describe('headerMapFromLines', () => {
  it.each<[string, string[], Record<string, string[]>]>([
    ['one line', ['Auto-Submitted: auto-replied'], { 'auto-submitted': ['auto-replied'] }],
    ['a folded line', ['Subject: a\r\n b'], { subject: ['a b'] }],
    ['a colon in the value', ['X-Thing: a: b'], { 'x-thing': ['a: b'] }],
    ['an empty value', ['Return-Path: <>', 'X-Autoreply:'], { 'return-path': ['<>'], 'x-autoreply': [''] }],
    ['no colon, or nothing before it', ['garbage', ': x'], {}],
  ])('%s', (_, lines, expected) => {
    expect(Object.fromEntries(headerMapFromLines(lines))).toEqual(expected);
  });
});
