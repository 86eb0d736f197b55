import { describe, expect, it } from 'vitest';
import { ProbeFailureError } from './diagnosis.js';
import { checkProbeSettings, defaultClientName, printable, toAsciiDomain } from './probe-settings.js';
import type { SmtpProbeOptions } from './smtp-probe-options.js';

const base: SmtpProbeOptions = {
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  auth: { type: 'none' },
  sender: 'notifications@example.com',
};
const recipient = 'test@example.com';

function problemOf(options: Partial<SmtpProbeOptions>, to = recipient): string {
  try {
    checkProbeSettings({ ...base, ...options } as SmtpProbeOptions, to);
  } catch (error) {
    if (error instanceof ProbeFailureError) {
      return 'problem' in error.failure ? error.failure.problem : `${error.failure.kind}`;
    }
    throw error;
  }
  return 'valid';
}

describe('checkProbeSettings', () => {
  it('normalises host and address domains to ASCII and keeps certificate checks off by default', () => {
    const settings = checkProbeSettings(
      { ...base, host: ' Mail.Éxample.com ', sender: 'info@éxample.com' },
      'ré@bücher.example',
    );
    expect(settings).toMatchObject({
      host: 'mail.xn--xample-9ua.com',
      sender: 'info@xn--xample-9ua.com',
      recipient: 'ré@xn--bcher-kva.example',
      clientName: undefined,
      tlsOptions: { rejectUnauthorized: false, servername: 'mail.xn--xample-9ua.com' },
    });
  });

  it('accepts IP addresses (bracketed IPv6 too) without SNI', () => {
    expect(checkProbeSettings({ ...base, host: '[::1]' }, recipient)).toMatchObject({ host: '::1' });
    expect(
      checkProbeSettings({ ...base, host: '192.0.2.1' }, recipient).tlsOptions.servername,
    ).toBeUndefined();
  });

  it.each<[string, Partial<SmtpProbeOptions>, string]>([
    ['an empty host', { host: '' }, 'the server host is empty'],
    ['a URL as host', { host: 'smtp://mail.example.com' }, 'is not a valid host name'],
    ['a fractional port', { port: 25.5 }, 'the port 25.5 is not a whole number from 1 to 65535'],
    ['port 0', { port: 0 }, 'the port 0 is not'],
    [
      'an unknown security',
      { security: 'tls' as never },
      'the connection security "tls" is not none, starttls or ssl',
    ],
    ['an unknown auth type', { auth: { type: 'kerberos' } as never }, 'the authentication type is not'],
    [
      'an empty username',
      { auth: { type: 'password', username: ' ', password: 'x' } },
      'the username is empty',
    ],
    [
      'a missing token',
      { auth: { type: 'xoauth2', username: 'a@b.c', accessToken: '' } },
      'access token is missing',
    ],
    ['half a certificate', { auth: { type: 'certificate', certPem: 'x', keyPem: '' } }, 'needs both'],
    [
      'a certificate without TLS',
      { security: 'none', auth: { type: 'certificate', certPem: 'x', keyPem: 'y' } },
      'only be presented over TLS',
    ],
    [
      'an unloadable certificate',
      { auth: { type: 'certificate', certPem: 'x', keyPem: 'y' } },
      'client-certificate',
    ],
    [
      'a sender without domain',
      { sender: 'notifications' },
      'the test sender "notifications" is not an email address',
    ],
    ['a sender with a space', { sender: 'a b@example.com' }, 'the test sender'],
    [
      'a sender smuggling a command',
      { sender: 'a@b.c>\r\nRCPT TO:<x@y.z' },
      'the test sender "a@b.c> RCPT TO:<x@y.z"',
    ],
    ['an EHLO name with a space', { clientName: 'my host' }, 'the EHLO name "my host"'],
  ])('refuses %s', (_name, options, problem) => {
    expect(problemOf(options)).toContain(problem);
  });

  it('refuses a recipient with a line break', () => {
    expect(problemOf({}, 'x@y.z\r\nDATA')).toContain('the test recipient');
  });

  it.each(['[192.0.2.1]', '[IPv6:2001:db8::1]', 'probe.example.com'])(
    'accepts the EHLO name %s',
    (clientName) => {
      expect(problemOf({ clientName })).toBe('valid');
    },
  );
});

describe('defaultClientName', () => {
  it.each([
    ['mail.example.com', '10.0.0.5', 'mail.example.com'],
    ['container', '10.0.0.5', '[10.0.0.5]'],
    ['container', '::ffff:10.0.0.5', '[10.0.0.5]'],
    ['container', '2001:db8::5', '[IPv6:2001:db8::5]'],
    ['container', undefined, 'localhost'],
  ])('host %s at %s says %s', (hostname, localAddress, expected) => {
    expect(defaultClientName(localAddress, hostname)).toBe(expected);
  });
});

describe('helpers', () => {
  it('IDNA-encodes only the domain of an address', () => {
    expect(toAsciiDomain('jörg@bücher.example')).toBe('jörg@xn--bcher-kva.example');
    expect(toAsciiDomain('plain@example.com')).toBe('plain@example.com');
    expect(toAsciiDomain('no-at-sign')).toBe('no-at-sign');
  });

  it('makes text one printable line', () => {
    expect(printable(' a\r\nb\x00 c ')).toBe('a b c');
    expect(printable('x'.repeat(10), 5)).toBe('xxxx…');
  });
});
