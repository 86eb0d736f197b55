import { describe, expect, it } from 'vitest';
import { deriveTestSender, type TestSenderInput } from './test-sender.js';

describe('deriveTestSender', () => {
  it.each<[string, TestSenderInput, string | null]>([
    ['a full address filter is used as is', { fromFilter: 'sales@example.com' }, 'sales@example.com'],
    ['the filter is trimmed', { fromFilter: '  sales@example.com ' }, 'sales@example.com'],
    [
      'the first part with @ wins, even after a domain',
      { fromFilter: 'example.com, admin@other.org, b@c.d' },
      'admin@other.org',
    ],
    [
      'a domain filter without parameter uses notifications@',
      { fromFilter: 'example.com' },
      'notifications@example.com',
    ],
    [
      'a domain filter uses a local-part mail.default.from',
      { fromFilter: 'example.com', defaultFrom: 'odoo' },
      'odoo@example.com',
    ],
    [
      'a blank mail.default.from counts as unset',
      { fromFilter: 'example.com', defaultFrom: '  ' },
      'notifications@example.com',
    ],
    [
      'a full mail.default.from in the filter domain is used',
      { fromFilter: 'example.com', defaultFrom: 'hello@Example.COM' },
      'hello@Example.COM',
    ],
    [
      'a full mail.default.from in another domain gives noreply@',
      { fromFilter: 'example.com', defaultFrom: 'hello@other.org' },
      'noreply@example.com',
    ],
    [
      'a list of domains uses the first',
      { fromFilter: 'example.com,example.org', defaultFrom: 'bot' },
      'bot@example.com',
    ],
    ['leading empty parts are skipped', { fromFilter: ' , example.org' }, 'notifications@example.org'],
    [
      'an empty filter uses the fallback',
      { fromFilter: '', fallbackSender: 'me@db.example' },
      'me@db.example',
    ],
    [
      'a blank filter uses the fallback',
      { fromFilter: '  ', fallbackSender: 'me@db.example' },
      'me@db.example',
    ],
    [
      'a filter of only commas uses the fallback',
      { fromFilter: ',', fallbackSender: 'me@db.example' },
      'me@db.example',
    ],
    [
      'a null filter uses the fallback',
      { fromFilter: null, fallbackSender: 'me@db.example' },
      'me@db.example',
    ],
    ['an empty filter without fallback gives null', { fromFilter: '' }, null],
    ['a blank fallback gives null', { fromFilter: undefined, fallbackSender: ' ' }, null],
  ])('%s', (_name, input, expected) => {
    expect(deriveTestSender(input)).toBe(expected);
  });
});
