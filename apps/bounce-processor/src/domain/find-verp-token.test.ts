import { describe, expect, it } from 'vitest';
import { findVerpToken, type VerpFinding } from './find-verp-token.js';

const MAIL_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const GOOD = 'goodtoken1';
// A stand-in for TokenSigner.verify: only GOOD is genuine (the real signer has its own tests).
const verify = (token: string) => (token === GOOD ? MAIL_ID : null);

describe('findVerpToken', () => {
  it.each<[string, string[], string, VerpFinding]>([
    ['no address carries a token', ['bounce@acme.test', 'sales@acme.test'], 'bounce', { kind: 'none' }],
    ['another alias with a tag is not ours', ['sales+goodtoken1@acme.test'], 'bounce', { kind: 'none' }],
    [
      'a genuine token names the outgoing mail',
      ['bounce+goodtoken1@acme.test'],
      'bounce',
      { kind: 'valid', token: GOOD, outgoingMailId: MAIL_ID },
    ],
    [
      'case does not matter (some MTAs change it)',
      ['"MAILER" <BOUNCE+GOODTOKEN1@ACME.TEST>'],
      'bounce',
      { kind: 'valid', token: GOOD, outgoingMailId: MAIL_ID },
    ],
    [
      'a token whose signature fails is forged',
      ['bounce+forgedtoken@acme.test'],
      'bounce',
      { kind: 'invalid', token: 'forgedtoken' },
    ],
    [
      'a genuine token wins over a bad one in another header',
      ['bounce+forgedtoken@acme.test', 'bounce+goodtoken1@acme.test'],
      'bounce',
      { kind: 'valid', token: GOOD, outgoingMailId: MAIL_ID },
    ],
    [
      'the alias is the parameter of the database',
      ['rp+goodtoken1@acme.test'],
      'rp',
      { kind: 'valid', token: GOOD, outgoingMailId: MAIL_ID },
    ],
  ])('%s', (_, addresses, alias, expected) => {
    expect(findVerpToken(addresses, alias, verify)).toEqual(expected);
  });
});
