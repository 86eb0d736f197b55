import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { domainToASCII } from 'node:url';
import { ProbeFailureError } from './diagnosis.js';
import type { SmtpProbeOptions } from './smtp-probe-options.js';

/** The probe's input, checked and normalised for the wire. */
export type ProbeSettings = {
  host: string;
  port: number;
  sender: string;
  recipient: string;
  clientName: string | undefined;
  tlsOptions: tls.ConnectionOptions;
};

const securities = new Set(['none', 'starttls', 'ssl']);
const authTypes = new Set(['none', 'password', 'xoauth2', 'certificate']);
const addressPattern = /^[^\s<>@]+@[^\s<>@]+$/u;
const hostPattern = /^[a-z0-9_.-]+$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f]/g;
const clientNamePattern = /^(\[[0-9a-f:.IPv]+\]|[a-z0-9_.-]+)$/i;

/**
 * Validates and normalises what goes on the wire (IDNA host and address domains), and guards
 * against command injection: no line breaks or spaces reach an SMTP command. Loads the client
 * certificate, so a bad PEM is reported before any connection. Throws a ProbeFailureError.
 */
export function checkProbeSettings(options: SmtpProbeOptions, recipient: string): ProbeSettings {
  const invalid = (problem: string) => new ProbeFailureError({ kind: 'invalid-settings', problem });
  const rawHost = String(options.host ?? '')
    .trim()
    .replace(/^\[(.*)\]$/, '$1');
  if (rawHost === '') {
    throw invalid('the server host is empty');
  }
  const host = net.isIP(rawHost) ? rawHost : domainToASCII(rawHost.toLowerCase());
  if (!net.isIP(host) && !hostPattern.test(host)) {
    throw invalid(`the server name "${printable(String(options.host))}" is not a valid host name`);
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
    throw invalid(`the port ${String(options.port)} is not a whole number from 1 to 65535`);
  }
  if (!securities.has(options.security)) {
    throw invalid(
      `the connection security "${printable(String(options.security))}" is not none, starttls or ssl`,
    );
  }
  const { auth } = options;
  if (!authTypes.has(auth?.type)) {
    throw invalid('the authentication type is not none, password, xoauth2 or certificate');
  }
  if ((auth.type === 'password' || auth.type === 'xoauth2') && !nonEmpty(auth.username)) {
    throw invalid('the username is empty');
  }
  if (auth.type === 'password' && typeof auth.password !== 'string') {
    throw invalid('the password is missing');
  }
  if (auth.type === 'xoauth2' && !nonEmpty(auth.accessToken)) {
    throw invalid('the OAuth access token is missing');
  }
  if (auth.type === 'certificate' && (!nonEmpty(auth.certPem) || !nonEmpty(auth.keyPem))) {
    throw invalid('a client certificate needs both the certificate and the private key');
  }
  const sender = String(options.sender ?? '').trim();
  if (!addressPattern.test(sender) || hasControl(sender)) {
    throw invalid(`the test sender "${printable(sender)}" is not an email address`);
  }
  if (!addressPattern.test(recipient) || hasControl(recipient)) {
    throw invalid(`the test recipient "${printable(recipient)}" is not an email address`);
  }
  const clientName = options.clientName?.trim() || undefined;
  if (clientName !== undefined && !clientNamePattern.test(clientName)) {
    throw invalid(`the EHLO name "${printable(clientName)}" is not a host name or address literal`);
  }
  const tlsOptions: tls.ConnectionOptions = {
    rejectUnauthorized: options.rejectUnauthorized ?? false,
    ...serverName(host),
  };
  if (auth.type === 'certificate') {
    if (options.security === 'none') {
      throw invalid('a client certificate can only be presented over TLS: choose STARTTLS or SSL/TLS');
    }
    try {
      tlsOptions.secureContext = tls.createSecureContext({
        cert: auth.certPem,
        key: auth.keyPem,
      });
    } catch (error) {
      const detail = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ProbeFailureError({ kind: 'client-certificate', detail });
    }
  }
  return {
    host,
    port: options.port,
    sender: toAsciiDomain(sender),
    recipient: toAsciiDomain(recipient),
    clientName,
    tlsOptions,
  };
}

/** SNI and host name verification take a name, never an IP address. */
export function serverName(host: string): { servername?: string } {
  return net.isIP(host) ? {} : { servername: host };
}

/** RFC 5321 4.1.4: the FQDN, or an address literal when there is none. */
export function defaultClientName(
  localAddress: string | undefined,
  hostname: string = os.hostname(),
): string {
  if (hostname.includes('.') && hostPattern.test(hostname)) {
    return hostname;
  }
  if (localAddress === undefined) {
    return 'localhost';
  }
  const address = localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return net.isIPv6(address) ? `[IPv6:${address}]` : `[${address}]`;
}

/** Odoo IDNA-encodes the domain of a login and of addresses; the local part is left alone. */
export function toAsciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || isAscii(address.slice(at + 1))) {
    return address;
  }
  const domain = domainToASCII(address.slice(at + 1));
  return domain === '' ? address : `${address.slice(0, at + 1)}${domain}`;
}

export function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function hasControl(text: string): boolean {
  return text.replace(controlCharacters, '') !== text;
}

/** Text from a server or a user, safe to put in one line of a message. */
export function printable(text: string, maxLength = 200): string {
  const clean = text.replace(controlCharacters, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
