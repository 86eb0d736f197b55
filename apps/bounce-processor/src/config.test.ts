import { randomBytes } from 'node:crypto';
import { ConfigError, parseEnv } from '@sotamail/config';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bounceProcessorEnv } from './config.js';

const schema = z.object(bounceProcessorEnv);
const key = randomBytes(32).toString('base64');

describe('bounce-processor configuration', () => {
  it('needs the secret key that verifies VERP tokens, and defaults the concurrency', () => {
    expect(parseEnv(schema, { SOTAMAIL_SECRET_KEY: key })).toEqual({
      SOTAMAIL_SECRET_KEY: key,
      BOUNCE_CONCURRENCY: 5,
    });
  });

  it.each([
    [{}, /SOTAMAIL_SECRET_KEY: is required/],
    [{ SOTAMAIL_SECRET_KEY: 'c2hvcnQ=' }, /SOTAMAIL_SECRET_KEY: must be base64 of exactly 32 bytes/],
    [{ SOTAMAIL_SECRET_KEY: key, BOUNCE_CONCURRENCY: '0' }, /BOUNCE_CONCURRENCY/],
  ])('refuses %j with a readable message', (env, message) => {
    expect(() => parseEnv(schema, env)).toThrow(ConfigError);
    expect(() => parseEnv(schema, env)).toThrow(message);
  });
});
