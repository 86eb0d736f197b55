import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import { encapsulateAddress } from './encapsulate.js';

describe('encapsulateAddress', () => {
  it.each([
    // The seed's and Odoo's examples.
    ['"Admin" <admin@example.com>', 'notifications@mycompany.com', '"Admin" <notifications@mycompany.com>'],
    ['test@unknown_domain.com', 'notifications@test.com', '"test" <notifications@test.com>'],
    ['<Mary@customer.example.com>', 'notifications@mycompany.com', '"Mary" <notifications@mycompany.com>'],
    ['mary@customer.example.com (Mary Major)', 'n@mycompany.com', '"Mary Major" <n@mycompany.com>'],
    ['"Doe, \\"JJ\\"" <jj@example.com>', 'n@mycompany.com', '"Doe, \\"JJ\\"" <n@mycompany.com>'],
  ])('%j in %j → %j', (author, defaultFrom, expected) => {
    const parsed = parseAddress(author);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(encapsulateAddress(parsed.value, defaultFrom)).toBe(expected);
    }
  });
});
