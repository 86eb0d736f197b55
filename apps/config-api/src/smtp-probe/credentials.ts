import { toAsciiDomain } from './probe-settings.js';
import type { SmtpProbeAuth } from './smtp-probe-options.js';

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** RFC 4616 initial response: authorization id (empty), authentication id, password. */
export function plainPayload(username: string, password: string): string {
  return base64(`\0${username}\0${password}`);
}

/** Google's and Microsoft's SASL XOAUTH2 initial response. */
export function xoauth2Payload(username: string, accessToken: string): string {
  return base64(`user=${username}\x01auth=Bearer ${accessToken}\x01\x01`);
}

/**
 * Every form in which a credential could show up in a transcript or a message (raw, or base64
 * as sent), longest first. The AUTH lines are already written redacted; this also catches a
 * server that echoes what it received.
 */
export function secretsOf(auth: SmtpProbeAuth | undefined): string[] {
  const values: string[] = [];
  if (auth?.type === 'password' && typeof auth.password === 'string') {
    const username = String(auth.username);
    values.push(auth.password, base64(auth.password));
    values.push(plainPayload(username, auth.password), plainPayload(toAsciiDomain(username), auth.password));
  } else if (auth?.type === 'xoauth2' && typeof auth.accessToken === 'string') {
    values.push(auth.accessToken, xoauth2Payload(String(auth.username), auth.accessToken));
  } else if (auth?.type === 'certificate' && typeof auth.keyPem === 'string') {
    values.push(auth.keyPem.trim());
  }
  return values.filter((value) => value.length >= 3).sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: string[]): string {
  let clean = text;
  for (const secret of secrets) {
    clean = clean.split(secret).join('[redacted]');
  }
  return clean;
}
