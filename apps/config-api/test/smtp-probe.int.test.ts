import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@sotamail/logging';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_TEST_RECIPIENT,
  deriveTestSender,
  probeSmtpServer,
  type SmtpProbeOptions,
  type SmtpProbeResult,
} from '../src/smtp-probe/index.js';

// Real servers only: in-process smtp-server instances and scripted TCP servers on 127.0.0.1:0.

const user = 'admin@example.org';
const password = 'S3cret-pass!word';
const accessToken = 'ya29.a0-test-access-token-value';
/** The sender a server with From filter `example.org` is tested with. */
const sender = deriveTestSender({ fromFilter: 'example.org', defaultFrom: 'notifications' }) ?? '';

type Seen = {
  auths: { method: string; username: string | undefined }[];
  mailFrom: string[];
  rcptTo: string[];
  dataStarted: number;
  dataCompleted: number;
  dataAborted: number;
  closed: number;
  clientCertificates: string[];
};

type Behaviour = {
  rejectSender?: string;
  rejectRecipient?: string;
};

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

async function startSmtp(options: SMTPServerOptions, behaviour: Behaviour = {}) {
  const seen: Seen = {
    auths: [],
    mailFrom: [],
    rcptTo: [],
    dataStarted: 0,
    dataCompleted: 0,
    dataAborted: 0,
    closed: 0,
    clientCertificates: [],
  };
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 500,
    ...options,
    onAuth(auth: SMTPServerAuthentication, _session, callback) {
      seen.auths.push({ method: auth.method, username: auth.username });
      if (auth.method === 'XOAUTH2') {
        if (auth.username === user && auth.accessToken === accessToken) {
          callback(null, { user: auth.username });
        } else {
          callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.example/' } });
        }
        return;
      }
      if (auth.username === user && auth.password === password) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError(535, '5.7.8 Error: authentication failed: Invalid username or password'));
      }
    },
    onSecure(socket, _session, callback) {
      if ('getPeerCertificate' in socket) {
        const subject = socket.getPeerCertificate().subject;
        if (subject?.CN) {
          seen.clientCertificates.push(String(subject.CN));
        }
      }
      callback();
    },
    onMailFrom(address, _session, callback) {
      seen.mailFrom.push(address.address);
      callback(behaviour.rejectSender ? smtpError(550, behaviour.rejectSender) : null);
    },
    onRcptTo(address, _session, callback) {
      seen.rcptTo.push(address.address);
      callback(behaviour.rejectRecipient ? smtpError(550, behaviour.rejectRecipient) : null);
    },
    onData(stream, _session, callback) {
      seen.dataStarted += 1;
      stream.on('error', () => {
        seen.dataAborted += 1;
      });
      stream.on('end', () => {
        seen.dataCompleted += 1;
        callback(null, 'queued');
      });
      stream.resume();
    },
    onClose() {
      seen.closed += 1;
    },
  });
  // A client that drops the connection makes smtp-server emit 'error'; that is the point of some tests.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as net.AddressInfo).port, seen };
}

const plainServer = (options: SMTPServerOptions = {}, behaviour?: Behaviour) =>
  startSmtp(
    { secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, ...options },
    behaviour,
  );
/** smtp-server's default: STARTTLS with its built-in self-signed certificate; AUTH required. */
const starttlsServer = (options: SMTPServerOptions = {}, behaviour?: Behaviour) =>
  startSmtp(options, behaviour);
const implicitTlsServer = (options: SMTPServerOptions = {}, behaviour?: Behaviour) =>
  startSmtp({ secure: true, ...options }, behaviour);

/** A TCP server that runs `onConnection` per client and is closed (with its clients) after the test. */
async function startTcp(onConnection: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

/** A scripted SMTP server: sends `greeting`, then answers each command line with `answer(line)`. */
function startScripted(greeting: string, answer: (line: string, socket: net.Socket) => string | null) {
  return startTcp((socket) => {
    socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const reply = answer(line, socket);
        if (reply !== null && !socket.destroyed) {
          socket.write(reply);
        }
      }
    });
  });
}

function probe(port: number, options: Partial<SmtpProbeOptions> = {}): Promise<SmtpProbeResult> {
  return probeSmtpServer({
    host: '127.0.0.1',
    port,
    security: 'none',
    auth: { type: 'none' },
    sender,
    timeoutMs: 2000,
    clientName: 'probe.test',
    ...options,
  });
}

