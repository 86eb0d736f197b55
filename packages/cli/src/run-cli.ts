import { type Command, type CommandOutput, EXIT_USAGE, isHelpFlag } from './command.js';
import { commands as allCommands } from './commands/registry.js';

export type CliIo = {
  readStdin: () => Promise<string>;
  env?: Readonly<Record<string, string | undefined>>;
  writeStdout: (text: string) => void;
  writeStderr: (text: string) => void;
};

export function usage(commands: readonly Command[] = allCommands): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const list = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: sotamail <command> [--help]

Commands:
${list}

Run "sotamail <command> --help" for a command's input and output.
`;
}

/**
 * Dispatches `argv` (without node and the script) to a subcommand. `--help`, no command and an
 * unknown command print the usage on stderr and return 2, so a script never mistakes them for output.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = allCommands,
): Promise<number> {
  const [name, ...args] = argv;
  const command = commands.find((candidate) => candidate.name === name);
  let output: CommandOutput;
  if (command !== undefined) {
    output = await command.run({ args, readStdin: io.readStdin, env: io.env ?? {} });
  } else {
    const problem =
      name === undefined || isHelpFlag(name) || name === 'help'
        ? ''
        : `sotamail: unknown command ${JSON.stringify(name)}\n`;
    output = { stdout: '', stderr: `${problem}${usage(commands)}`, exitCode: EXIT_USAGE };
  }
  if (output.stdout !== '') {
    io.writeStdout(output.stdout);
  }
  if (output.stderr !== '') {
    io.writeStderr(output.stderr);
  }
  return output.exitCode;
}
