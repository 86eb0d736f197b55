import net from 'node:net';
import tls from 'node:tls';
import { parseXoauth2Challenge, xoauth2InitialResponse } from '@sotamail/oauth';
import {
  type Pop3Response,
  Pop3ResponseReader,
  parseStat,
  parseUidlListing,
  type UidlEntry,
} from '../domain/pop3-response.js';

export type Pop3Security = 'none' | 'starttls' | 'ssl';

export type Pop3ConnectOptions = {
  host: string;
  port: number;
  security: Pop3Security;
  /** Limit for the connection, the TLS handshake and each wait for the server: it restarts with every byte received. */
  timeoutMs?: number;
  /** Extra TLS options (certificate verification is on by default, as for IMAP). */
  tls?: tls.ConnectionOptions;
};

/**
 * A POP3 connection in the TRANSACTION state after `login`. Messages marked with `dele` are removed
 * only by `quit` (RFC 1939's UPDATE state): a connection that drops, or is `destroy`ed, deletes nothing.
 */
export type Pop3Connection = {
  login: (username: string, password: string) => Promise<void>;
  /** SASL XOAUTH2 (RFC 5034 AUTH) with an OAuth2 access token, when CAPA lists it; else EXOAUTH2_UNSUPPORTED. */
  loginXoauth2: (username: string, accessToken: string) => Promise<void>;
  /** The CAPA lines (RFC 2449); empty when the server does not know CAPA. */
  capabilities: () => Promise<string[]>;
  stat: () => Promise<{ count: number; octets: number }>;
  uidl: () => Promise<UidlEntry[]>;
  retr: (messageNumber: number) => Promise<Buffer>;
  dele: (messageNumber: number) => Promise<void>;
  quit: () => Promise<void>;
  destroy: () => void;
};

/**
 * An error of the POP3 dialogue. `code` and the flags are what describeFetchError classifies on:
 * Node's socket and TLS codes pass through unchanged.
 */
export class Pop3Error extends Error {
  override readonly name = 'Pop3Error';
  constructor(
    message: string,
    readonly code: string,
    fields: {
      responseText?: string;
      authenticationFailed?: boolean;
      tlsFailed?: boolean;
      protocol?: 'pop3';
    } = {},
  ) {
    super(message);
    Object.assign(this, fields);
  }
}

const defaultTimeoutMs = 30_000;
/** RFC 5034: an AUTH command line, CRLF included, is at most 255 octets; longer responses go on their own line. */
const maxAuthLineOctets = 255;

