import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 'v1';
const algorithm = 'aes-256-gcm';

export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
}

export type SecretBox = { seal: (plain: string) => string; open: (sealed: string) => string };

/** Reads a 32-byte key given as base64 (what `openssl rand -base64 32` prints). */
export function parseSecretKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) {
    throw new SecretKeyError(`the secret key must be 32 bytes in base64 (got ${key.length} bytes)`);
  }
  return key;
}

/**
 * Encrypts server passwords, tokens and private keys at rest (R2.3) with AES-256-GCM. The sealed text
 * is `v1:<iv>:<tag>:<ciphertext>` in base64url, so the format can change later without a migration
 * of old rows. `aad` binds a secret to its row (e.g. the server id) so it cannot be moved to another.
 */
export function createSecretBox(key: Buffer, aad = ''): SecretBox {
  if (key.length !== 32) {
    throw new SecretKeyError('the secret key must be 32 bytes');
  }
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv(algorithm, key, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [version, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join(':');
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split(':');
      if (v !== version || !iv || !tag || body === undefined) {
        throw new SecretDecryptError('not a sealed secret of a known version');
      }
      try {
        const decipher = createDecipheriv(algorithm, key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(aad));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretDecryptError(
          'the secret cannot be decrypted with this key (wrong key or altered data)',
        );
      }
    },
  };
}

/** The context a server's secrets are sealed under: the same in the API that writes and the services that read. */
export const serverSecretContext = (kind: 'outgoing' | 'incoming', serverId: string) =>
  `${kind}_server:${serverId}`;
