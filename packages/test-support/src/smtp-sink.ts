import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type ReceivedMail = {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  at: number;
};

/** What the sink answers; each hook may return an SMTP error to send instead of accepting. */
export type SinkBehaviour = {
  onRcpt?: (address: string, attempt: number) => SinkReply | undefined;
  onData?: (rcptTo: string[], attempt: number) => SinkReply | undefined | 'close';
  /** Milliseconds to wait before answering the end of DATA (a slow server). */
  dataDelayMs?: number;
  /** Called with each mail accepted: lets a test play the recipient (an auto-responder, say). */
  onReceived?: (mail: ReceivedMail) => void;
  auth?: { user: string; pass: string };
};
export type SinkReply = { code: number; message: string };

export type SmtpSink = {
  port: number;
  received: ReceivedMail[];
  /** Every MAIL FROM seen, including transactions that were refused later. */
  envelopes: { mailFrom: string; rcptTo: string }[];
  behaviour: SinkBehaviour;
  waitFor: (count: number, timeoutMs: number) => Promise<ReceivedMail[]>;
  close: () => Promise<void>;
};

const smtpError = (reply: SinkReply) => Object.assign(new Error(reply.message), { responseCode: reply.code });

/**
 * A real SMTP server (smtp-server, in-process, on a free loopback port) that records what it receives
 * and can refuse at RCPT or DATA, answer slowly or drop the connection, counting attempts per
 * recipient so a test can script "4xx first, then accept".
 */
export async function startSmtpSink(behaviour: SinkBehaviour = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const envelopes: { mailFrom: string; rcptTo: string }[] = [];
  const rcptAttempts = new Map<string, number>();
  const dataAttempts = new Map<string, number>();
  const sink: SmtpSink = {
    port: 0,
    received,
    envelopes,
    behaviour,
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `the SMTP sink received ${received.length} of ${count} mails within ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: sink.behaviour.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !sink.behaviour.auth,
    logger: false,
    size: 50 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      const expected = sink.behaviour.auth;
      if (expected && auth.username === expected.user && auth.password === expected.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
      }
    },
    onRcptTo(address, session, callback) {
      const attempt = (rcptAttempts.get(address.address) ?? 0) + 1;
      rcptAttempts.set(address.address, attempt);
      envelopes.push({
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        rcptTo: address.address,
      });
      const reply = sink.behaviour.onRcpt?.(address.address, attempt);
      callback(reply ? smtpError(reply) : undefined);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const key = rcptTo.join(',');
        const attempt = (dataAttempts.get(key) ?? 0) + 1;
        dataAttempts.set(key, attempt);
        const reply = sink.behaviour.onData?.(rcptTo, attempt);
        if (reply === 'close') {
          (session as unknown as { _socket?: { destroy: () => void } })._socket?.destroy();
          setTimeout(() => callback(smtpError({ code: 421, message: '4.4.2 connection dropped' })), 10);
          return;
        }
        const finish = async () => {
          if (reply) {
            callback(smtpError(reply));
            return;
          }
          const raw = Buffer.concat(chunks);
          const mail: ReceivedMail = {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo,
            raw,
            parsed: await simpleParser(raw),
            at: Date.now(),
          };
          received.push(mail);
          sink.behaviour.onReceived?.(mail);
          callback(null, `2.0.0 Ok: queued as Q${received.length}`);
        };
        setTimeout(() => void finish(), sink.behaviour.dataDelayMs ?? 0);
      });
    },
  });
  // Clients that vanish (a dispatcher killed on purpose) reset their connections: expected here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}