function expectFailure(result: SmtpProbeResult, code: string, step: string) {
  if (result.ok) {
    throw new Error(`expected ${code}, got success:\n${result.transcript.join('\n')}`);
  }
  expect({ code: result.code, step: result.step }, result.message).toEqual({ code, step });
  expect(result.message).not.toMatch(/\n|\bat .*\(.*:\d+:\d+\)|undefined|\[object/);
  return result;
}

function expectNoSecret(result: SmtpProbeResult) {
  const text = [...result.transcript, result.ok ? '' : result.message].join('\n');
  expect(text).not.toContain(password);
  expect(text).not.toContain(accessToken);
  expect(text).not.toContain(Buffer.from(`\0${user}\0${password}`).toString('base64'));
  expect(text).not.toContain(Buffer.from(password).toString('base64'));
}

/** smtp-server reports a dropped connection asynchronously; wait for it before checking delivery. */
async function expectNothingDelivered(seen: Seen) {
  await vi.waitFor(() => expect(seen.closed).toBe(1), { timeout: 2000 });
  expect(seen.dataStarted).toBe(1);
  expect(seen.dataCompleted).toBe(0);
  expect(seen.dataAborted).toBe(1);
}

describe('probeSmtpServer: success', () => {
  it('passes a plain server without authentication and sends nothing', async () => {
    const { port, seen } = await plainServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] });
    const result = await probe(port);
    expect(result.ok, result.transcript.join('\n')).toBe(true);
    expect(seen.mailFrom).toEqual(['notifications@example.org']);
    expect(seen.rcptTo).toEqual([DEFAULT_TEST_RECIPIENT]);
    await expectNothingDelivered(seen);
    expect(result.transcript).toContain('C: MAIL FROM:<notifications@example.org>');
    expect(result.transcript).toContain('S: 354 End data with <CR><LF>.<CR><LF>');
    expect(result.transcript.at(-1)).toMatch(/nothing was sent/);
    expect(result.transcript.some((line) => line.startsWith('C: .'))).toBe(false);
  });

  it('passes STARTTLS with AUTH PLAIN, redacting the credentials', async () => {
    const { port, seen } = await starttlsServer();
    const result = await probe(port, {
      security: 'starttls',
      auth: { type: 'password', username: user, password },
    });
    expect(result.ok, result.transcript.join('\n')).toBe(true);
    expect(seen.auths).toEqual([{ method: 'PLAIN', username: user }]);
    expect(seen.mailFrom).toEqual([sender]);
    expect(seen.rcptTo).toEqual([DEFAULT_TEST_RECIPIENT]);
    await expectNothingDelivered(seen);
    expect(result.transcript).toContain('C: STARTTLS');
    expect(result.transcript.some((line) => line.startsWith('* TLS established (TLSv1.'))).toBe(true);
    expect(result.transcript).toContain('C: AUTH PLAIN [redacted]');
    expect(result.transcript.filter((line) => line.startsWith('C: EHLO'))).toHaveLength(2);
    expectNoSecret(result);
  });

  it('passes implicit TLS with AUTH LOGIN when PLAIN is not offered', async () => {
    const { port, seen } = await implicitTlsServer({ authMethods: ['LOGIN'] });
    const result = await probe(port, {
      security: 'ssl',
      auth: { type: 'password', username: user, password },
    });
    expect(result.ok, result.transcript.join('\n')).toBe(true);
    expect(seen.auths).toEqual([{ method: 'LOGIN', username: user }]);
    await expectNothingDelivered(seen);
    expect(result.transcript).toEqual(
      expect.arrayContaining(['C: [username redacted]', 'C: [password redacted]']),
    );
    expectNoSecret(result);
  });

  it('passes XOAUTH2 and a custom recipient', async () => {
    const { port, seen } = await implicitTlsServer({ authMethods: ['PLAIN', 'XOAUTH2'] });
    const result = await probe(port, {
      security: 'ssl',
      auth: { type: 'xoauth2', username: user, accessToken },
      recipient: 'someone@example.net',
    });
    expect(result.ok, result.transcript.join('\n')).toBe(true);
    expect(seen.auths).toEqual([{ method: 'XOAUTH2', username: user }]);
    expect(seen.rcptTo).toEqual(['someone@example.net']);
    expect(result.transcript).toContain('C: AUTH XOAUTH2 [redacted]');
    expectNoSecret(result);
  });

  it('logs through a pino logger without secrets', async () => {
    const { port } = await starttlsServer();
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger({ service: 'smtp-probe-test', level: 'debug', destination });
    const result = await probe(port, {
      security: 'starttls',
      auth: { type: 'password', username: user, password },
      logger,
    });
    expect(result.ok).toBe(true);
    const log = lines.join('');
    expect(log).toContain('smtp probe finished');
    expect(log).toContain('AUTH PLAIN [redacted]');
    expect(log).not.toContain(password);
    expect(log).not.toContain(Buffer.from(`\0${user}\0${password}`).toString('base64'));
  });
});

