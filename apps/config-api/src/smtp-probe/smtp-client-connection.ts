import net from 'node:net';
import tls from 'node:tls';
import { type ProbeFailure, ProbeFailureError, type SmtpProbeStep } from './diagnosis.js';
import { type SmtpReply, SmtpReplyParser } from './smtp-reply.js';

export type SmtpClientConnectionOptions = {
  host: string;
  port: number;
  /** SMTPS (RFC 8314): the TLS handshake starts right after the TCP connection. */
  implicitTls: boolean;
  /** Options of the TLS handshake (implicit or STARTTLS); host and socket are filled in. */
  tlsOptions: tls.ConnectionOptions;
  /** How long each step (connect, handshake, one reply) may take. */
  timeoutMs: number;
  /** Receives every transcript entry (`C: EHLO x`, `S: 250 ok`, `* TLS established`). */
  record: (entry: string) => void;
};

type Waiter = { wake: () => void };

/**
 * A minimal SMTP client connection: opens TCP (optionally implicit TLS), reads replies, sends
 * command lines and upgrades to TLS for STARTTLS. Every problem surfaces as a ProbeFailureError
 * that names the step in progress; socket errors never escape as 'error' events.
 */
export class SmtpClientConnection {
  private socket: net.Socket;
  private parser = new SmtpReplyParser();
  private failure: ProbeFailure | null = null;
  private waiter: Waiter | null = null;
  private stopReading: () => void = () => {};
  private step: SmtpProbeStep = 'connect';

  private constructor(
    socket: net.Socket,
    private readonly options: SmtpClientConnectionOptions,
  ) {
    this.socket = socket;
    this.watch(socket);
  }

  /** Connects (and for implicit TLS completes the handshake); the greeting is left to read. */
  static async open(options: SmtpClientConnectionOptions): Promise<SmtpClientConnection> {
    const socket = net.connect({ host: options.host, port: options.port });
    const connection = new SmtpClientConnection(socket, options);
    try {
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        connection.wakeWaiter();
      });
      await connection.waitFor('connect', () => connected || undefined);
      options.record(`* Connected to ${options.host}:${options.port} (${socket.remoteAddress ?? '?'})`);
      if (options.implicitTls) {
        await connection.upgrade('tls');
      } else {
        connection.readFrom(socket);
      }
      return connection;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  /** The local address, for an EHLO address literal. */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** Reads the next complete reply; the step names what a timeout or close interrupted. */
  async readReply(step: SmtpProbeStep): Promise<SmtpReply> {
    const reply = await this.waitFor(step, () => {
      const next = this.parser.shift();
      if (next === undefined && this.parser.invalid) {
        throw new ProbeFailureError({ kind: 'not-smtp', step, ...this.parser.invalid });
      }
      return next;
    });
    reply.lines.forEach((line, index) => {
      const separator = index < reply.lines.length - 1 ? '-' : ' ';
      this.options.record(`S: ${reply.code}${separator}${line}`);
    });
    return reply;
  }

  /** Sends one command line; `shown` replaces it in the transcript (for credentials). */
  send(line: string, shown: string = line): void {
    if (this.failure) {
      throw new ProbeFailureError(this.failure);
    }
    this.options.record(`C: ${shown}`);
    this.socket.write(`${line}\r\n`);
  }

  async command(line: string, step: SmtpProbeStep, shown: string = line): Promise<SmtpReply> {
    this.step = step;
    this.send(line, shown);
    return this.readReply(step);
  }

  /** Wraps the connection in TLS: right after connecting (implicit TLS) or after a 220 to STARTTLS. */
  async upgrade(step: 'tls' | 'starttls'): Promise<void> {
    if (this.parser.hasBufferedData) {
      // Plaintext that arrived after the 220 to STARTTLS would be read as if it had been
      // protected by TLS (CVE-2011-0411 style command injection).
      throw new ProbeFailureError({
        kind: 'unexpected',
        step,
        detail: 'the server sent data after accepting STARTTLS',
      });
    }
    this.stopReading();
    const plain = this.socket;
    const secure = tls.connect({ ...this.options.tlsOptions, socket: plain });
    this.socket = secure;
    this.watch(secure);
    let secured = false;
    secure.once('secureConnect', () => {
      secured = true;
      this.wakeWaiter();
    });
    await this.waitFor(step, () => secured || undefined);
    this.readFrom(secure);
    const cipher = secure.getCipher();
    this.options.record(`* TLS established (${secure.getProtocol() ?? 'TLS'}, ${cipher.name})`);
  }

  /** Drops the connection at once; no QUIT, no end of DATA (an open DATA is never delivered). */
  destroy(): void {
    this.fail({ kind: 'closed', step: this.step });
    this.socket.destroy();
  }

  private watch(socket: net.Socket): void {
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.fail({ kind: 'socket-error', step: this.step, errorCode: error.code, detail: error.message });
    });
    socket.on('close', () => this.fail({ kind: 'closed', step: this.step }));
  }

  private readFrom(socket: net.Socket): void {
    const onData = (chunk: Buffer) => {
      this.parser.push(chunk);
      this.wakeWaiter();
    };
    socket.on('data', onData);
    this.stopReading = () => socket.off('data', onData);
  }

  private fail(failure: ProbeFailure): void {
    if (this.failure === null) {
      this.failure = failure;
    }
    this.wakeWaiter();
  }

  private wakeWaiter(): void {
    this.waiter?.wake();
  }

  /**
   * Resolves with the first value `check` returns, re-checking whenever something happens on the
   * socket. Data already received wins over a close that followed it (a 421 then a close reads as
   * the 421).
   */
  private waitFor<T>(step: SmtpProbeStep, check: () => T | undefined): Promise<T> {
    this.step = step;
    return new Promise<T>((resolve, reject) => {
      const settle = (outcome: { value: T } | { error: unknown }) => {
        clearTimeout(timer);
        this.waiter = null;
        if ('value' in outcome) {
          resolve(outcome.value);
        } else {
          reject(outcome.error);
        }
      };
      const wake = () => {
        try {
          const value = check();
          if (value !== undefined) {
            settle({ value });
          } else if (this.failure) {
            settle({ error: new ProbeFailureError(this.failure) });
          }
        } catch (error) {
          settle({ error });
        }
      };
      const timer = setTimeout(() => {
        this.fail({ kind: 'timeout', step });
        this.socket.destroy();
      }, this.options.timeoutMs);
      this.waiter = { wake };
      wake();
    });
  }
}
