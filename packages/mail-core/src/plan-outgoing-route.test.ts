import { describe, expect, it } from 'vitest';
import type { MailParams } from './mail-params.js';
import { type OutgoingRoute, type PlanOutgoingRouteInput, planOutgoingRoute } from './plan-outgoing-route.js';
import type { OutgoingServer } from './select-outgoing-server.js';

function server(id: string, fromFilter: string | null, priority = 10, active = true): OutgoingServer {
  return { id, fromFilter, priority, active };
}

// The seed's "default notifications configuration" (an online database).
const seedParams: MailParams = {
  'mail.default.from': 'notifications',
  'mail.catchall.domain': 'mycompany.com',
  'mail.bounce.alias': 'bounce',
  'mail.default.from_filter': 'mycompany.com',
};
// The parameters of Odoo's mail server tests.
const odooParams: MailParams = {
  'mail.default.from': 'notifications.test',
  'mail.catchall.domain': 'test.mycompany.com',
  'mail.bounce.alias': 'bounce.test',
};
const odooServers = [
  server('user', 'specific_user@test.mycompany.com', 20),
  server('domain', 'test.mycompany.com', 10),
  server('notif', 'notifications.test@test.mycompany.com', 10),
  server('default', null, 30),
  server('another', 'test.mycompany2.com', 10),
];
const without = (...ids: string[]) => odooServers.filter((s) => !ids.includes(s.id));

type Case = {
  name: string;
  input: Partial<PlanOutgoingRouteInput> & Pick<PlanOutgoingRouteInput, 'from'>;
  expected: Omit<OutgoingRoute, 'reason'>;
  /** Fragments the reason must contain, in this order. */
  reason: string[];
};

