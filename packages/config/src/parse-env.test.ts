import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boolEnv, commonEnv, portEnv } from './env-fields.js';
import { ConfigError, parseEnv } from './parse-env.js';

const schema = z.object({ ...commonEnv, PORT: portEnv(8080), FLAG: boolEnv(false) });

describe('parseEnv', () => {
  it('applies defaults', () => {
    const config = parseEnv(schema, {});
    expect(config).toMatchObject({ PORT: 8080, FLAG: false, QUEUE_PREFIX: 'sotamail', LOG_LEVEL: 'info' });
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
  });

  it.each([
    [{ PORT: '9000' }, 'PORT', 9000],
    [{ FLAG: 'yes' }, 'FLAG', true],
    [{ FLAG: '0' }, 'FLAG', false],
    [{ LOG_LEVEL: 'debug' }, 'LOG_LEVEL', 'debug'],
  ])('coerces %j', (env, key, expected) => {
    expect(parseEnv(schema, env)[key as keyof z.infer<typeof schema>]).toBe(expected);
  });

  it('lists every problem with the variable name', () => {
    try {
      parseEnv(schema, { PORT: 'abc', REDIS_URL: 'http://x', FLAG: 'maybe', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems } = error as ConfigError;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/PORT: .*number/);
      expect(problems.join('\n')).toMatch(/REDIS_URL: must be a URL starting with redis:/);
      expect(problems.join('\n')).toMatch(/FLAG: must be true or false/);
      expect(problems.join('\n')).toMatch(/LOG_LEVEL: /);
    }
  });
});
