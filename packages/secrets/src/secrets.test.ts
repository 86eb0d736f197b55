import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeyPrefix, generateApiKey, hashApiKey, secretsEqual } from './api-key.js';
import { createSecretBox, parseSecretKey, SecretDecryptError, SecretKeyError } from './secret-box.js';

const key = randomBytes(32);

describe('secret box', () => {
  it('round-trips and never stores the plain text', () => {
    const box = createSecretBox(key, 'server:1');
    const sealed = box.seal('p@ssw0rd');
    expect(sealed).not.toContain('p@ssw0rd');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(box.open(sealed)).toBe('p@ssw0rd');
    expect(box.seal('p@ssw0rd')).not.toBe(sealed);
  });

  it.each([
    ['another key', createSecretBox(randomBytes(32), 'server:1')],
    ['another row', createSecretBox(key, 'server:2')],
  ])('refuses to open with %s', (_label, other) => {
    const sealed = createSecretBox(key, 'server:1').seal('secret');
    expect(() => other.open(sealed)).toThrow(SecretDecryptError);
  });

  it.each(['', 'v0:a:b:c', 'garbage'])('rejects malformed sealed text %j', (sealed) => {
    expect(() => createSecretBox(key).open(sealed)).toThrow(SecretDecryptError);
  });

  it.each([
    ['short', Buffer.alloc(16).toString('base64')],
    ['empty', ''],
  ])('rejects a %s key', (_l, b64) => {
    expect(() => parseSecretKey(b64)).toThrow(SecretKeyError);
  });
});

describe('api keys', () => {
  it('generates keys whose prefix and hash can be recomputed', () => {
    const { key: k, prefix, hash } = generateApiKey();
    expect(apiKeyPrefix(k)).toBe(prefix);
    expect(hashApiKey(k)).toBe(hash);
    expect(hash).not.toContain(k);
  });

  it.each(['', 'smk_short_x', 'Bearer abc'])('finds no prefix in %j', (k) => {
    expect(apiKeyPrefix(k)).toBeNull();
  });

  it('compares secrets', () => {
    expect(secretsEqual('a-long-operator-token', 'a-long-operator-token')).toBe(true);
    expect(secretsEqual('a-long-operator-token', 'a-long-operator-tokeN')).toBe(false);
    expect(secretsEqual('a', 'ab')).toBe(false);
  });
});