const cases: Case[] = [
  {
    name: 'the CLI example: a domain filter that does not allow the bounce address',
    input: {
      servers: [server('a', 'example.com')],
      params: { ...seedParams, 'mail.default.from_filter': null },
      from: '"Admin" <admin@example.com>',
    },
    expected: {
      serverId: 'a',
      step: 'from-domain',
      fromHeader: '"Admin" <admin@example.com>',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: [
      'server "a" has From filter "example.com", which contains the From domain example.com; From kept; envelope sender is admin@example.com because the filter does not allow the bounce address bounce@mycompany.com',
    ],
  },
  {
    name: 'seed: the default notifications configuration encapsulates a foreign author',
    input: { servers: [], params: seedParams, from: '"Admin" <admin@example.com>' },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: '"Admin" <notifications@mycompany.com>',
      envelopeFrom: 'bounce@mycompany.com',
      rewritten: true,
    },
    reason: [
      'platform default server',
      'From filter "mycompany.com" (mail.default.from_filter)',
      'From rewritten to "Admin" <notifications@mycompany.com> because the filter does not allow admin@example.com',
      'envelope sender is the bounce address bounce@mycompany.com',
    ],
  },
  {
    name: 'seed: an author of the filtered domain is kept on the platform default server',
    input: { servers: [], params: seedParams, from: '"Bob" <Bob@MyCompany.com>' },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: '"Bob" <Bob@MyCompany.com>',
      envelopeFrom: 'bounce@mycompany.com',
      rewritten: false,
    },
    reason: ['From kept because the filter allows bob@mycompany.com', 'bounce address bounce@mycompany.com'],
  },
  {
    name: 'platform default server without filter allows every From and the bounce address',
    input: {
      servers: [],
      params: { ...seedParams, 'mail.default.from_filter': null },
      from: 'admin@example.com',
    },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'bounce@mycompany.com',
      rewritten: false,
    },
    reason: ['no From filter (mail.default.from_filter is not set); From kept;'],
  },
  {
    name: 'platform default server whose filter allows the From but not the bounce address',
    input: {
      servers: [],
      params: { ...seedParams, 'mail.default.from_filter': 'example.com' },
      from: 'admin@example.com',
    },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['does not allow the bounce address bounce@mycompany.com'],
  },
  {
    name: 'archived servers are ignored: platform default server',
    input: { servers: [server('x', 'example.com', 1, false)], params: seedParams, from: 'admin@example.com' },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: '"admin" <notifications@mycompany.com>',
      envelopeFrom: 'bounce@mycompany.com',
      rewritten: true,
    },
    reason: ['no active outgoing server'],
  },
  {
    name: 'R3.4 (seed): a full-address filter equal to mail.default.from encapsulates every other From',
    input: {
      servers: [],
      params: {
        ...seedParams,
        'mail.default.from': 'notifications@mycompany.com',
        'mail.default.from_filter': 'notifications@mycompany.com',
      },
      from: 'admin@mycompany.com',
    },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: '"admin" <notifications@mycompany.com>',
      envelopeFrom: 'notifications@mycompany.com',
      rewritten: true,
    },
    reason: [
      'From rewritten to "admin" <notifications@mycompany.com>',
      'envelope sender is notifications@mycompany.com because the filter does not allow the bounce address bounce@mycompany.com',
    ],
  },
  {
    name: 'R3.4: the default From itself is kept, whatever its case and display name',
    input: {
      servers: [],
      params: {
        ...seedParams,
        'mail.default.from': 'notifications@mycompany.com',
        'mail.default.from_filter': 'notifications@mycompany.com',
      },
      from: '"Support" <Notifications@MyCompany.com>',
    },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: '"Support" <Notifications@MyCompany.com>',
      envelopeFrom: 'Notifications@MyCompany.com',
      rewritten: false,
    },
    reason: ['From kept because the filter allows notifications@mycompany.com'],
  },
  {
    name: 'R3.4 on a custom server: the only server accepts just the default From',
    input: {
      servers: [server('n', 'notifications@mycompany.com')],
      params: { ...seedParams, 'mail.default.from': 'notifications@mycompany.com' },
      from: 'admin@example.com',
    },
    expected: {
      serverId: 'n',
      step: 'default-from-address',
      fromHeader: '"admin" <notifications@mycompany.com>',
      envelopeFrom: 'notifications@mycompany.com',
      rewritten: true,
    },
    reason: ['contains the default From address notifications@mycompany.com', 'From rewritten'],
  },
  {
    name: 'seed: the server whose filter equals the From address is chosen first',
    input: {
      servers: [server('domain', 'example.com', 1), server('address', 'test@example.com', 99)],
      params: seedParams,
      from: 'test@example.com',
    },
    expected: {
      serverId: 'address',
      step: 'from-address',
      fromHeader: 'test@example.com',
      envelopeFrom: 'test@example.com',
      rewritten: false,
    },
    reason: [
      'server "address" has From filter "test@example.com", which contains the From address test@example.com',
    ],
  },
  {
    name: 'seed: two matching servers, the one with priority 10 is used before the one with 20',
    input: {
      servers: [server('twenty', 'example.com', 20), server('ten', 'example.com', 10)],
      params: seedParams,
      from: 'test@example.com',
    },
    expected: {
      serverId: 'ten',
      step: 'from-domain',
      fromHeader: 'test@example.com',
      envelopeFrom: 'test@example.com',
      rewritten: false,
    },
    reason: ['server "ten"'],
  },
  {
    name: 'Odoo: exact address server, envelope is the author (full-address filter refuses the bounce)',
    input: { servers: odooServers, params: odooParams, from: 'specific_user@test.mycompany.com' },
    expected: {
      serverId: 'user',
      step: 'from-address',
      fromHeader: 'specific_user@test.mycompany.com',
      envelopeFrom: 'specific_user@test.mycompany.com',
      rewritten: false,
    },
    reason: ['does not allow the bounce address bounce.test@test.mycompany.com'],
  },
  {
    name: 'Odoo: matching ignores case but the From keeps its case',
    input: { servers: odooServers, params: odooParams, from: 'SPECIFIC_USER@test.MYCOMPANY.com' },
    expected: {
      serverId: 'user',
      step: 'from-address',
      fromHeader: 'SPECIFIC_USER@test.MYCOMPANY.com',
      envelopeFrom: 'SPECIFIC_USER@test.MYCOMPANY.com',
      rewritten: false,
    },
    reason: ['contains the From address specific_user@test.mycompany.com'],
  },
  {
    name: 'Odoo: a name that looks like an address is kept unchanged',
    input: {
      servers: odooServers,
      params: odooParams,
      from: '"Name name@strange.name" <specific_user@test.mycompany.com>',
    },
    expected: {
      serverId: 'user',
      step: 'from-address',
      fromHeader: '"Name name@strange.name" <specific_user@test.mycompany.com>',
      envelopeFrom: 'specific_user@test.mycompany.com',
      rewritten: false,
    },
    reason: ['From kept'],
  },
  {
    name: 'Odoo: domain server, envelope is the bounce address',
    input: { servers: odooServers, params: odooParams, from: '"Test" <test@test.mycompany.com>' },
    expected: {
      serverId: 'domain',
      step: 'from-domain',
      fromHeader: '"Test" <test@test.mycompany.com>',
      envelopeFrom: 'bounce.test@test.mycompany.com',
      rewritten: false,
    },
    reason: ['envelope sender is the bounce address bounce.test@test.mycompany.com'],
  },
  {
    name: 'product R4: an unknown domain goes to the server without filter, From kept (no spoofing fix needed)',
    input: { servers: odooServers, params: odooParams, from: 'unknown@unknown.com' },
    expected: {
      serverId: 'default',
      step: 'no-filter',
      fromHeader: 'unknown@unknown.com',
      envelopeFrom: 'bounce.test@test.mycompany.com',
      rewritten: false,
    },
    reason: ['server "default", which has no From filter, is used; From kept;'],
  },
  {
    name: 'Odoo: without a filter-less server, the default From server encapsulates',
    input: { servers: without('default'), params: odooParams, from: 'unknown@unknown.com' },
    expected: {
      serverId: 'notif',
      step: 'default-from-address',
      fromHeader: '"unknown" <notifications.test@test.mycompany.com>',
      envelopeFrom: 'notifications.test@test.mycompany.com',
      rewritten: true,
    },
    reason: [
      'contains the default From address notifications.test@test.mycompany.com',
      'From rewritten to "unknown" <notifications.test@test.mycompany.com> because the filter does not allow unknown@unknown.com',
    ],
  },
  {
    name: 'Odoo: then the default From domain; the display name is kept; envelope is the bounce address',
    input: {
      servers: without('default', 'notif'),
      params: odooParams,
      from: '"Unknown Person" <unknown@unknown.com>',
    },
    expected: {
      serverId: 'domain',
      step: 'default-from-domain',
      fromHeader: '"Unknown Person" <notifications.test@test.mycompany.com>',
      envelopeFrom: 'bounce.test@test.mycompany.com',
      rewritten: true,
    },
    reason: [
      'contains the default From domain test.mycompany.com',
      'bounce address bounce.test@test.mycompany.com',
    ],
  },
  {
    name: 'sub-domains do not match: a sub-domain author is encapsulated',
    input: { servers: without('default'), params: odooParams, from: 'x@mail.test.mycompany.com' },
    expected: {
      serverId: 'notif',
      step: 'default-from-address',
      fromHeader: '"x" <notifications.test@test.mycompany.com>',
      envelopeFrom: 'notifications.test@test.mycompany.com',
      rewritten: true,
    },
    reason: ['does not allow x@mail.test.mycompany.com'],
  },
  {
    name: 'first server by priority: encapsulated although its filter refuses the default From too',
    input: {
      servers: [server('another', 'test.mycompany2.com')],
      params: odooParams,
      from: 'unknown@unknown.com',
    },
    expected: {
      serverId: 'another',
      step: 'first-by-priority',
      fromHeader: '"unknown" <notifications.test@test.mycompany.com>',
      envelopeFrom: 'notifications.test@test.mycompany.com',
      rewritten: true,
    },
    reason: [
      'so the first server by priority is used: server "another", priority 10, with From filter "test.mycompany2.com"',
      'does not allow the default From notifications.test@test.mycompany.com either, so the server may refuse it',
    ],
  },
  {
    name: 'no default From: the From is kept and the reason says so',
    input: {
      servers: [server('a', 'example.com')],
      params: { 'mail.bounce.alias': 'bounce', 'mail.catchall.domain': 'example.com' },
      from: 'admin@other.com',
    },
    expected: {
      serverId: 'a',
      step: 'first-by-priority',
      fromHeader: 'admin@other.com',
      envelopeFrom: 'bounce@example.com',
      rewritten: false,
    },
    reason: ['no default From is configured', 'From kept although the filter does not allow admin@other.com'],
  },
  {
    name: 'no default From when mail.default.from is a local part without catchall domain',
    input: {
      servers: [server('a', 'example.com')],
      params: { 'mail.default.from': 'notifications' },
      from: 'admin@other.com',
    },
    expected: {
      serverId: 'a',
      step: 'first-by-priority',
      fromHeader: 'admin@other.com',
      envelopeFrom: 'admin@other.com',
      rewritten: false,
    },
    reason: ['no default From is configured', 'no bounce address is configured'],
  },
  {
    name: 'bare install: nothing configured, nothing rewritten, envelope is the From',
    input: { servers: [], params: {}, from: '"Admin" <admin@example.com>' },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: '"Admin" <admin@example.com>',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['envelope sender is admin@example.com because no bounce address is configured'],
  },
  {
    name: 'blank parameters count as not set',
    input: {
      servers: [],
      params: { 'mail.default.from': ' ', 'mail.catchall.domain': '', 'mail.default.from_filter': '  ' },
      from: 'admin@example.com',
    },
    expected: {
      serverId: null,
      step: 'platform-default',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['mail.default.from_filter is not set'],
  },
  {
    name: 'comma-separated filter: the bounce domain listed allows the bounce address',
    input: {
      servers: [server('a', 'example.com, mycompany.com')],
      params: seedParams,
      from: 'admin@example.com',
    },
    expected: {
      serverId: 'a',
      step: 'from-domain',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'bounce@mycompany.com',
      rewritten: false,
    },
    reason: ['From filter "example.com, mycompany.com"'],
  },
  {
    name: 'a named server is shown with its name and id',
    input: {
      servers: [{ id: 's1', name: 'Mailgun', fromFilter: 'example.com', priority: 1, active: true }],
      params: seedParams,
      from: 'admin@example.com',
    },
    expected: {
      serverId: 's1',
      step: 'from-domain',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['server "Mailgun" (s1) has From filter "example.com"'],
  },
];

const dedicatedServers = [server('tx', 'example.com', 10), server('mass', 'mailing.mycompany.com', 50)];

const dedicatedCases: Case[] = [
  {
    name: 'mass mail goes through the dedicated server and R3.3 still applies',
    input: {
      servers: dedicatedServers,
      params: seedParams,
      from: '"Admin" <admin@example.com>',
      kind: 'mass',
      dedicatedServerId: 'mass',
    },
    expected: {
      serverId: 'mass',
      step: 'dedicated',
      fromHeader: '"Admin" <notifications@mycompany.com>',
      envelopeFrom: 'notifications@mycompany.com',
      rewritten: true,
    },
    reason: [
      'mass mail uses the dedicated server "mass", which has From filter "mailing.mycompany.com"',
      'although the filter does not allow the default From notifications@mycompany.com either',
    ],
  },
  {
    name: 'dedicated server that allows the From keeps it',
    input: {
      servers: dedicatedServers,
      params: seedParams,
      from: 'news@mailing.mycompany.com',
      kind: 'mass',
      dedicatedServerId: 'mass',
    },
    expected: {
      serverId: 'mass',
      step: 'dedicated',
      fromHeader: 'news@mailing.mycompany.com',
      envelopeFrom: 'news@mailing.mycompany.com',
      rewritten: false,
    },
    reason: ['From kept because the filter allows news@mailing.mycompany.com'],
  },
  {
    name: 'transactional mail ignores the dedicated server',
    input: {
      servers: dedicatedServers,
      params: seedParams,
      from: 'admin@example.com',
      kind: 'transactional',
      dedicatedServerId: 'mass',
    },
    expected: {
      serverId: 'tx',
      step: 'from-domain',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['server "tx"'],
  },
  {
    name: 'mass mail without a dedicated server uses R4',
    input: {
      servers: dedicatedServers,
      params: seedParams,
      from: 'admin@example.com',
      kind: 'mass',
      dedicatedServerId: null,
    },
    expected: {
      serverId: 'tx',
      step: 'from-domain',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['server "tx"'],
  },
  {
    name: 'an archived dedicated server falls back to R4, and the reason says so',
    input: {
      servers: [server('tx', 'example.com', 10), server('mass', null, 1, false)],
      params: seedParams,
      from: 'admin@example.com',
      kind: 'mass',
      dedicatedServerId: 'mass',
    },
    expected: {
      serverId: 'tx',
      step: 'from-domain',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: [
      'the dedicated mass-mailing server "mass" is archived, so the server is chosen by From filter: server "tx"',
    ],
  },
  {
    name: 'an unknown dedicated server falls back to R4, and the reason says so',
    input: {
      servers: dedicatedServers,
      params: seedParams,
      from: 'admin@example.com',
      kind: 'mass',
      dedicatedServerId: 'gone',
    },
    expected: {
      serverId: 'tx',
      step: 'from-domain',
      fromHeader: 'admin@example.com',
      envelopeFrom: 'admin@example.com',
      rewritten: false,
    },
    reason: ['the dedicated mass-mailing server "gone" does not exist'],
  },
];

describe('planOutgoingRoute', () => {
  it.each([...cases, ...dedicatedCases])('$name', ({ input, expected, reason }) => {
    const result = planOutgoingRoute({ servers: [], params: {}, kind: 'transactional', ...input });
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    const { reason: actualReason, ...route } = result.value;
    expect(route).toEqual(expected);
    let from = 0;
    for (const fragment of reason) {
      const at = actualReason.indexOf(fragment, from);
      expect(
        at,
        `reason ${JSON.stringify(actualReason)} should contain ${JSON.stringify(fragment)}`,
      ).toBeGreaterThanOrEqual(0);
      from = at + fragment.length;
    }
    expect(actualReason).not.toMatch(/undefined|null|\[object/);
  });

  it.each([
    ['', 'it is empty'],
    ['Admin', 'it has no "@"'],
    ['a@example.com, b@example.com', 'more than one address'],
    ['"Admin" <admin@example.com', 'a "<" is not closed'],
  ])('refuses the From %j with a typed error', (from, why) => {
    const result = planOutgoingRoute({
      servers: [server('a', null)],
      params: seedParams,
      from,
      kind: 'transactional',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_ADDRESS');
      expect(result.error.message).toMatch(/^invalid From: /);
      expect(result.error.message).toContain(why);
    }
  });
});
