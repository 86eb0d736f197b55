import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import { formatAddress } from './format-address.js';

describe('formatAddress', () => {
  it.each([
    ['Admin', 'admin@example.com', '"Admin" <admin@example.com>'],
    [null, 'admin@example.com', 'admin@example.com'],
    [undefined, 'admin@example.com', 'admin@example.com'],
    ['', 'admin@example.com', 'admin@example.com'],
    ['   ', 'admin@example.com', 'admin@example.com'],
    ['Doe, John', 'john@example.com', '"Doe, John" <john@example.com>'],
    ['Jo "JJ" Smith', 'jo@example.com', '"Jo \\"JJ\\" Smith" <jo@example.com>'],
    ['back\\slash', 'b@example.com', '"back\\\\slash" <b@example.com>'],
    ['Name name@strange.name', 'x@y.com', '"Name name@strange.name" <x@y.com>'],
    ['Zoë', 'zoe@example.com', '"Zoë" <zoe@example.com>'],
    ['  Lots   of   space ', 'l@example.com', '"Lots of space" <l@example.com>'],
    // A name must never inject a header.
    ['Evil\r\nBcc: victim@example.com', 'e@example.com', '"Evil Bcc: victim@example.com" <e@example.com>'],
  ])('(%j, %j) → %j', (name, address, expected) => {
    expect(formatAddress(name, address)).toBe(expected);
  });

  it.each([
    ['Doe, John'],
    ['Jo "JJ" Smith'],
    ['back\\slash'],
    ['a <b@c.com>, d@e.com'],
    ['(comment) "quoted"'],
  ])('round-trips the name %j through parseAddress', (name) => {
    expect(parseAddress(formatAddress(name, 'x@example.com'))).toEqual({
      ok: true,
      value: expect.objectContaining({ name, address: 'x@example.com' }),
    });
  });
});
