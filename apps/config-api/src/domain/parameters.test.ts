import { describe, expect, it } from 'vitest';
import { checkParameter, defaultParameters } from './parameters.js';

describe('system parameters', () => {
  it('has the seed defaults', () => {
    expect(defaultParameters()).toMatchObject({
      'mail.default.from': 'notifications',
      'mail.catchall.alias': 'catchall',
      'mail.bounce.alias': 'bounce',
      'mail.incoming.limit.period': '60',
      'mail.incoming.limit.alias': '5',
      'mail.fetchmail.interval': '5',
      'mail.bounce.blacklist.count': '5',
      'mail.bounce.blacklist.period_days': '30',
      'mail.bounce.blacklist.min_span_days': '7',
    });
    expect(defaultParameters()).not.toHaveProperty('mail.default.from_filter');
  });

  it.each([
    ['mail.default.from', 'notifications', true],
    ['mail.default.from', 'noreply@mycompany.com', true],
    ['mail.default.from', 'not an address', false],
    ['mail.default.from_filter', 'mycompany.com', true],
    ['mail.default.from_filter', 'a@mycompany.com, other.org', true],
    ['mail.default.from_filter', 'not a domain', false],
    ['mail.default.from_filter', ',', false],
    ['mail.catchall.domain', 'mycompany.erp.sota-solutions.com', true],
    ['mail.catchall.domain', 'no spaces.com', false],
    ['mail.catchall.alias', 'catchall', true],
    ['mail.catchall.alias', 'catchall@x.com', false],
    ['mail.bounce.alias', 'bounce', true],
    ['mail.bounce.alias', 'b'.repeat(19), true],
    // 20 + "+" + a 44-character VERP token would make a 65-character local part.
    ['mail.bounce.alias', 'b'.repeat(20), false],
    ['mail.incoming.limit.period', '60', true],
    ['mail.incoming.limit.period', '0', false],
    ['mail.incoming.limit.period', '1.5', false],
    ['mail.incoming.limit.alias', '-1', false],
    ['mail.fetchmail.interval', '1', true],
    ['mail.fetchmail.interval', 'five', false],
    ['mail.bounce.blacklist.count', '5', true],
    ['mail.bounce.blacklist.count', '0', false],
    ['mail.bounce.blacklist.period_days', '30', true],
    ['mail.bounce.blacklist.period_days', '0', false],
    ['mail.bounce.blacklist.min_span_days', '0', true],
    ['mail.bounce.blacklist.min_span_days', '7.5', false],
    ['mail.bounce.blacklist.min_span_days', '99999', false],
  ])('%s = %j is valid: %s', (key, value, ok) => {
    const result = checkParameter(key, value);
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.code).toBe('INVALID_PARAMETER');
      expect(result.message).toContain(key);
    }
  });

  it('names the known parameters when the key is unknown', () => {
    const result = checkParameter('mail.incomming.limit.alias', '5');
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_PARAMETER' });
    expect(!result.ok && result.message).toContain('mail.incoming.limit.alias');
  });
});
