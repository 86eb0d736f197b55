import { describe, expect, it } from 'vitest';
import { domainOf, normalizeAddress, parseAddress } from './address.js';

describe('parseAddress', () => {
  it.each([
    // [header value, name, address, normalized]
    ['admin@example.com', null, 'admin@example.com', 'admin@example.com'],
    ['  admin@example.com  ', null, 'admin@example.com', 'admin@example.com'],
    ['"Admin" <admin@example.com>', 'Admin', 'admin@example.com', 'admin@example.com'],
    ['Admin <admin@example.com>', 'Admin', 'admin@example.com', 'admin@example.com'],
    ['<admin@example.com>', null, 'admin@example.com', 'admin@example.com'],
    ['"" <admin@example.com>', null, 'admin@example.com', 'admin@example.com'],
    ['admin@example.com (Admin Person)', 'Admin Person', 'admin@example.com', 'admin@example.com'],
    // Only the angle-bracket address counts (reference-odoo §1.2), quoted or not.
    [
      '"Name name@strange.name" <specific_user@test.mycompany.com>',
      'Name name@strange.name',
      'specific_user@test.mycompany.com',
      'specific_user@test.mycompany.com',
    ],
    ['Name name@strange.name <x@y.com>', 'Name name@strange.name', 'x@y.com', 'x@y.com'],
    ['"Doe, John" <john@example.com>', 'Doe, John', 'john@example.com', 'john@example.com'],
    ['"Jo \\"JJ\\" Smith" <jo@example.com>', 'Jo "JJ" Smith', 'jo@example.com', 'jo@example.com'],
    ['"back\\\\slash" <b@example.com>', 'back\\slash', 'b@example.com', 'b@example.com'],
    ['"a <b@c.com>" <real@example.com>', 'a <b@c.com>', 'real@example.com', 'real@example.com'],
    ['  "Spaced   Name"   <s@example.com>  ', 'Spaced Name', 's@example.com', 's@example.com'],
    // The original case is kept in `address`; comparisons use the normalised form.
    [
      'SPECIFIC_USER@test.MYCOMPANY.com',
      null,
      'SPECIFIC_USER@test.MYCOMPANY.com',
      'specific_user@test.mycompany.com',
    ],
    // A non-ASCII local part is compared as written; only the domain is lower-cased.
    ['Ünïcode@ExAmple.com', null, 'Ünïcode@ExAmple.com', 'Ünïcode@example.com'],
    ['"Zoë" <zoe@éxample.com>', 'Zoë', 'zoe@éxample.com', 'zoe@éxample.com'],
    ['test@unknown_domain.com', null, 'test@unknown_domain.com', 'test@unknown_domain.com'],
    [
      'first.last+tag@sub.example.co.uk',
      null,
      'first.last+tag@sub.example.co.uk',
      'first.last+tag@sub.example.co.uk',
    ],
    ['root@localhost', null, 'root@localhost', 'root@localhost'],
  ])('%j → name %j, address %j', (value, name, address, normalized) => {
    const parsed = parseAddress(value);
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ name, address, normalized }),
    });
  });

  it.each([
    ['admin@example.com', 'admin', 'example.com'],
    ['"A" <First.Last@Mail.Example.com>', 'First.Last', 'Mail.Example.com'],
  ])('splits %j into local part %j and domain %j', (value, localPart, domain) => {
    expect(parseAddress(value)).toEqual({ ok: true, value: expect.objectContaining({ localPart, domain }) });
  });

  it.each([
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['admin', 'it has no "@"'],
    ['"Admin"', 'it has a quoted name but no <address>'],
    ['Admin Person', 'it contains spaces'],
    ['a@b@example.com', 'more than one "@"'],
    ['@example.com', 'nothing before the "@"'],
    ['admin@', 'no domain after the "@"'],
    ['admin@example..com', 'not a valid domain name'],
    ['admin@example.com.', 'not a valid domain name'],
    ['admin@exa mple.com', 'it contains spaces'],
    ['admin@[127.0.0.1]', 'not a valid domain name'],
    ['"Admin" <admin>', 'it has no "@"'],
    ['"Admin" <>', 'nothing between "<" and ">"'],
    ['"Admin <admin@example.com>', 'a quote is not closed'],
    ['Admin <admin@example.com', 'a "<" is not closed'],
    ['Admin admin@example.com>', 'a ">" without "<"'],
    ['<a@example.com> <b@example.com>', 'more than one <address>'],
    ['<a@example.com> trailing', 'text after the <address>'],
    ['<a@example.com> "x"', 'text after the <address>'],
    ['a@example.com, b@example.com', 'more than one address'],
    ['Doe, John <john@example.com>', 'more than one address'],
    ['a@example.com (unclosed', 'a "(" is not closed'],
    ['Admin\r\nBcc: victim@example.com <admin@example.com>', 'line break'],
    ['admin@example.com\n', 'line break'],
    ['x\u0000y@example.com', 'control character'],
  ])('refuses %j (%s)', (value, why) => {
    const parsed = parseAddress(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('INVALID_ADDRESS');
      expect(parsed.error.message).toContain(JSON.stringify(value));
      expect(parsed.error.message).toContain(why);
    }
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['Admin@Example.COM', 'admin@example.com'],
    ['"Admin" <ADMIN@EXAMPLE.COM>', 'admin@example.com'],
    ['SPECIFIC_USER@test.MYCOMPANY.com', 'specific_user@test.mycompany.com'],
    ['Ünïcode@ExAmple.com', 'Ünïcode@example.com'],
  ])('%j → %j', (value, expected) => {
    expect(normalizeAddress(value)).toEqual({ ok: true, value: expected });
  });

  it('returns the parse error for an invalid value', () => {
    expect(normalizeAddress('nope')).toEqual({
      ok: false,
      error: { code: 'INVALID_ADDRESS', message: '"nope" is not a valid email address: it has no "@"' },
    });
  });
});

describe('domainOf', () => {
  it.each([
    ['admin@example.com', 'example.com'],
    ['"Admin" <admin@Mail.Example.COM>', 'mail.example.com'],
    ['x@ÉXAMPLE.com', 'éxample.com'],
  ])('%j → %j', (value, expected) => {
    expect(domainOf(value)).toEqual({ ok: true, value: expected });
  });

  it('returns the parse error for an invalid value', () => {
    expect(domainOf('admin@')).toMatchObject({ ok: false, error: { code: 'INVALID_ADDRESS' } });
  });
});
