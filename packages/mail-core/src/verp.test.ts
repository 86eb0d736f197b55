import { describe, expect, it } from 'vitest';
import { verpAddress, verpTokenOf } from './verp.js';

const token = '0f8e6a2c5b1d4c3e9a7f123456789abcm4ujbplaxa7c';

describe('verpAddress', () => {
  it.each([
    // [bounce address, token, envelope sender]
    ['bounce@example.com', 'abc123', 'bounce+abc123@example.com'],
    ['bounce@example.com', token, `bounce+${token}@example.com`],
    // The token is lower-cased (some MTAs do it anyway); the rest is kept as written.
    ['Bounce@Example.COM', 'ABC123', 'Bounce+abc123@Example.COM'],
    // An existing `+` tag stays part of the alias; the token always comes last.
    ['bounce+acme@example.com', 'abc', 'bounce+acme+abc@example.com'],
    ['first.last@mail.example.co.uk', 'x1', 'first.last+x1@mail.example.co.uk'],
    ['bounce@localhost', 'x1', 'bounce+x1@localhost'],
  ])('%s with %s → %s', (bounce, value, expected) => {
    expect(verpAddress(bounce, value)).toBe(expected);
  });

  it.each([
    ['no @', 'bounce', 'abc'],
    ['nothing before @', '@example.com', 'abc'],
    ['nothing after @', 'bounce@', 'abc'],
    ['a header value', '"Bounce" <bounce@example.com>', 'abc'],
    ['an empty token', 'bounce@example.com', ''],
    ['a token with +', 'bounce@example.com', 'a+b'],
    ['a token with a dash', 'bounce@example.com', 'a-b'],
    ['a token with @', 'bounce@example.com', 'a@b'],
    ['a token with a line break', 'bounce@example.com', 'ab\r\nBcc: x@y'],
  ])('throws a TypeError for %s', (_label, bounce, value) => {
    expect(() => verpAddress(bounce, value)).toThrow(TypeError);
  });
});

describe('verpTokenOf', () => {
  it.each([
    // [address, bounce local part, token]
    ['bounce+abc123@example.com', 'bounce', 'abc123'],
    ['Bounce+ABC@Domain', 'bounce', 'abc'],
    ['BOUNCE+abc@example.com', 'Bounce', 'abc'],
    [`bounce+${token}@example.com`, 'bounce', token],
    [`bounce+${token.toUpperCase()}@EXAMPLE.COM`, 'bounce', token],
    // Return-Path, Delivered-To, a DSN's To header: brackets, names and spaces are fine.
    ['<bounce+abc@example.com>', 'bounce', 'abc'],
    ['  bounce+abc@example.com  ', 'bounce', 'abc'],
    ['"Bounces" <bounce+abc@example.com>', 'bounce', 'abc'],
    // Any domain: the signature, not the domain, is checked (by TokenSigner.verify).
    ['bounce+abc@other.example', 'bounce', 'abc'],
    // A bounce alias with its own tag, as verpAddress builds it.
    ['bounce+acme+abc@example.com', 'bounce+acme', 'abc'],
    ['bounce+abc@example.com', ' bounce ', 'abc'],
    // Not `<alias>+<token>`.
    ['bounce@example.com', 'bounce', null],
    ['bounce+@example.com', 'bounce', null],
    ['bouncer+abc@example.com', 'bounce', null],
    ['xbounce+abc@example.com', 'bounce', null],
    ['bounce-abc@example.com', 'bounce', null],
    ['bounce+a+b@example.com', 'bounce', null],
    ['bounce+acme+abc@example.com', 'bounce', null],
    ['bounce+a-b@example.com', 'bounce', null],
    ['bounce+a.b@example.com', 'bounce', null],
    ['catchall+abc@example.com', 'bounce', null],
    ['abc@example.com', '', null],
    // Not an address.
    ['', 'bounce', null],
    ['bounce+abc', 'bounce', null],
    ['bounce+abc@example.com, other@example.com', 'bounce', null],
    ['garbage <<>>', 'bounce', null],
  ])('%j with alias %j → %j', (address, alias, expected) => {
    expect(verpTokenOf(address, alias)).toBe(expected);
  });

  it.each([
    ['bounce@example.com', 'bounce'],
    ['bounce+acme@example.com', 'bounce+acme'],
    ['Bounce@Example.com', 'BOUNCE'],
  ])('reads back what verpAddress wrote for %s', (bounce, alias) => {
    expect(verpTokenOf(verpAddress(bounce, token), alias)).toBe(token);
  });
});
