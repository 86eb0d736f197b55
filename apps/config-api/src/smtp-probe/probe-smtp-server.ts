import tls from 'node:tls';
import { base64, plainPayload, redact, secretsOf, xoauth2Payload } from './credentials.js';
import {
  classifyTlsError,
  type DiagnosisContext,
  diagnose,
  type ProbeFailure,
  ProbeFailureError,
  type SmtpProbeStep,
} from './diagnosis.js';
import {
  checkProbeSettings,
  defaultClientName,
  isAscii,
  type ProbeSettings,
  printable,
  serverName,
  toAsciiDomain,
} from './probe-settings.js';
import { SmtpClientConnection } from './smtp-client-connection.js';
import {
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_TEST_RECIPIENT,
  type SmtpProbeOptions,
  type SmtpProbeResult,
} from './smtp-probe-options.js';
import { type EhloCapabilities, parseEhloCapabilities, type SmtpReply } from './smtp-reply.js';

/** The follow-up checks that tell which security a port expects get at most this long. */
const sniffTimeoutMs = 5_000;

/**
 * Test Connection (R2.2): connects, negotiates TLS, authenticates, then checks that the server
 * accepts MAIL FROM, RCPT TO and the start of DATA, and drops the connection before any message
 * content, so nothing is delivered (RFC 5321 4.1.1.4: a transaction without the final "." is
 * aborted). Never throws: every failure becomes one code and one human-readable message.
 */
export async function probeSmtpServer(options: SmtpProbeOptions): Promise<SmtpProbeResult> {
  const started = performance.now();
  const timeoutMs =
    options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
      ? options.timeoutMs
      : DEFAULT_PROBE_TIMEOUT_MS;
  const recipient = options.recipient?.trim() || DEFAULT_TEST_RECIPIENT;
  const context: DiagnosisContext = {
    host: String(options.host).trim(),
    port: options.port,
    security: options.security,
    auth: options.auth?.type ?? 'none',
    timeoutMs,
    sender: options.sender,
    recipient,
  };
  const secrets = secretsOf(options.auth);
  const transcript: string[] = [];
  const record = (entry: string) => {
    const clean = redact(entry, secrets);
    transcript.push(clean);
    options.logger?.debug({ host: options.host, port: options.port, entry: clean }, 'smtp probe transcript');
  };
  const finish = (result: SmtpProbeResult): SmtpProbeResult => {
    const { transcript: _, ...fields } = result;
    options.logger?.info(
      { host: options.host, port: options.port, security: options.security, ...fields },
      'smtp probe finished',
    );
    return result;
  };

  let step: SmtpProbeStep = 'connect';
  let settings: ProbeSettings | undefined;
  try {
    settings = checkProbeSettings(options, recipient);
    await runDialogue(options, settings, timeoutMs, record, (current) => {
      step = current;
    });
    return finish({ ok: true, transcript, durationMs: elapsed(started) });
  } catch (error) {
    let failure: ProbeFailure;
    if (error instanceof ProbeFailureError) {
      failure = error.failure;
    } else {
      options.logger?.warn({ host: options.host, port: options.port, err: error }, 'smtp probe crashed');
      failure = { kind: 'unexpected', step, detail: error instanceof Error ? error.message : String(error) };
    }
    if (settings !== undefined) {
      failure = await explainSecurityMismatch(failure, options, settings, timeoutMs, record);
    }
    const diagnosis = diagnose(failure, context);
    return finish({
      ok: false,
      code: diagnosis.code,
      message: redact(diagnosis.message, secrets),
      step: diagnosis.step,
      transcript,
      durationMs: elapsed(started),
    });
  }
}

async function runDialogue(
  options: SmtpProbeOptions,
  settings: ProbeSettings,
  timeoutMs: number,
  record: (entry: string) => void,
  onStep: (step: SmtpProbeStep) => void,
): Promise<void> {
  onStep('connect');
  const connection = await SmtpClientConnection.open({
    host: settings.host,
    port: settings.port,
    implicitTls: options.security === 'ssl',
    tlsOptions: settings.tlsOptions,
    timeoutMs,
    record,
  });
  try {
    onStep('greeting');
    const greeting = await connection.readReply('greeting');
    expectReply(greeting, 'greeting', [220]);
    const clientName = settings.clientName ?? defaultClientName(connection.localAddress);

    onStep('ehlo');
    let capabilities = await hello(connection, clientName);
    if (options.security === 'starttls') {
      onStep('starttls');
      if (!capabilities.keywords.has('STARTTLS')) {
        throw new ProbeFailureError({ kind: 'starttls-not-offered' });
      }
      expectReply(await connection.command('STARTTLS', 'starttls'), 'starttls', [220]);
      await connection.upgrade('starttls');
      onStep('ehlo');
      // RFC 3207 4.2: everything learnt before TLS is forgotten, EHLO again.
      capabilities = await hello(connection, clientName);
    }

    onStep('auth');
    await authenticate(connection, options, capabilities);

    onStep('mail-from');
    const smtpUtf8 = capabilities.keywords.has('SMTPUTF8') && !isAscii(settings.sender) ? ' SMTPUTF8' : '';
    expectReply(
      await connection.command(`MAIL FROM:<${settings.sender}>${smtpUtf8}`, 'mail-from'),
      'mail-from',
      [250],
    );
    onStep('rcpt-to');
    expectReply(
      await connection.command(`RCPT TO:<${settings.recipient}>`, 'rcpt-to'),
      'rcpt-to',
      [250, 251],
    );
    onStep('data');
    expectReply(await connection.command('DATA', 'data'), 'data', [354]);
    record('* Connection dropped before any message content: nothing was sent');
  } finally {
    connection.destroy();
  }
}

