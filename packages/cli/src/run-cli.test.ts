import { describe, expect, it } from 'vitest';
import type { Command } from './command.js';
import { runCli, usage } from './run-cli.js';

async function run(argv: string[], stdin = '', commands?: readonly Command[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    readStdin: async () => stdin,
    writeStdout: (text: string) => {
      stdout += text;
    },
    writeStderr: (text: string) => {
      stderr += text;
    },
  };
  const exitCode = await runCli(argv, io, commands);
  return { exitCode, stdout, stderr };
}

const example = JSON.stringify({
  servers: [],
  params: { 'mail.default.from': 'notifications', 'mail.catchall.domain': 'mycompany.com' },
  from: 'admin@example.com',
  kind: 'transactional',
});

describe('runCli', () => {
  it.each<[string[], string, number, RegExp, RegExp]>([
    // [argv, stdin, exit code, stdout, stderr]
    [[], '', 2, /^$/, /^Usage: sotamail <command>/],
    [['--help'], '', 2, /^$/, /^Usage: sotamail <command>/],
    [['-h'], '', 2, /^$/, /^Usage: sotamail <command>/],
    [['help'], '', 2, /^$/, /^Usage: sotamail <command>/],
    [['nope'], '', 2, /^$/, /^sotamail: unknown command "nope"\nUsage: sotamail <command>/],
    [['preview-send', '--help'], '', 2, /^$/, /^Usage: sotamail preview-send/],
    [
      ['preview-send'],
      example,
      0,
      /^\{"server":null,"from":"admin@example.com","envelopeFrom":"admin@example.com"/,
      /^$/,
    ],
    [['preview-send'], 'oops', 2, /^$/, /^sotamail preview-send: line 1: not valid JSON/],
  ])('%j', async (argv, stdin, exitCode, stdout, stderr) => {
    const result = await run(argv, stdin);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toMatch(stdout);
    expect(result.stderr).toMatch(stderr);
  });

  it('lists every command in the usage', () => {
    expect(usage()).toMatch(/^ {2}preview-send {2}preview the server/m);
  });

  it('dispatches to any registered command with its arguments, so new commands need no change here', async () => {
    const route: Command = {
      name: 'route',
      summary: 'route an incoming mail',
      usage: 'Usage: sotamail route',
      run: async ({ args, readStdin }) => ({
        stdout: `${args.join(',')}:${await readStdin()}`,
        stderr: '',
        exitCode: 0,
      }),
    };
    expect(await run(['route', 'a', 'b'], 'raw', [route])).toEqual({
      exitCode: 0,
      stdout: 'a,b:raw',
      stderr: '',
    });
    expect((await run([], '', [route])).stderr).toContain('  route  route an incoming mail');
  });
});
