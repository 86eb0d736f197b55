import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are shown once and stored as a SHA-256 hash: they are long random strings, so a slow
 * password hash adds nothing, and a fast one keeps every request cheap. The prefix lets a key be
 * found (and shown to its owner) without storing it.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('base64url');
  const key = `smk_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function apiKeyPrefix(key: string): string | null {
  const match = /^smk_([A-Za-z0-9_-]{8})_[A-Za-z0-9_-]{32}$/.exec(key);
  return match?.[1] ?? null;
}

/** Constant-time comparison of two secrets of any length (the operator token). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