function expectReply(reply: SmtpReply, step: SmtpProbeStep, codes: number[], detail?: string): void {
  if (!codes.includes(reply.code)) {
    throw new ProbeFailureError(
      detail === undefined ? { kind: 'reply', step, reply } : { kind: 'reply', step, reply, detail },
    );
  }
}

/** EHLO, or HELO when the server refuses EHLO with a permanent error (RFC 5321 3.2). */
async function hello(connection: SmtpClientConnection, clientName: string): Promise<EhloCapabilities> {
  const ehlo = await connection.command(`EHLO ${clientName}`, 'ehlo');
  if (ehlo.code === 250) {
    return parseEhloCapabilities(ehlo);
  }
  if (ehlo.code >= 500 && ehlo.code < 600) {
    expectReply(await connection.command(`HELO ${clientName}`, 'ehlo'), 'ehlo', [250]);
    return parseEhloCapabilities(null);
  }
  throw new ProbeFailureError({ kind: 'reply', step: 'ehlo', reply: ehlo });
}

async function authenticate(
  connection: SmtpClientConnection,
  options: SmtpProbeOptions,
  capabilities: EhloCapabilities,
): Promise<void> {
  const { auth } = options;
  if (auth.type === 'none' || auth.type === 'certificate') {
    // A client certificate authenticates during the TLS handshake.
    return;
  }
  const mechanisms = capabilities.authMechanisms;
  const notOffered = () =>
    new ProbeFailureError({
      kind: 'auth-not-offered',
      mechanisms,
      starttlsOffered: capabilities.keywords.has('STARTTLS'),
    });
  if (auth.type === 'xoauth2') {
    if (!mechanisms.includes('XOAUTH2')) {
      throw notOffered();
    }
    const reply = await connection.command(
      `AUTH XOAUTH2 ${xoauth2Payload(auth.username, auth.accessToken)}`,
      'auth',
      'AUTH XOAUTH2 [redacted]',
    );
    if (reply.code === 334) {
      // The server explains the failure in a base64 JSON challenge and waits for an empty line
      // before it sends the final error (Google's and Microsoft's XOAUTH2 protocol).
      const detail = printable(Buffer.from(reply.lines.join(''), 'base64').toString('utf8'));
      expectReply(await connection.command('', 'auth'), 'auth', [235], detail);
      return;
    }
    expectReply(reply, 'auth', [235]);
    return;
  }
  const username = toAsciiDomain(auth.username);
  if (mechanisms.includes('PLAIN')) {
    const payload = plainPayload(username, auth.password);
    expectReply(
      await connection.command(`AUTH PLAIN ${payload}`, 'auth', 'AUTH PLAIN [redacted]'),
      'auth',
      [235],
    );
    return;
  }
  if (mechanisms.includes('LOGIN')) {
    expectReply(await connection.command('AUTH LOGIN', 'auth'), 'auth', [334]);
    expectReply(await connection.command(base64(username), 'auth', '[username redacted]'), 'auth', [334]);
    expectReply(
      await connection.command(base64(auth.password), 'auth', '[password redacted]'),
      'auth',
      [235],
    );
    return;
  }
  throw notOffered();
}

/**
 * Turns the two ambiguous failures of a wrong security choice into a precise diagnosis with a
 * short follow-up connection:
 * - no greeting on a plain connection: does the port complete a TLS handshake (implicit TLS)?
 * - SSL/TLS chosen and the handshake saw plain text: does the port greet in plain SMTP, and does
 *   it offer STARTTLS?
 */
async function explainSecurityMismatch(
  failure: ProbeFailure,
  options: SmtpProbeOptions,
  settings: ProbeSettings,
  timeoutMs: number,
  record: (entry: string) => void,
): Promise<ProbeFailure> {
  const { host, port } = settings;
  const sniffMs = Math.min(timeoutMs, sniffTimeoutMs);
  if (failure.kind === 'timeout' && failure.step === 'greeting' && options.security !== 'ssl') {
    record('* No greeting: checking whether the port expects SSL/TLS');
    if (await completesTlsHandshake(host, port, sniffMs)) {
      record('* The port completed a TLS handshake');
      return { kind: 'implicit-tls-port', step: 'greeting' };
    }
    return failure;
  }
  if (
    failure.kind === 'socket-error' &&
    failure.step === 'tls' &&
    classifyTlsError(failure.errorCode) === 'not-tls'
  ) {
    record('* TLS handshake failed: checking whether the port speaks plain SMTP');
    const plain = await plainSmtpStarttls(host, port, sniffMs, settings.clientName, record);
    if (plain !== null) {
      return { kind: 'plain-smtp-port', offersStarttls: plain, errorCode: failure.errorCode };
    }
  }
  return failure;
}

function completesTlsHandshake(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...serverName(host) });
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.on('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** True or false: the port greets in plain SMTP and does or does not offer STARTTLS; null: no SMTP. */
async function plainSmtpStarttls(
  host: string,
  port: number,
  timeoutMs: number,
  clientName: string | undefined,
  record: (entry: string) => void,
): Promise<boolean | null> {
  let connection: SmtpClientConnection | undefined;
  try {
    connection = await SmtpClientConnection.open({
      host,
      port,
      implicitTls: false,
      tlsOptions: {},
      timeoutMs,
      record,
    });
    const greeting = await connection.readReply('greeting');
    if (greeting.code !== 220) {
      return null;
    }
    const name = clientName ?? defaultClientName(connection.localAddress);
    const ehlo = await connection.command(`EHLO ${name}`, 'ehlo');
    return ehlo.code === 250 && parseEhloCapabilities(ehlo).keywords.has('STARTTLS');
  } catch {
    return null;
  } finally {
    connection?.destroy();
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
