export {
  type Command,
  type CommandInput,
  type CommandOutput,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
} from './command.js';
export {
  type InspectLine,
  inspect,
  inspectCommand,
  inspectFile,
  inspectUsage,
} from './commands/inspect.js';
export {
  type PreviewSendInput,
  previewSend,
  previewSendCommand,
  previewSendInputSchema,
  previewSendUsage,
} from './commands/preview-send.js';
export { commands } from './commands/registry.js';
export { type CliIo, runCli, usage } from './run-cli.js';
