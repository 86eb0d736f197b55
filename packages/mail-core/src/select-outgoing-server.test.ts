import { describe, expect, it } from 'vitest';
import { type ParsedAddress, parseAddress } from './address.js';
import { type OutgoingServer, orderServers, selectOutgoingServer } from './select-outgoing-server.js';

function parsed(value: string): ParsedAddress {
  const result = parseAddress(value);
  if (!result.ok) {
    throw new Error(result.error.message);
  }
  return result.value;
}

function server(id: string, fromFilter: string | null, priority = 10, active = true): OutgoingServer {
  return { id, fromFilter, priority, active };
}

// The servers of Odoo's test_mail_server_priorities, with the exact-address server given a worse
// priority than the domain server, so that "exact address beats domain" is really tested.
const odooServers = [
  server('user', 'specific_user@test.mycompany.com', 20),
  server('domain', 'test.mycompany.com', 10),
  server('notif', 'notifications.test@test.mycompany.com', 10),
  server('default', null, 30),
  server('another', 'test.mycompany2.com', 10),
];
const withoutNoFilter = odooServers.filter((s) => s.id !== 'default');
const notifications = 'notifications.test@test.mycompany.com';

describe('selectOutgoingServer (R4)', () => {
  it.each<[string, OutgoingServer[], string, string | null, string | null, string]>([
    // [case, servers, From, default From, expected server, expected step]
    [
      'exact address beats domain at worse priority',
      odooServers,
      'specific_user@test.mycompany.com',
      notifications,
      'user',
      'from-address',
    ],
    [
      'only the angle-bracket address counts',
      odooServers,
      '"Name name@strange.name" <specific_user@test.mycompany.com>',
      notifications,
      'user',
      'from-address',
    ],
    [
      'address match ignores case',
      odooServers,
      'SPECIFIC_USER@test.MYCOMPANY.com',
      notifications,
      'user',
      'from-address',
    ],
    [
      'the notifications address is an exact address too',
      odooServers,
      notifications,
      notifications,
      'notif',
      'from-address',
    ],
    ['domain', odooServers, 'test@test.mycompany.com', notifications, 'domain', 'from-domain'],
    [
      'domain match ignores case',
      odooServers,
      'test@TEST.MyCompany.COM',
      notifications,
      'domain',
      'from-domain',
    ],
    ['another domain', odooServers, 'test@test.mycompany2.com', notifications, 'another', 'from-domain'],
    // product.md R4: no-filter servers come before default-From servers (Odoo does the opposite).
    [
      'unknown domain → server without filter',
      odooServers,
      'unknown@unknown.com',
      notifications,
      'default',
      'no-filter',
    ],
    [
      'sub-domain is not the domain',
      odooServers,
      'x@sub.test.mycompany.com',
      notifications,
      'default',
      'no-filter',
    ],
    [
      'no filter-less server → default From address',
      withoutNoFilter,
      'unknown@unknown.com',
      notifications,
      'notif',
      'default-from-address',
    ],
    [
      'no server for the default From address → its domain',
      withoutNoFilter.filter((s) => s.id !== 'notif'),
      'unknown@unknown.com',
      notifications,
      'domain',
      'default-from-domain',
    ],
    [
      'nothing matches → first by priority',
      [server('z', 'z.com', 5), server('y', 'y.com', 1)],
      'a@a.com',
      notifications,
      'y',
      'first-by-priority',
    ],
    [
      'no default From: steps 4 are skipped (equal priorities → by id)',
      withoutNoFilter,
      'unknown@unknown.com',
      null,
      'another',
      'first-by-priority',
    ],
    [
      'comma list: any part',
      [server('x', 'a.com, b.com'), server('y', 'c.com')],
      'u@b.com',
      null,
      'x',
      'from-domain',
    ],
    [
      'comma list with an address part',
      [server('x', 'a.com'), server('y', 'c.com,u@b.com', 50)],
      'u@b.com',
      null,
      'y',
      'from-address',
    ],
    [
      'blank filter counts as no filter',
      [server('x', 'a.com', 1), server('y', ' , ', 9)],
      'u@b.com',
      null,
      'y',
      'no-filter',
    ],
    [
      'ties: lower priority wins',
      [server('x', 'b.com', 20), server('y', 'b.com', 5)],
      'u@b.com',
      null,
      'y',
      'from-domain',
    ],
    [
      'ties: equal priority → smaller id',
      [server('b', 'b.com'), server('a', 'b.com')],
      'u@b.com',
      null,
      'a',
      'from-domain',
    ],
    [
      'ties: numeric ids compare as numbers',
      [server('10', 'b.com'), server('9', 'b.com')],
      'u@b.com',
      null,
      '9',
      'from-domain',
    ],
    [
      'inactive exact-address server is ignored',
      [server('x', 'u@b.com', 1, false), server('y', 'b.com')],
      'u@b.com',
      null,
      'y',
      'from-domain',
    ],
    [
      'inactive servers are never first by priority',
      [server('x', 'a.com', 1, false), server('y', 'c.com', 9)],
      'u@b.com',
      null,
      'y',
      'first-by-priority',
    ],
    ['no server → platform default', [], 'u@b.com', notifications, null, 'platform-default'],
    [
      'only inactive servers → platform default',
      [server('x', null, 1, false)],
      'u@b.com',
      null,
      null,
      'platform-default',
    ],
  ])('%s', (_, servers, from, defaultFrom, expectedId, expectedStep) => {
    const selection = selectOutgoingServer(
      servers,
      parsed(from),
      defaultFrom === null ? null : parsed(defaultFrom),
    );
    expect(selection.server?.id ?? null).toBe(expectedId);
    expect(selection.step).toBe(expectedStep);
  });
});

describe('orderServers', () => {
  it.each<[string, OutgoingServer[], string[]]>([
    ['by priority', [server('a', null, 30), server('b', null, 10), server('c', null, 20)], ['b', 'c', 'a']],
    ['then by id', [server('c', null, 1), server('a', null, 1), server('b', null, 1)], ['a', 'b', 'c']],
    ['drops inactive servers', [server('a', null, 1, false), server('b', null, 2)], ['b']],
    [
      'does not depend on input order',
      [server('2', null, 1), server('11', null, 1), server('1', null, 1)],
      ['1', '2', '11'],
    ],
  ])('%s', (_, servers, expected) => {
    expect(orderServers(servers).map((s) => s.id)).toEqual(expected);
  });

  it('does not reorder the caller array', () => {
    const servers = [server('b', null, 2), server('a', null, 1)];
    orderServers(servers);
    expect(servers.map((s) => s.id)).toEqual(['b', 'a']);
  });
});
