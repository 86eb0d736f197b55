import { describe, expect, it } from 'vitest';
import { previewSend, previewSendCommand } from './preview-send.js';

const example = {
  servers: [{ id: 'a', fromFilter: 'example.com', priority: 10, active: true }],
  params: {
    'mail.default.from': 'notifications',
    'mail.catchall.domain': 'mycompany.com',
    'mail.bounce.alias': 'bounce',
    'mail.default.from_filter': null,
  },
  from: '"Admin" <admin@example.com>',
  kind: 'transactional',
  dedicatedServerId: null,
};
const exampleOutput = {
  server: 'a',
  from: '"Admin" <admin@example.com>',
  envelopeFrom: 'admin@example.com',
  reason:
    'server "a" has From filter "example.com", which contains the From domain example.com; From kept; envelope sender is admin@example.com because the filter does not allow the bounce address bounce@mycompany.com',
};
const platform = {
  ...example,
  servers: [],
  params: { ...example.params, 'mail.default.from_filter': 'mycompany.com' },
};
const platformOutput = {
  server: null,
  from: '"Admin" <notifications@mycompany.com>',
  envelopeFrom: 'bounce@mycompany.com',
};
const line = (value: unknown) => JSON.stringify(value);
const withoutKey = (key: string) =>
  line(Object.fromEntries(Object.entries(example).filter(([k]) => k !== key)));

describe('previewSend: valid input', () => {
  it.each<[string, string, Record<string, unknown>[]]>([
    ['one object', line(example), [exampleOutput]],
    ['one object with a trailing newline', `${line(example)}\n`, [exampleOutput]],
    ['one pretty-printed object', JSON.stringify(example, null, 2), [exampleOutput]],
    ['a byte-order mark is ignored', `\uFEFF${line(example)}`, [exampleOutput]],
    ['several objects, in order', `${line(example)}\n${line(platform)}\n`, [exampleOutput, platformOutput]],
    [
      'blank lines and CRLF are ignored',
      `\n${line(platform)}\r\n  \r\n${line(example)}\r\n\n`,
      [platformOutput, exampleOutput],
    ],
    ['dedicatedServerId may be absent', withoutKey('dedicatedServerId'), [exampleOutput]],
    [
      'params may be empty (nothing set)',
      line({ ...example, params: {} }),
      [{ server: 'a', envelopeFrom: 'admin@example.com' }],
    ],
    [
      'extra server fields are ignored',
      line({ ...example, servers: [{ ...example.servers[0], host: 'smtp.example.com', port: 587 }] }),
      [{ server: 'a' }],
    ],
    [
      'mass mail through the dedicated server',
      line({
        ...example,
        kind: 'mass',
        dedicatedServerId: 'm',
        servers: [
          ...example.servers,
          { id: 'm', name: 'Mass', fromFilter: null, priority: 50, active: true },
        ],
      }),
      [
        {
          server: 'm',
          envelopeFrom: 'bounce@mycompany.com',
          reason: expect.stringMatching(/^mass mail uses the dedicated server "Mass" \(m\)/),
        },
      ],
    ],
  ])('%s', (_, input, expected) => {
    const output = previewSend(input);
    expect(output.stderr).toBe('');
    expect(output.exitCode).toBe(0);
    expect(output.stdout.endsWith('\n')).toBe(true);
    const lines = output.stdout.trimEnd().split('\n');
    expect(lines.map((text) => JSON.parse(text))).toEqual(
      expected.map((value) => expect.objectContaining(value)),
    );
  });

  it('prints exactly the four documented keys, in order', () => {
    const output = previewSend(line(example));
    expect(output.stdout).toBe(`${JSON.stringify(exampleOutput)}\n`);
  });
});

