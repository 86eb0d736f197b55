import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The real `sotamail` process, run from the TypeScript sources with tsx (no build needed), to check
// what unit tests cannot: stdin reading, stream writes and the process exit code.
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function sotamail(
  args: string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@sotamail/source', main, ...args],
      {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const example = JSON.stringify({
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
});
const platform = JSON.stringify({
  servers: [],
  params: {
    'mail.default.from': 'notifications',
    'mail.catchall.domain': 'mycompany.com',
    'mail.bounce.alias': 'bounce',
    'mail.default.from_filter': 'mycompany.com',
  },
  from: '"Admin" <admin@example.com>',
  kind: 'transactional',
});
const exampleLine =
  '{"server":"a","from":"\\"Admin\\" <admin@example.com>","envelopeFrom":"admin@example.com","reason":"server \\"a\\" has From filter \\"example.com\\", which contains the From domain example.com; From kept; envelope sender is admin@example.com because the filter does not allow the bounce address bounce@mycompany.com"}';

describe('sotamail process', { timeout: 30_000 }, () => {
  it.each<[string, string[], string, number, (stdout: string) => void, RegExp]>([
    ['one object', ['preview-send'], example, 0, (out) => expect(out).toBe(`${exampleLine}\n`), /^$/],
    [
      'several lines',
      ['preview-send'],
      `${example}\n\n${platform}\n`,
      0,
      (out) => {
        const lines = out.trimEnd().split('\n');
        expect(lines[0]).toBe(exampleLine);
        expect(JSON.parse(lines[1] ?? '')).toMatchObject({
          server: null,
          from: '"Admin" <notifications@mycompany.com>',
          envelopeFrom: 'bounce@mycompany.com',
        });
        expect(lines).toHaveLength(2);
      },
      /^$/,
    ],
    [
      'an invalid line after a valid one',
      ['preview-send'],
      `${example}\n{"servers": 1}\n${platform}\n`,
      2,
      (out) => expect(out).toBe(`${exampleLine}\n`),
      /^sotamail preview-send: line 2: servers: expected array, received number; params: is required; from: is required; kind: is required\n$/,
    ],
    [
      'bad JSON',
      ['preview-send'],
      '{',
      2,
      (out) => expect(out).toBe(''),
      /^sotamail preview-send: line 1: not valid JSON \(.*\)\n$/,
    ],
    [
      'inspect without a file',
      ['inspect'],
      '',
      2,
      (out) => expect(out).toBe(''),
      /^sotamail inspect: no file given\nUsage: sotamail inspect/,
    ],
    ['help', ['--help'], '', 2, (out) => expect(out).toBe(''), /^Usage: sotamail <command>/],
    [
      'unknown command',
      ['frobnicate'],
      '',
      2,
      (out) => expect(out).toBe(''),
      /^sotamail: unknown command "frobnicate"\n/,
    ],
  ])('%s', async (_, args, stdin, code, checkStdout, stderr) => {
    const result = await sotamail(args, stdin);
    expect(result.stderr).toMatch(stderr);
    expect(result.code).toBe(code);
    checkStdout(result.stdout);
  });
});
