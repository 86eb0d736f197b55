// The inbound benchmark's senders: a lean SMTP client, so that on a two-core machine the load
// generator does not take the CPU the system under test is measured on (nodemailer's pool spent about
// 1 ms per mail, as much as the whole ingress). It still holds every session the way an MTA does:
// EHLO, then per mail MAIL FROM / RCPT TO / DATA pipelined (RFC 2920, which the ingress announces),
// the dot-stuffed content, and the 250 awaited before the next mail of that connection.
import { connect, type Socket } from 'node:net';

/** `label` names the mail in an error. */
export type WireMail = { from: string; to: string; data: Buffer; label: string };

/** The content as DATA carries it: lines starting with a dot doubled, ended by CRLF.CRLF (RFC 5321 §4.5.2). */
export function wireMail(raw: Buffer, from: string, to: string, label: string): WireMail {
  const text = raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  const ended = text.endsWith('\r\n') ? text : `${text}\r\n`;
  return { from, to, data: Buffer.from(`${ended}.\r\n`, 'latin1'), label };
}

type Reply = { code: number; text: string };

/** One SMTP connection: writes commands, and hands out the server's replies in order. */
class SmtpConnection {
  private buffered = '';
  private readonly replies: Reply[] = [];
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private lines: string[] = [];
  private closed: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.take(chunk));
    const end = (err?: Error) => {
      this.closed ??= err ?? new Error('the ingress closed the connection');
      for (const w of this.waiting.splice(0)) {
        w.reject(this.closed);
      }
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  static open(port: number): Promise<SmtpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new SmtpConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next reply; a code other than `expected` is an error that names what was being sent. */
  async expect(expected: number, what: string): Promise<void> {
    const reply = await this.next();
    if (reply.code !== expected) {
      throw new Error(`${what}: the ingress answered ${reply.code} ${reply.text}`);
    }
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }

  private next(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) {
      return Promise.resolve(ready);
    }
    if (this.closed) {
      return Promise.reject(this.closed);
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private take(chunk: string): void {
    this.buffered += chunk;
    let at = this.buffered.indexOf('\r\n');
    while (at >= 0) {
      const line = this.buffered.slice(0, at);
      this.buffered = this.buffered.slice(at + 2);
      this.lines.push(line);
      // A reply ends with the line whose code is followed by a space (RFC 5321 §4.2.1).
      if (line.charAt(3) !== '-') {
        const reply = { code: Number(line.slice(0, 3)), text: this.lines.map((l) => l.slice(4)).join(' ') };
        this.lines = [];
        const waiter = this.waiting.shift();
        if (waiter) {
          waiter.resolve(reply);
        } else {
          this.replies.push(reply);
        }
      }
      at = this.buffered.indexOf('\r\n');
    }
  }
}

/**
 * Sends every mail over `clients` concurrent connections, each taking the next mail as soon as its
 * last one is accepted, and counts them in `sent.accepted`. Rejects on the first mail the ingress
 * does not accept with 250.
 */
export async function sendAll(
  port: number,
  mails: readonly WireMail[],
  clients: number,
  sent: { accepted: number },
): Promise<void> {
  let next = 0;
  let failed = false;
  const client = async () => {
    const conn = await SmtpConnection.open(port);
    try {
      await conn.expect(220, 'the greeting');
      conn.write('EHLO bench.example\r\n');
      await conn.expect(250, 'EHLO');
      while (next < mails.length && !failed) {
        const index = next++;
        const mail = mails[index] as WireMail;
        conn.write(`MAIL FROM:<${mail.from}>\r\nRCPT TO:<${mail.to}>\r\nDATA\r\n`);
        const what = `mail ${index} (${mail.label})`;
        await conn.expect(250, `${what}, MAIL FROM`);
        await conn.expect(250, `${what}, RCPT TO`);
        await conn.expect(354, `${what}, DATA`);
        conn.write(mail.data);
        await conn.expect(250, `${what}, its content`);
        sent.accepted++;
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}
