import type { Command } from '../command.js';
import { inspectCommand } from './inspect.js';
import { previewSendCommand } from './preview-send.js';
import { routeCommand } from './route.js';

/** Every subcommand; adding one (`route`) is one file plus one line here. */
export const commands: readonly Command[] = [previewSendCommand, inspectCommand, routeCommand];
