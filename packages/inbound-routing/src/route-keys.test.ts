import { describe, expect, it } from 'vitest';
import { parseMail } from './parse-mail.js';
import { routeKeys, systemAlias } from './plan-route.js';

// The keys a mail is routed on, from a parsed mail and the database's parameters.

describe('systemAlias', () => {
  it.each([
    { value: 'catchall', expected: 'catchall' },
    { value: 'Support', expected: 'support' },
    { value: ' Bounce ', expected: 'bounce' },
    { value: '', expected: null },
    { value: undefined, expected: null },
  ])('$value → $expected', ({ value, expected }) => {
    expect(systemAlias(value)).toBe(expected);
  });
});

describe('routeKeys', () => {
  const tenant = { id: 't-1', aliasDomain: 'erp.test' } as Parameters<typeof routeKeys>[0]['tenant'];
  const keysOf = async (to: string, params: Record<string, string>) =>
    routeKeys({
      tenant,
      mail: await parseMail(
        Buffer.from(`From: a@b.test\r\nTo: ${to}\r\nSubject: Hello\r\nMessage-ID: <m1@b.test>\r\n\r\nHi\r\n`),
      ),
      envelope: { sha256: 'f'.repeat(64), envelopeFrom: 'a@b.test', envelopeTo: [to] },
      params,
    });

  it.each([
    {
      to: 'support@erp.test',
      alias: 'Support',
      toCatchall: true,
      why: 'an alias parameter typed in capitals',
    },
    { to: 'SUPPORT@erp.test', alias: 'support', toCatchall: true, why: 'a recipient written in capitals' },
    {
      to: `support+${'0'.repeat(32)}abcdefghijkl@erp.test`,
      alias: 'Support',
      toCatchall: true,
      why: 'a thread token after the alias',
    },
    { to: 'sales@erp.test', alias: 'Support', toCatchall: false, why: 'another alias' },
    { to: 'support@other.test', alias: 'support', toCatchall: false, why: "another domain's alias" },
  ])('$why: to the catchall is $toCatchall', async ({ to, alias, toCatchall }) => {
    const keys = await keysOf(to, { 'mail.catchall.alias': alias });
    expect(keys.toCatchall).toBe(toCatchall);
  });
});