/** Connects (plain, STLS or implicit TLS, per the server's security setting) and reads the greeting. */
export async function connectPop3(options: Pop3ConnectOptions): Promise<Pop3Connection> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const tlsOptions: tls.ConnectionOptions = {
    ...(net.isIP(options.host) ? {} : { servername: options.host }),
    ...options.tls,
  };
  const reader = new Pop3ResponseReader();
  let socket: net.Socket = await openSocket(options, tlsOptions, timeoutMs);
  let waiter: {
    multiline: boolean;
    sasl: boolean;
    resolve: (r: Pop3Response) => void;
    reject: (e: Error) => void;
  } | null = null;
  let failure: Error | null = null;
  let timer: NodeJS.Timeout | undefined;

  const fail = (err: Error) => {
    failure ??= err;
    clearTimeout(timer);
    const w = waiter;
    waiter = null;
    w?.reject(failure);
  };
  const armTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fail(
        new Pop3Error(`no answer from ${options.host}:${options.port} within ${timeoutMs} ms`, 'ETIMEDOUT'),
      );
      socket.destroy();
    }, timeoutMs);
  };
  const deliver = () => {
    if (!waiter) {
      return;
    }
    let response: Pop3Response | null;
    try {
      response = reader.read(waiter.multiline, waiter.sasl);
    } catch (err) {
      fail(err as Error);
      socket.destroy();
      return;
    }
    if (response) {
      clearTimeout(timer);
      const w = waiter;
      waiter = null;
      w.resolve(response);
    }
  };
  const attach = (s: net.Socket) => {
    s.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        fail(err as Error);
        s.destroy();
        return;
      }
      if (waiter) {
        armTimer();
        deliver();
      }
    });
    s.on('error', (err: Error) => fail(err));
    s.on('close', () =>
      fail(new Pop3Error(`${options.host}:${options.port} closed the connection`, 'EConnectionClosed')),
    );
  };
  attach(socket);

  function next(multiline: boolean, sasl = false): Promise<Pop3Response> {
    if (failure) {
      return Promise.reject(failure);
    }
    if (waiter) {
      return Promise.reject(new Error('a POP3 command is already waiting for its answer'));
    }
    return new Promise<Pop3Response>((resolve, reject) => {
      waiter = { multiline, sasl, resolve, reject };
      armTimer();
      deliver();
    });
  }

  async function command(line: string, multiline = false, sasl = false): Promise<Pop3Response> {
    if (failure) {
      throw failure;
    }
    socket.write(`${line}\r\n`);
    return next(multiline, sasl);
  }

  async function capabilities(): Promise<string[]> {
    const response = await command('CAPA', true);
    if (!response.ok) {
      return [];
    }
    return (response.body ?? Buffer.alloc(0))
      .toString('latin1')
      .split('\r\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  }

  /** A `-ERR` answer as an error carrying the server's words. */
  async function expectOk(line: string, what: string, multiline = false): Promise<Pop3Response> {
    const response = await command(line, multiline);
    if (!response.ok) {
      throw new Pop3Error(`${what} failed: ${response.text}`, 'EPOP3', { responseText: response.text });
    }
    return response;
  }

  try {
    const greeting = await next(false);
    if (!greeting.ok) {
      throw new Pop3Error(`the server refused the session: ${greeting.text}`, 'EPOP3', {
        responseText: greeting.text,
      });
    }
    if (options.security === 'starttls') {
      const answer = await command('STLS');
      if (!answer.ok) {
        throw new Pop3Error(`the server does not offer STLS: ${answer.text}`, 'ESTARTTLS', {
          tlsFailed: true,
          responseText: answer.text,
        });
      }
      if (reader.buffered > 0) {
        // Bytes before the handshake could be an attacker's, injected into the plain-text stream.
        throw new Pop3Error(
          'the server sent data after STLS before the TLS handshake',
          'STARTTLS_INJECTION',
          {
            tlsFailed: true,
          },
        );
      }
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket = await upgrade(socket, tlsOptions, timeoutMs);
      attach(socket);
    }
  } catch (err) {
    socket.destroy();
    throw err;
  }

  return {
    async login(username, password) {
      if (/[\r\n]/.test(username) || /[\r\n]/.test(password)) {
        // A line break would end the command and start another one of the caller's choosing.
        throw new Pop3Error('the username or password contains a line break', 'EINVALID');
      }
      const user = await command(`USER ${username}`);
      const pass = user.ok ? await command(`PASS ${password}`) : user;
      if (!pass.ok) {
        throw new Pop3Error(`authentication failed: ${pass.text}`, 'EAUTH', {
          authenticationFailed: true,
          responseText: pass.text,
        });
      }
    },
    async loginXoauth2(username, accessToken) {
      const sasl = (await capabilities()).find((l) => /^SASL(\s|$)/i.test(l)) ?? '';
      if (!/\sXOAUTH2(\s|$)/i.test(sasl)) {
        throw new Pop3Error('the server does not offer AUTH XOAUTH2', 'EXOAUTH2_UNSUPPORTED', {
          protocol: 'pop3',
        });
      }
      let payload: string;
      try {
        payload = xoauth2InitialResponse(username, accessToken);
      } catch {
        throw new Pop3Error('the username or access token contains a control character', 'EINVALID');
      }
      const line = `AUTH XOAUTH2 ${payload}`;
      let answer: Pop3Response;
      if (line.length + 2 <= maxAuthLineOctets) {
        answer = await command(line, false, true);
      } else {
        // Microsoft's tokens are over a kilobyte: send the response after the server's empty challenge.
        answer = await command('AUTH XOAUTH2', false, true);
        if (answer.challenge) {
          answer = await command(payload, false, true);
        }
      }
      let detail = '';
      if (answer.challenge) {
        // The server's error report (JSON, base64); an empty line ends the exchange with -ERR.
        const status = parseXoauth2Challenge(answer.text)?.status;
        detail = status ? ` (status ${status})` : '';
        answer = await command('');
      }
      if (!answer.ok) {
        throw new Pop3Error(`XOAUTH2 authentication failed: ${answer.text}${detail}`, 'EAUTH', {
          authenticationFailed: true,
          responseText: answer.text,
        });
      }
    },
    capabilities,
    async stat() {
      return parseStat((await expectOk('STAT', 'STAT')).text);
    },
    async uidl() {
      const response = await command('UIDL', true);
      if (!response.ok) {
        throw new Pop3Error(
          `the server does not support UIDL, which is needed to fetch without duplicates (${response.text})`,
          'EPOP3',
          { responseText: response.text },
        );
      }
      return parseUidlListing(response.body ?? Buffer.alloc(0));
    },
    async retr(messageNumber) {
      return (await expectOk(`RETR ${messageNumber}`, `RETR ${messageNumber}`, true)).body ?? Buffer.alloc(0);
    },
    async dele(messageNumber) {
      await expectOk(`DELE ${messageNumber}`, `DELE ${messageNumber}`);
    },
    async quit() {
      try {
        await expectOk('QUIT', 'QUIT (which commits the deletions)');
      } finally {
        socket.end();
      }
    },
    destroy() {
      fail(new Pop3Error('the connection was closed by the client', 'EConnectionClosed'));
      socket.destroy();
    },
  };
}

function openSocket(
  options: Pop3ConnectOptions,
  tlsOptions: tls.ConnectionOptions,
  timeoutMs: number,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      options.security === 'ssl'
        ? tls.connect({ ...tlsOptions, host: options.host, port: options.port })
        : net.connect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Pop3Error(`no connection to ${options.host}:${options.port} within ${timeoutMs} ms`, 'ETIMEDOUT'),
      );
    }, timeoutMs);
    socket.once(options.security === 'ssl' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(options.security === 'ssl' && isTlsError(err) ? Object.assign(err, { tlsFailed: true }) : err);
    });
  });
}

function upgrade(
  socket: net.Socket,
  tlsOptions: tls.ConnectionOptions,
  timeoutMs: number,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ ...tlsOptions, socket });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Pop3Error(`the TLS handshake did not finish within ${timeoutMs} ms`, 'ETIMEDOUT'));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve(secure);
    });
    secure.once('error', (err) => {
      clearTimeout(timer);
      secure.destroy();
      reject(Object.assign(err, { tlsFailed: true }));
    });
  });
}

function isTlsError(err: NodeJS.ErrnoException): boolean {
  const code = err.code ?? '';
  return (
    code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT')
  );
}