describe('previewSend: invalid input', () => {
  it.each<[string, string, string, number]>([
    // [case, stdin, stderr (exact), number of result lines printed before the error]
    ['empty input', '', 'no input: expected a JSON object on stdin (one per line for several)', 0],
    ['blank input', ' \n\n ', 'no input: expected a JSON object on stdin (one per line for several)', 0],
    ['not JSON', 'hello', 'line 1: not valid JSON (', 0],
    ['a JSON array', '[1]', 'line 1: expected object, received array', 0],
    ['a JSON null', 'null', 'line 1: expected object, received null', 0],
    ['missing from', withoutKey('from'), 'line 1: from: is required', 0],
    [
      'missing servers and kind',
      line({ params: {}, from: 'a@b.com' }),
      'line 1: servers: is required; kind: is required',
      0,
    ],
    [
      'wrong type',
      line({ ...example, servers: [{ ...example.servers[0], priority: '10' }] }),
      'line 1: servers[0].priority: expected number, received string',
      0,
    ],
    [
      'missing server field',
      line({ ...example, servers: [{ id: 'a', priority: 1, active: true }] }),
      'line 1: servers[0].fromFilter: is required',
      0,
    ],
    [
      'empty server id',
      line({ ...example, servers: [{ ...example.servers[0], id: '' }] }),
      'line 1: servers[0].id: ',
      0,
    ],
    [
      'unknown kind',
      line({ ...example, kind: 'bulk' }),
      'line 1: kind: expected one of "transactional"|"mass"',
      0,
    ],
    [
      'misspelt parameter',
      line({ ...example, params: { 'mail.default_from': 'x' } }),
      'line 1: params: unrecognized key: "mail.default_from"',
      0,
    ],
    [
      'parameter of the wrong type',
      line({ ...example, params: { 'mail.bounce.alias': 5 } }),
      'line 1: params["mail.bounce.alias"]: expected string, received number',
      0,
    ],
    ['unknown top-level key', line({ ...example, form: 'x' }), 'line 1: unrecognized key: "form"', 0],
    [
      'unparsable From',
      line({ ...example, from: 'Admin' }),
      'line 1: invalid From: "Admin" is not a valid email address: it has no "@"',
      0,
    ],
    [
      'two authors in From',
      line({ ...example, from: 'a@b.com, c@d.com' }),
      'line 1: invalid From: "a@b.com, c@d.com" is not a valid email address: it contains more than one address',
      0,
    ],
    // Stops at the first invalid line; the results before it are printed; line numbers count blank lines.
    [
      'second line invalid',
      `${line(example)}\n\n{"servers":\n${line(example)}`,
      'line 3: not valid JSON (',
      1,
    ],
    [
      'third object invalid',
      `${line(example)}\n${line(platform)}\n${line({ ...example, from: '' })}`,
      'line 3: invalid From: "" is not a valid email address: it is empty',
      2,
    ],
  ])('%s', (_, input, stderr, printed) => {
    const output = previewSend(input);
    expect(output.exitCode).toBe(2);
    expect(output.stderr.startsWith(`sotamail preview-send: ${stderr}`)).toBe(true);
    expect(output.stderr.endsWith('\n')).toBe(true);
    expect(output.stderr.trimEnd()).not.toContain('\n');
    expect(output.stdout === '' ? [] : output.stdout.trimEnd().split('\n')).toHaveLength(printed);
  });
});

describe('previewSendCommand', () => {
  const stdin = async () => line(example);

  it.each<[string[], number, RegExp, RegExp]>([
    // [args, exit code, stdout, stderr]
    [[], 0, /^\{"server":"a",/, /^$/],
    [['--help'], 2, /^$/, /^Usage: sotamail preview-send/],
    [['-h'], 2, /^$/, /^Usage: sotamail preview-send/],
    [['extra'], 2, /^$/, /^sotamail preview-send: unexpected argument "extra"\nUsage: /],
  ])('%j → exit %i', async (args, exitCode, stdout, stderr) => {
    const output = await previewSendCommand.run({ args, readStdin: stdin });
    expect(output.exitCode).toBe(exitCode);
    expect(output.stdout).toMatch(stdout);
    expect(output.stderr).toMatch(stderr);
  });
});
