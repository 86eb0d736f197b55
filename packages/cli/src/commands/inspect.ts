import { readFile } from 'node:fs/promises';
import {
  type BounceKind,
  detectAutoReply,
  type HeaderMap,
  headerMapFromLines,
  headerValue,
  looksLikeBounce,
  stripMessageId,
} from '@sotamail/mail-core';
import { simpleParser } from 'mailparser';
import { type Command, type CommandOutput, EXIT_OK, EXIT_USAGE, isHelpFlag } from '../command.js';

const NAME = 'inspect';

export const inspectUsage = `Usage: sotamail ${NAME} <file.eml>...

Tells, for each raw email file, whether it is an automatic reply (R9.3) and whether it looks like a
bounce (R8), without a database and without side effects. Use "--" before file names that start with "-".

Prints one JSON line per file, in the order given:
  {"file": the path as given,
   "messageId": the Message-ID without <>, or null when the mail has none,
   "autoReply": true when we must never answer it (Auto-Submitted, X-Auto-Response-Suppress,
                Precedence bulk/junk/list/auto_reply, X-Autoreply and kin, list headers,
                Return-Path <>, or an out-of-office subject),
   "bounce": null when it does not look like a bounce, else
             {"kind": "dsn" (RFC 3464) | "arf" (RFC 5965 feedback report) | "non-standard",
              "recipients": [], "originalMessageId": the Message-ID (without <>) of the original
              mail when the report carries it as an attached message or headers, else null}}
"recipients" is always [] for now: reading the bounced recipients is not done yet, so [] means
"not read", not "none". Without a database the bounce address is unknown, so a mail counts as a
bounce by its format or sender only (multipart/report, MAILER-DAEMON, postmaster, Mail Delivery
System, or the null sender with a delivery-failure subject).

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
      bounce: null | { kind: BounceKind; recipients: never[]; originalMessageId: string | null };
    }
  | { file: string; error: string };

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
  let mail: Awaited<ReturnType<typeof simpleParser>>;
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
  const sniff = looksLikeBounce({
    headers,
    subject: subject ?? null,
    partContentTypes: mail.attachments.map((attachment) => attachment.contentType),
  });
  const bounce =
    sniff.kind === null
      ? null
      : { kind: sniff.kind, recipients: [], originalMessageId: originalMessageId(mail.attachments) };
  return { file, messageId, autoReply, bounce };
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

type Attachment = { contentType: string; content: Buffer };

// The Message-ID of the original mail that a report attaches whole (message/rfc822) or as headers only
// (text/rfc822-headers, RFC 3462), without <>; null when there is none.
function originalMessageId(attachments: readonly Attachment[]): string | null {
  for (const attachment of attachments) {
    const type = attachment.contentType.toLowerCase();
    if (type !== 'message/rfc822' && type !== 'text/rfc822-headers') {
      continue;
    }
    const id = headerValue(headerSection(attachment.content.toString('utf8')), 'Message-ID');
    if (id !== null && stripMessageId(id) !== '') {
      return stripMessageId(id);
    }
  }
  return null;
}

function headerSection(text: string): HeaderMap {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      break;
    }
    if (/^[ \t]/.test(line) && lines.length > 0) {
      lines[lines.length - 1] += line;
    } else {
      lines.push(line);
    }
  }
  return headerMapFromLines(lines);
}

function describeFsError(error: unknown): string {
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
