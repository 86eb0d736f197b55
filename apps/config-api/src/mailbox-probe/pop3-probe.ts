import net from 'node:net';
import tls from 'node:tls';
import { xoauth2InitialResponse } from '@sotamail/oauth';
import { MailboxProbeError, type MailboxProbeFailure, type MailboxProbeStep } from './diagnosis.js';
import type { MailboxProbeTarget } from './probe-target.js';

type Line = { ok: boolean; text: string; challenge?: boolean };

/** RFC 5034: an AUTH command line, CRLF included, is at most 255 octets. */
const maxAuthLineOctets = 255;

/**
 * The POP3 side of Test & Confirm: greeting, STLS or implicit TLS, USER/PASS (or CAPA and AUTH
 * XOAUTH2 with an access token), STAT, QUIT. Nothing is retrieved or deleted (no RETR, no DELE). Each problem
 * surfaces as a MailboxProbeError naming the step in progress; socket errors never escape.
 */
export async function probePop3(target: MailboxProbeTarget, record: (entry: string) => void): Promise<void> {
  const { host, port, timeoutMs } = target;
  const tlsOptions: tls.ConnectionOptions = net.isIP(host) ? {} : { servername: host };
  let step: MailboxProbeStep = 'connect';
  let socket: net.Socket;
  let buffer = '';
  let failure: MailboxProbeFailure | null = null;
  let wake: (() => void) | null = null;

  const fail = (f: MailboxProbeFailure) => {
    failure ??= f;
    wake?.();
  };
  const watch = (s: net.Socket) => {
    s.on('error', (err: NodeJS.ErrnoException) =>
      fail({ kind: 'socket-error', step, errorCode: err.code, detail: err.message }),
    );
    s.on('close', () => fail({ kind: 'closed', step }));
  };
  const read = (s: net.Socket) => {
    s.setEncoding('latin1');
    s.on('data', (chunk: string) => {
      buffer += chunk;
      wake?.();
    });
  };

  /** Resolves once `ready` gives a value; a failure or the timeout rejects with the step in progress. */
  function waitFor<T>(ready: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = failure ? undefined : ready();
        if (failure || value !== undefined) {
          clearTimeout(timer);
          wake = null;
          if (failure) {
            reject(new MailboxProbeError(failure));
          } else {
            resolve(value as T);
          }
        }
      };
      const timer = setTimeout(() => fail({ kind: 'timeout', step }), timeoutMs);
      wake = check;
      check();
    });
  }

  function takeLine(): Promise<string> {
    return waitFor(() => {
      const end = buffer.indexOf('\n');
      if (end < 0) {
        return undefined;
      }
      const text = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      return text;
    });
  }

  /** `sasl`: the answer to AUTH, which may be a `+ <base64>` challenge. */
  async function readLine(sasl = false): Promise<Line> {
    const line = await takeLine();
    record(`S: ${line}`);
    const challenge = sasl ? /^\+(?: (.*))?$/.exec(line) : null;
    if (challenge) {
      return { ok: true, text: (challenge[1] ?? '').trim(), challenge: true };
    }
    const match = /^(\+OK|-ERR)(?:\s(.*))?$/i.exec(line);
    if (!match) {
      throw new MailboxProbeError({ kind: 'not-protocol', step, sample: printable(line) });
    }
    return { ok: match[1]?.toUpperCase() === '+OK', text: printable(match[2] ?? '') };
  }

  async function command(line: string, at: MailboxProbeStep, shown = line, sasl = false): Promise<Line> {
    step = at;
    if (failure) {
      throw new MailboxProbeError(failure);
    }
    record(`C: ${shown}`);
    socket.write(`${line}\r\n`);
    return readLine(sasl);
  }

  /** The lines of a multi-line answer up to its "." (CAPA is short: none starts with a dot). */
  async function readBody(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await takeLine();
      if (line === '.') {
        return lines;
      }
      record(`S: ${line}`);
      lines.push(line);
    }
  }

  /** CAPA, then AUTH XOAUTH2 (RFC 5034), the initial response on the command line when it fits. */
  async function authXoauth2(accessToken: string): Promise<void> {
    const capa = await command('CAPA', 'auth');
    const lines = capa.ok ? await readBody() : [];
    const sasl = lines.find((l) => /^SASL(\s|$)/i.test(l)) ?? '';
    if (!/\sXOAUTH2(\s|$)/i.test(sasl)) {
      throw new MailboxProbeError({ kind: 'oauth-unsupported' });
    }
    const payload = xoauth2InitialResponse(target.username, accessToken);
    let answer: Line;
    if (`AUTH XOAUTH2 ${payload}`.length + 2 <= maxAuthLineOctets) {
      answer = await command(`AUTH XOAUTH2 ${payload}`, 'auth', 'AUTH XOAUTH2 ********', true);
    } else {
      answer = await command('AUTH XOAUTH2', 'auth', 'AUTH XOAUTH2', true);
      if (answer.challenge) {
        answer = await command(payload, 'auth', '********', true);
      }
    }
    if (answer.challenge) {
      // The server's error report; an empty line ends the exchange and brings its -ERR.
      answer = await command('', 'auth', '(empty line: ends the exchange)');
    }
    if (!answer.ok) {
      throw new MailboxProbeError({ kind: 'oauth-refused', serverText: answer.text });
    }
  }

  async function startTls(plain: net.Socket, at: 'tls' | 'starttls'): Promise<net.Socket> {
    step = at;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tls.connect({ ...tlsOptions, socket: plain });
    watch(secure);
    let secured = false;
    secure.once('secureConnect', () => {
      secured = true;
      wake?.();
    });
    await waitFor(() => secured || undefined);
    record(`* TLS established (${secure.getProtocol() ?? 'TLS'})`);
    read(secure);
    return secure;
  }

  socket = net.connect({ host, port });
  watch(socket);
  try {
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      wake?.();
    });
    await waitFor(() => connected || undefined);
    record(`* Connected to ${host}:${port}`);
    if (target.security === 'ssl') {
      socket = await startTls(socket, 'tls');
    } else {
      read(socket);
    }
    step = 'greeting';
    const greeting = await readLine();
    if (!greeting.ok) {
      throw new MailboxProbeError({ kind: 'refused', step: 'greeting', serverText: greeting.text });
    }
    if (target.security === 'starttls') {
      const answer = await command('STLS', 'starttls');
      if (!answer.ok) {
        throw new MailboxProbeError({ kind: 'starttls-not-offered', serverText: answer.text });
      }
      if (buffer !== '') {
        // Plain text after +OK would be read as if TLS had protected it (command injection).
        throw new MailboxProbeError({
          kind: 'unexpected',
          step: 'starttls',
          detail: 'the server sent data after accepting STLS',
        });
      }
      socket = await startTls(socket, 'starttls');
    }
    const { credential } = target;
    if (credential.type === 'xoauth2') {
      await authXoauth2(credential.accessToken);
    } else {
      const user = await command(`USER ${target.username}`, 'auth');
      const pass = user.ok ? await command(`PASS ${credential.password}`, 'auth', 'PASS ********') : user;
      if (!pass.ok) {
        throw new MailboxProbeError({ kind: 'auth-failed', serverText: pass.text });
      }
    }
    const stat = await command('STAT', 'folder');
    if (!stat.ok) {
      // Logged in, but the mailbox cannot be opened (locked by another session, in use…).
      throw new MailboxProbeError({ kind: 'refused', step: 'folder', serverText: stat.text });
    }
    // QUIT without a DELE deletes nothing; its answer does not change the verdict.
    await command('QUIT', 'folder').catch(() => undefined);
  } finally {
    socket.destroy();
  }
}

/** Text from a server, safe to put in one line of a message. */
function printable(text: string, maxLength = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
