import { readFile } from 'node:fs/promises';
import {
  type BounceKind,
  type BounceReason,
  detectAutoReply,
  headerMapFromLines,
  headerValue,
  readBounce,
  stripMessageId,
} from '@sotamail/mail-core';
import { simpleParser } from 'mailparser';
import { type Command, type CommandOutput, EXIT_OK, EXIT_USAGE, isHelpFlag } from '../command.js';

const NAME = 'inspect';

export const inspectUsage = `Usage: sotamail ${NAME} <file.eml>...

Tells, for each raw email file, whether it is an automatic reply (R9.3) and whether it is a bounce,
and if so reads it (R10.1), without a database and without side effects. Use "--" before file names
that start with "-".

Prints one JSON line per file, in the order given:
  {"file": the path as given,
   "messageId": the Message-ID without <>, or null when the mail has none,
   "autoReply": true when we must never answer it (Auto-Submitted, X-Auto-Response-Suppress,
                Precedence bulk/junk/list/auto_reply, X-Autoreply and kin, list headers,
                Return-Path <>, or an out-of-office subject),
   "bounce": null when it is not a bounce (a vacation reply, a DSN reporting delivery, any other
             mail), else
             {"recipients": [{"address": the recipient that failed, or null when not said,
                              "status": the enhanced status code such as "5.1.1", or null,
                              "hard": true when the address itself can never receive mail,
                              "reason": userunknown, mailboxfull, blocked, … (Sisimai's vocabulary),
                              "diagnostic": the remote server's words, or null}],
              "originalMessageId": the Message-ID (without <>) of the mail that bounced when the
                                   report carries it, else null,
              "kind": "dsn" (RFC 3464) | "arf" (RFC 5965 feedback report) | "non-standard"}
Without a database the bounce address is unknown, so the VERP token of the envelope sender is not
used here: the reading rests on the report's content alone.

A file that cannot be read or is not an email prints {"file": …, "error": why} and the other files
go on.

Exit status: 0 when every file was inspected (bounce or not); 2 when a file could not be read or
parsed (after all lines are printed), or without file arguments.
`;

export type InspectLine =
  | {
      file: string;
      messageId: string | null;
      autoReply: boolean;
      bounce: null | InspectBounce;
    }
  | { file: string; error: string };

export type InspectBounce = {
  recipients: {
    address: string | null;
    status: string | null;
    hard: boolean;
    reason: BounceReason;
    diagnostic: string | null;
  }[];
  originalMessageId: string | null;
  kind: BounceKind;
};

/** One file, never throwing: an unreadable or unparsable file gives an error line. */
export async function inspectFile(file: string): Promise<InspectLine> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    return { file, error: `cannot read the file: ${describeFsError(error)}` };
  }
  const problem = notAnEmail(raw);
  if (problem !== null) {
    return { file, error: `not an email message: ${problem}` };
  }
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  } catch (error) {
    return {
      file,
      error: `cannot parse the email: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!mail.headerLines.some((header) => FIELD_NAME.test(header.key))) {
    return { file, error: 'not an email message: no header found' };
  }

  const headers = headerMapFromLines(mail.headerLines.map((header) => header.line));
  const subject = mail.subject ?? undefined;
  const messageIdHeader = headerValue(headers, 'Message-ID');
  const messageId = messageIdHeader === null ? null : stripMessageId(messageIdHeader) || null;
  const { autoReply } = detectAutoReply(headers, subject);
  return { file, messageId, autoReply, bounce: bounceOf(raw) };
}

type ParsedMail = Awaited<ReturnType<typeof simpleParser>>;

// The reader decides: a delivery-success DSN or a vacation reply looks like a report by its format,
// but is not a bounce, and a mail that is not a bounce is never shown as one.
function bounceOf(raw: Buffer): InspectBounce | null {
  const report = readBounce(raw);
  if (report === null) {
    return null;
  }
  return {
    recipients: report.recipients.map(({ address, status, hard, reason, diagnostic }) => ({
      address,
      status,
      hard,
      reason,
      diagnostic,
    })),
    originalMessageId: report.originalMessageId,
    kind: report.kind,
  };
}

/** The whole command as a function of its arguments (files are read, nothing is written). */
export async function inspect(files: readonly string[]): Promise<CommandOutput> {
  let stdout = '';
  let failed = 0;
  for (const file of files) {
    const line = await inspectFile(file);
    if ('error' in line) {
      failed += 1;
    }
    stdout += `${JSON.stringify(line)}\n`;
  }
  const stderr =
    failed === 0 ? '' : `sotamail ${NAME}: ${failed} of ${files.length} files could not be inspected\n`;
  return { stdout, stderr, exitCode: failed === 0 ? EXIT_OK : EXIT_USAGE };
}

export const inspectCommand: Command = {
  name: NAME,
  summary: 'tell whether .eml files are automatic replies or bounces (one JSON line per file)',
  usage: inspectUsage,
  async run({ args }) {
    const files: string[] = [];
    let optionsDone = false;
    for (const arg of args) {
      if (!optionsDone && arg === '--') {
        optionsDone = true;
      } else if (!optionsDone && isHelpFlag(arg)) {
        return usageError('');
      } else if (!optionsDone && arg.startsWith('-') && arg !== '-') {
        return usageError(`sotamail ${NAME}: unknown option ${JSON.stringify(arg)}\n`);
      } else {
        files.push(arg);
      }
    }
    if (files.length === 0) {
      return usageError(`sotamail ${NAME}: no file given\n`);
    }
    return inspect(files);
  },
};

function usageError(problem: string): CommandOutput {
  return { stdout: '', stderr: `${problem}${inspectUsage}`, exitCode: EXIT_USAGE };
}

// RFC 5322 field name: printable ASCII except ":". mailparser keeps lines it could not split with an
// empty or odd name, which is what binary data gives.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

// A header section holding NUL bytes is binary data, not mail (mailparser would accept it).
function notAnEmail(raw: Buffer): string | null {
  if (raw.length === 0) {
    return 'the file is empty';
  }
  const ends = [raw.indexOf('\n\n'), raw.indexOf('\r\n\r\n')].filter((index) => index !== -1);
  const header = ends.length === 0 ? raw : raw.subarray(0, Math.min(...ends));
  return header.includes(0) ? 'binary data (NUL bytes) where the header should be' : null;
}

/** Why a file could not be read, in words (the error of fs.readFile). */
export function describeFsError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