describe('probeSmtpServer: client certificate', () => {
  let certPem = '';
  let keyPem = '';
  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  beforeAll(() => {
    if (!hasOpenssl) {
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'smtp-probe-cert-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '2',
        ].concat([
          '-subj',
          '/CN=sotamail-probe-client',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ]),
        { stdio: 'ignore' },
      );
      certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
      keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasOpenssl)('presents the certificate during the TLS handshake', async () => {
    const { port, seen } = await implicitTlsServer({
      requestCert: true,
      rejectUnauthorized: false,
      authOptional: true,
      disabledCommands: ['AUTH'],
    });
    const result = await probe(port, { security: 'ssl', auth: { type: 'certificate', certPem, keyPem } });
    expect(result.ok, result.transcript.join('\n')).toBe(true);
    expect(seen.clientCertificates).toEqual(['sotamail-probe-client']);
    expect(result.transcript.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('reports a certificate that cannot be loaded', async () => {
    const result = await probe(1, {
      security: 'ssl',
      auth: { type: 'certificate', certPem: 'not a certificate', keyPem: 'not a key' },
    });
    expect(expectFailure(result, 'SMTP_CLIENT_CERTIFICATE_INVALID', 'tls').message).toMatch(/PEM/);
  });

  it('refuses a certificate without TLS', async () => {
    const result = await probe(1, {
      security: 'none',
      auth: { type: 'certificate', certPem: 'x', keyPem: 'y' },
    });
    expect(expectFailure(result, 'SMTP_INVALID_SETTINGS', 'connect').message).toMatch(
      /choose STARTTLS or SSL\/TLS/,
    );
  });
});

describe('probeSmtpServer: diagnoses', () => {
  it('SMTP_AUTH_FAILED with the server reply', async () => {
    const { port, seen } = await starttlsServer();
    const result = await probe(port, {
      security: 'starttls',
      auth: { type: 'password', username: user, password: 'wrong-password' },
    });
    const failure = expectFailure(result, 'SMTP_AUTH_FAILED', 'auth');
    expect(failure.message).toContain('535 5.7.8 Error: authentication failed: Invalid username or password');
    expect(failure.message).not.toContain('wrong-password');
    expect(failure.transcript.join('\n')).not.toContain('wrong-password');
    expect(seen.mailFrom).toEqual([]);
  });

  it('SMTP_AUTH_FAILED for XOAUTH2 with the decoded error', async () => {
    const { port } = await implicitTlsServer({ authMethods: ['XOAUTH2'] });
    const result = await probe(port, {
      security: 'ssl',
      auth: { type: 'xoauth2', username: user, accessToken: 'expired-token' },
    });
    const failure = expectFailure(result, 'SMTP_AUTH_FAILED', 'auth');
    expect(failure.message).toMatch(/535 Error: Username and Password not accepted" \(\{"status":"401"/);
    expect(failure.transcript.join('\n')).not.toContain('expired-token');
  });

  it('SMTP_AUTH_NOT_OFFERED when credentials are set but no AUTH is advertised', async () => {
    const { port } = await plainServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] });
    const result = await probe(port, { auth: { type: 'password', username: user, password } });
    expect(expectFailure(result, 'SMTP_AUTH_NOT_OFFERED', 'auth').message).toMatch(
      /no AUTH in its EHLO reply/,
    );
  });

  it('SMTP_AUTH_REQUIRED when the server wants AUTH before MAIL', async () => {
    const { port, seen } = await starttlsServer();
    const result = await probe(port, { security: 'starttls' });
    expect(expectFailure(result, 'SMTP_AUTH_REQUIRED', 'mail-from').message).toContain(
      '530 Error: authentication Required',
    );
    expect(seen.mailFrom).toEqual([]);
  });

  it('SMTP_SENDER_REFUSED naming the sender and the reply', async () => {
    const { port } = await plainServer(
      { authOptional: true },
      { rejectSender: '5.7.1 Sender address not allowed' },
    );
    const result = await probe(port, { sender: 'someone@elsewhere.example' });
    const failure = expectFailure(result, 'SMTP_SENDER_REFUSED', 'mail-from');
    expect(failure.message).toContain('someone@elsewhere.example');
    expect(failure.message).toContain('550 5.7.1 Sender address not allowed');
  });

  it('SMTP_RECIPIENT_REFUSED naming the recipient and the reply', async () => {
    const { port, seen } = await plainServer(
      { authOptional: true },
      { rejectRecipient: '5.1.1 No such user here' },
    );
    const result = await probe(port);
    const failure = expectFailure(result, 'SMTP_RECIPIENT_REFUSED', 'rcpt-to');
    expect(failure.message).toContain(DEFAULT_TEST_RECIPIENT);
    expect(failure.message).toContain('550 5.1.1 No such user here');
    expect(seen.dataStarted).toBe(0);
  });

  it('SMTP_CONNECTION_REFUSED on a closed port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await probe(port);
    expect(expectFailure(result, 'SMTP_CONNECTION_REFUSED', 'connect').message).toBe(
      `The server 127.0.0.1 refused the connection on port ${port}. Check the port number and that the mail server is running.`,
    );
  });

  it('SMTP_UNKNOWN_HOST for a name that does not resolve', async () => {
    const result = await probe(25, { host: 'nonexistent.invalid' });
    expect(expectFailure(result, 'SMTP_UNKNOWN_HOST', 'connect').message).toMatch(
      /^The host nonexistent\.invalid could not (be found \(DNS\)|be looked up)/,
    );
  });

  it('SMTP_TIMEOUT for a server that accepts and never answers', async () => {
    const port = await startTcp(() => {});
    const result = await probe(port, { timeoutMs: 300 });
    expect(expectFailure(result, 'SMTP_TIMEOUT', 'greeting').message).toMatch(
      new RegExp(`^No response from 127\\.0\\.0\\.1:${port} within 0\\.3 s`),
    );
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('SMTP_TIMEOUT for a server that stops answering mid-dialogue', async () => {
    const port = await startScripted('220 mx.test ESMTP\r\n', (line) =>
      line.startsWith('EHLO') ? '250-mx.test\r\n250 8BITMIME\r\n' : null,
    );
    const result = await probe(port, { timeoutMs: 300 });
    expect(expectFailure(result, 'SMTP_TIMEOUT', 'mail-from').message).toMatch(
      /no reply to MAIL FROM within 0\.3 s/,
    );
  });

  describe('TLS mismatch', () => {
    it('SSL/TLS against a STARTTLS port suggests STARTTLS', async () => {
      const { port } = await starttlsServer();
      const result = await probe(port, { security: 'ssl' });
      expect(expectFailure(result, 'SMTP_TLS_MISMATCH', 'tls').message).toMatch(
        /does not use SSL\/TLS on this port \(wrong version number\).*offers STARTTLS\. Choose STARTTLS/,
      );
    });

    it('SSL/TLS against a plain port suggests None', async () => {
      const { port } = await plainServer({ authOptional: true });
      const result = await probe(port, { security: 'ssl' });
      expect(expectFailure(result, 'SMTP_TLS_MISMATCH', 'tls').message).toMatch(
        /without STARTTLS\. Choose None/,
      );
    });

    it('None against an implicit-TLS port suggests SSL/TLS', async () => {
      const { port } = await implicitTlsServer();
      const result = await probe(port, { security: 'none', timeoutMs: 300 });
      expect(expectFailure(result, 'SMTP_TLS_MISMATCH', 'greeting').message).toMatch(
        /this port seems to expect SSL\/TLS\. Choose SSL\/TLS/,
      );
    });

    it('STARTTLS against an implicit-TLS port suggests SSL/TLS', async () => {
      const { port } = await implicitTlsServer();
      const result = await probe(port, { security: 'starttls', timeoutMs: 300 });
      expectFailure(result, 'SMTP_TLS_MISMATCH', 'greeting');
    });

    it('SMTP_STARTTLS_NOT_OFFERED for STARTTLS against a plain server', async () => {
      const { port } = await plainServer({ authOptional: true });
      const result = await probe(port, { security: 'starttls' });
      expect(expectFailure(result, 'SMTP_STARTTLS_NOT_OFFERED', 'starttls').message).toMatch(
        /does not offer STARTTLS/,
      );
    });

    it('SMTP_TLS_REQUIRED for None with credentials against a STARTTLS server', async () => {
      const { port, seen } = await starttlsServer();
      const result = await probe(port, {
        security: 'none',
        auth: { type: 'password', username: user, password },
      });
      expect(expectFailure(result, 'SMTP_TLS_REQUIRED', 'auth').message).toMatch(
        /Must issue a STARTTLS command first.*Choose STARTTLS/,
      );
      expect(seen.auths).toEqual([]);
      expectNoSecret(result);
    });

    it('SMTP_TLS_FAILED when certificate verification is asked for', async () => {
      const { port } = await starttlsServer();
      const result = await probe(port, { security: 'starttls', rejectUnauthorized: true });
      expect(expectFailure(result, 'SMTP_TLS_FAILED', 'starttls').message).toMatch(
        /certificate of 127\.0\.0\.1 could not be verified/,
      );
    });
  });

  describe('scripted servers', () => {
    it('SMTP_SERVICE_UNAVAILABLE for a 421 greeting', async () => {
      const port = await startTcp((socket) => socket.end('421 mx.test Too many connections, try later\r\n'));
      const result = await probe(port);
      expect(expectFailure(result, 'SMTP_SERVICE_UNAVAILABLE', 'greeting').message).toContain(
        '"421 mx.test Too many connections, try later"',
      );
    });

    it('SMTP_CONNECTION_CLOSED when the server drops the connection mid-dialogue', async () => {
      const port = await startScripted('220 mx.test ESMTP\r\n', (line, socket) => {
        if (line.startsWith('MAIL')) {
          socket.destroy();
          return null;
        }
        return '250 mx.test\r\n';
      });
      const result = await probe(port);
      expect(expectFailure(result, 'SMTP_CONNECTION_CLOSED', 'mail-from').message).toMatch(
        /closed the connection unexpectedly during MAIL FROM/,
      );
    });

    it('falls back to HELO, reads multi-line replies, and reports SMTP_DATA_REFUSED', async () => {
      const commands: string[] = [];
      const port = await startScripted('220-mx.test ESMTP\r\n220-second line\r\n220 ready\r\n', (line) => {
        commands.push(line);
        if (line.startsWith('EHLO')) {
          return '502 5.5.2 Error: command not recognized\r\n';
        }
        if (line.startsWith('MAIL')) {
          return '250-2.1.0 Sender\r\n250 2.1.0 ok\r\n';
        }
        return line === 'DATA' ? '554 5.5.1 Error: no valid recipients\r\n' : '250 ok\r\n';
      });
      const result = await probe(port);
      expect(expectFailure(result, 'SMTP_DATA_REFUSED', 'data').message).toContain(
        '"554 5.5.1 Error: no valid recipients"',
      );
      expect(commands).toEqual([
        'EHLO probe.test',
        'HELO probe.test',
        `MAIL FROM:<${sender}>`,
        `RCPT TO:<${DEFAULT_TEST_RECIPIENT}>`,
        'DATA',
      ]);
      expect(result.transcript.slice(0, 4)).toEqual([
        expect.stringMatching(/^\* Connected to 127\.0\.0\.1:/),
        'S: 220-mx.test ESMTP',
        'S: 220-second line',
        'S: 220 ready',
      ]);
    });

    it('SMTP_PROTOCOL_ERROR for a port that speaks another protocol', async () => {
      const port = await startTcp((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n'));
      const result = await probe(port);
      expect(expectFailure(result, 'SMTP_PROTOCOL_ERROR', 'greeting').message).toMatch(
        /did not answer like an SMTP server \(it sent "SSH-2\.0-OpenSSH_9\.2/,
      );
    });
  });

  describe('invalid settings', () => {
    it.each<[string, Partial<SmtpProbeOptions>, RegExp]>([
      ['an empty host', { host: ' ' }, /host is empty/],
      ['a host with a port in it', { host: 'smtp.example.com:25' }, /not a valid host name/],
      ['a port out of range', { port: 70_000 }, /port 70000 is not a whole number/],
      [
        'a sender with a line break',
        { sender: 'a@b.c\r\nRCPT TO:<x@y.z>' },
        /test sender .* is not an email address/,
      ],
      ['a recipient without @', { recipient: 'nobody' }, /test recipient "nobody"/],
    ])('SMTP_INVALID_SETTINGS for %s', async (_name, options, message) => {
      const result = await probe(25, options);
      expect(expectFailure(result, 'SMTP_INVALID_SETTINGS', 'connect').message).toMatch(message);
    });
  });
});
