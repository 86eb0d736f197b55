import net from 'node:net';
import { domainToASCII } from 'node:url';
import {
  diagnoseMailbox,
  MailboxProbeError,
  type MailboxProbeFailure,
  type MailboxProbeFailureCode,
  type MailboxProbeStep,
} from './diagnosis.js';
import { probeImap } from './imap-probe.js';
import { probePop3 } from './pop3-probe.js';
import type { MailboxProbeTarget } from './probe-target.js';

export const DEFAULT_MAILBOX_PROBE_TIMEOUT_MS = 15_000;

export type MailboxProbeResult =
  | { ok: true; message: string; transcript: string[]; durationMs: number }
  | {
      ok: false;
      code: MailboxProbeFailureCode;
      message: string;
      step: MailboxProbeStep;
      transcript: string[];
      durationMs: number;
    };

const hostPattern = /^[a-z0-9_.-]+$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f]/;

/** A problem with the settings themselves, found before any connection; null when they can be used. */
function invalidSettings(target: MailboxProbeTarget): string | null {
  const host = target.host.trim();
  const ascii = net.isIP(host) ? host : domainToASCII(host.toLowerCase());
  if (ascii === '' || !(net.isIP(ascii) || hostPattern.test(ascii))) {
    return `the server name "${target.host.slice(0, 100)}" is not a valid host name`;
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    return `the port ${String(target.port)} is not a whole number from 1 to 65535`;
  }
  const { credential } = target;
  if (credential.type === 'xoauth2') {
    // A control character would end a field of the XOAUTH2 response and start another one.
    if (controlCharacter.test(target.username) || controlCharacter.test(credential.accessToken)) {
      return 'the username or access token contains a control character';
    }
  } else if (/[\r\n]/.test(target.username) || /[\r\n]/.test(credential.password)) {
    // A line break would end the command and start another one (command injection).
    return 'the username or password contains a line break';
  }
  return null;
}

/**
 * Test & Confirm (R7.1): connects for real, negotiates TLS as configured, logs in and opens the
 * mailbox (IMAP: the folder, read-only; POP3: STAT), then leaves without deleting or flagging
 * anything. The result is success or exactly one diagnosis; never a stack trace.
 */
export async function probeMailbox(target: MailboxProbeTarget): Promise<MailboxProbeResult> {
  const started = Date.now();
  const transcript: string[] = [];
  const record = (entry: string) => {
    if (transcript.length < 200) {
      transcript.push(entry);
    }
  };
  const context = {
    protocol: target.protocol,
    host: target.host,
    port: target.port,
    security: target.security,
    folder: target.folder,
    timeoutMs: target.timeoutMs,
  };
  try {
    const problem = invalidSettings(target);
    if (problem) {
      throw new MailboxProbeError({ kind: 'invalid-settings', problem });
    }
    await (target.protocol === 'imap' ? probeImap(target, record) : probePop3(target, record));
    return {
      ok: true,
      message:
        target.protocol === 'imap'
          ? `Connection Test Successful! Logged in to ${target.host}:${target.port} and opened the folder "${target.folder}".`
          : `Connection Test Successful! Logged in to ${target.host}:${target.port} and opened the mailbox.`,
      transcript,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    const failure: MailboxProbeFailure =
      err instanceof MailboxProbeError
        ? err.failure
        : { kind: 'unexpected', step: 'connect', detail: err instanceof Error ? err.message : String(err) };
    const diagnosis = diagnoseMailbox(failure, context);
    return { ok: false, ...diagnosis, transcript, durationMs: Date.now() - started };
  }
}
