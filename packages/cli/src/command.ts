/** What a command prints and its exit status; commands never write to the process themselves, so they
 * can be tested by calling them with strings. */
export type CommandOutput = { stdout: string; stderr: string; exitCode: number };

/** The process streams as a command sees them; stdin is read only by commands that need it. */
export type CommandInput = {
  args: readonly string[];
  readStdin: () => Promise<string>;
  /** The environment, for commands that reach a database (DATABASE_URL). */
  env?: Readonly<Record<string, string | undefined>>;
};

export type Command = {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full usage, shown for `sotamail <command> --help` and usage errors. */
  usage: string;
  run: (input: CommandInput) => Promise<CommandOutput>;
};

export const EXIT_OK = 0;
/** Unexpected failure (a bug): the input was fine. */
export const EXIT_FAILURE = 1;
/** Usage error or invalid input: the caller must change something. */
export const EXIT_USAGE = 2;

export function isHelpFlag(arg: string): boolean {
  return arg === '--help' || arg === '-h';
}
