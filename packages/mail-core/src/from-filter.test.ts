import { describe, expect, it } from 'vitest';
import {
  filterContainsAddress,
  filterContainsDomain,
  fromFilterParts,
  isEmptyFromFilter,
  matchesFromFilter,
} from './from-filter.js';

describe('matchesFromFilter', () => {
  it.each([
    // An empty filter allows every sender, even one we cannot parse.
    ['admin@example.com', null, true],
    ['admin@example.com', undefined, true],
    ['admin@example.com', '', true],
    ['admin@example.com', '   ', true],
    ['admin@example.com', ' , ,', true],
    ['not an address', null, true],
    // Domain filters: exact domain, any case.
    ['admin@example.com', 'example.com', true],
    ['"Admin" <admin@example.com>', 'example.com', true],
    ['admin@EXAMPLE.com', 'example.COM', true],
    ['admin@example.com', '  example.com  ', true],
    ['admin@example.com', 'other.com', false],
    // Sub-domains and look-alikes do not match (reference-odoo §1.3).
    ['admin@mail.example.com', 'example.com', false],
    ['admin@mmail.example.com', 'mail.example.com', false],
    ['admin@example.com', 'mail.example.com', false],
    ['admin@example.com.evil.com', 'example.com', false],
    // Non-ASCII filter domains do not match their IDNA form, nor the reverse.
    ['admin@mail.example.com', 'mail.éxample.com', false],
    ['admin@mail.éxample.com', 'mail.xn--xample-9ua.com', false],
    ['admin@mail.éxample.com', 'mail.éxample.com', true],
    // Full-address filters: the whole normalised address must be equal.
    ['admin@example.com', 'admin@example.com', true],
    ['"Someone" <ADMIN@Example.com>', 'admin@example.com', true],
    ['admin@example.com', 'ADMIN@EXAMPLE.COM', true],
    ['other@example.com', 'admin@example.com', false],
    ['admin@mail.example.com', 'admin@example.com', false],
    // An address part never matches as a domain, nor a domain part as an address.
    ['example.com@example.com', 'example.com@example.com', true],
    ['admin@example.com', '@example.com', false],
    // Comma-separated lists: any part may match.
    ['admin@example.com', 'other.com, example.com', true],
    ['admin@example.com', 'other.com,admin@example.com', true],
    ['someone@other.com', 'example.com, admin@example.com', false],
    ['admin@example.com', ',,example.com,', true],
    // An unparsable sender is refused by any non-empty filter.
    ['not an address', 'example.com', false],
    ['', 'example.com', false],
  ])('%j with filter %j → %s', (address, filter, expected) => {
    expect(matchesFromFilter(address, filter)).toBe(expected);
  });
});

describe('fromFilterParts / isEmptyFromFilter', () => {
  it.each([
    [null, [], true],
    ['', [], true],
    [' , ', [], true],
    ['example.com', ['example.com'], false],
    [' a.com ,b@c.com,, d.com ', ['a.com', 'b@c.com', 'd.com'], false],
  ])('%j → %j (empty: %s)', (filter, parts, empty) => {
    expect(fromFilterParts(filter)).toEqual(parts);
    expect(isEmptyFromFilter(filter)).toBe(empty);
  });
});

describe('filterContainsAddress / filterContainsDomain', () => {
  it.each([
    // [filter, normalised address, domain, contains address, contains domain]
    ['example.com', 'admin@example.com', 'example.com', false, true],
    ['admin@example.com', 'admin@example.com', 'example.com', true, false],
    ['Admin@Example.com, other.com', 'admin@example.com', 'EXAMPLE.com', true, false],
    [null, 'admin@example.com', 'example.com', false, false],
    ['', 'admin@example.com', 'example.com', false, false],
  ])('%j: address %j → %s, domain %j → %s', (filter, address, domain, byAddress, byDomain) => {
    expect(filterContainsAddress(filter, address)).toBe(byAddress);
    expect(filterContainsDomain(filter, domain)).toBe(byDomain);
  });
});
