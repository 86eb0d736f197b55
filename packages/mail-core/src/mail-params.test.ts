import { describe, expect, it } from 'vitest';
import {
  bounceAddress,
  catchallAddress,
  defaultFromAddress,
  type MailParams,
  mailParam,
} from './mail-params.js';

describe('defaultFromAddress (R3.2)', () => {
  it.each<[string, MailParams, string | null]>([
    [
      'local part + catchall domain',
      { 'mail.default.from': 'notifications', 'mail.catchall.domain': 'mycompany.com' },
      'notifications@mycompany.com',
    ],
    [
      'full address, domain ignored',
      { 'mail.default.from': 'noreply@other.com', 'mail.catchall.domain': 'mycompany.com' },
      'noreply@other.com',
    ],
    ['full address, no domain needed', { 'mail.default.from': 'noreply@other.com' }, 'noreply@other.com'],
    [
      'formatted full address → its address',
      { 'mail.default.from': '"Notifs" <n@other.com>' },
      'n@other.com',
    ],
    [
      'values are trimmed',
      { 'mail.default.from': ' notifications ', 'mail.catchall.domain': ' mycompany.com ' },
      'notifications@mycompany.com',
    ],
    ['local part without domain', { 'mail.default.from': 'notifications' }, null],
    ['local part, domain null', { 'mail.default.from': 'notifications', 'mail.catchall.domain': null }, null],
    [
      'local part, blank domain',
      { 'mail.default.from': 'notifications', 'mail.catchall.domain': '  ' },
      null,
    ],
    ['not set', { 'mail.catchall.domain': 'mycompany.com' }, null],
    ['null', { 'mail.default.from': null, 'mail.catchall.domain': 'mycompany.com' }, null],
    ['no parameters at all', {}, null],
    ['invalid full address', { 'mail.default.from': 'a@b@c.com' }, null],
    [
      'invalid local part',
      { 'mail.default.from': 'no reply', 'mail.catchall.domain': 'mycompany.com' },
      null,
    ],
  ])('%s', (_, params, expected) => {
    expect(defaultFromAddress(params)).toBe(expected);
  });
});

describe('bounceAddress / catchallAddress', () => {
  it.each<[string, MailParams, string | null, string | null]>([
    [
      'both aliases and domain',
      {
        'mail.bounce.alias': 'bounce',
        'mail.catchall.alias': 'catchall',
        'mail.catchall.domain': 'mycompany.com',
      },
      'bounce@mycompany.com',
      'catchall@mycompany.com',
    ],
    [
      'custom aliases',
      {
        'mail.bounce.alias': 'bounce.test',
        'mail.catchall.alias': 'replies',
        'mail.catchall.domain': 'test.com',
      },
      'bounce.test@test.com',
      'replies@test.com',
    ],
    // No default alias is applied here: the caller decides defaults.
    ['domain only', { 'mail.catchall.domain': 'mycompany.com' }, null, null],
    ['aliases only', { 'mail.bounce.alias': 'bounce', 'mail.catchall.alias': 'catchall' }, null, null],
    [
      'blank alias',
      { 'mail.bounce.alias': ' ', 'mail.catchall.alias': '', 'mail.catchall.domain': 'x.com' },
      null,
      null,
    ],
    [
      'alias that is already an address',
      { 'mail.bounce.alias': 'b@y.com', 'mail.catchall.domain': 'x.com' },
      null,
      null,
    ],
  ])('%s', (_, params, bounce, catchall) => {
    expect(bounceAddress(params)).toBe(bounce);
    expect(catchallAddress(params)).toBe(catchall);
  });
});

describe('mailParam', () => {
  it.each<[MailParams, string | null]>([
    [{ 'mail.catchall.domain': 'x.com' }, 'x.com'],
    [{ 'mail.catchall.domain': '  x.com ' }, 'x.com'],
    [{ 'mail.catchall.domain': '' }, null],
    [{ 'mail.catchall.domain': null }, null],
    [{}, null],
  ])('%j → %j', (params, expected) => {
    expect(mailParam(params, 'mail.catchall.domain')).toBe(expected);
  });
});
