import { describe, expect, it } from 'vitest';
import { plainPayload, redact, secretsOf, xoauth2Payload } from './credentials.js';

describe('credentials', () => {
  it('builds the SASL initial responses', () => {
    expect(Buffer.from(plainPayload('u@x.y', 'pw'), 'base64').toString()).toBe('\0u@x.y\0pw');
    expect(Buffer.from(xoauth2Payload('u@x.y', 'tok'), 'base64').toString()).toBe(
      'user=u@x.y\x01auth=Bearer tok\x01\x01',
    );
  });

  it('redacts every form of a password, longest first', () => {
    const secrets = secretsOf({ type: 'password', username: 'admin@bücher.example', password: 'hunter22' });
    const text = [
      'S: 501 you said hunter22',
      `S: 535 bad ${plainPayload('admin@xn--bcher-kva.example', 'hunter22')}`,
      `C: ${Buffer.from('hunter22').toString('base64')}`,
    ].join('\n');
    expect(redact(text, secrets)).toBe('S: 501 you said [redacted]\nS: 535 bad [redacted]\nC: [redacted]');
  });

  it('redacts tokens and private keys', () => {
    expect(
      redact('token ya29.abc here', secretsOf({ type: 'xoauth2', username: 'u', accessToken: 'ya29.abc' })),
    ).toBe('token [redacted] here');
    const keyPem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    expect(redact(`x ${keyPem.trim()} y`, secretsOf({ type: 'certificate', certPem: 'c', keyPem }))).toBe(
      'x [redacted] y',
    );
  });

  it('has nothing to redact without credentials, and ignores very short secrets', () => {
    expect(secretsOf({ type: 'none' })).toEqual([]);
    expect(secretsOf(undefined)).toEqual([]);
    expect(secretsOf({ type: 'password', username: 'u', password: 'ab' })).not.toContain('ab');
  });
});
