/**
 * The XOAUTH2 SASL initial response (Google's and Microsoft's format, framed like RFC 7628):
 * base64 of `user=<user>^Aauth=Bearer <token>^A^A`. A control character in either value would end
 * its field early and let the rest be read as fields of its own, so it is refused.
 */
export function xoauth2InitialResponse(username: string, accessToken: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(username) || /[\u0000-\u001f\u007f]/.test(accessToken)) {
    throw new RangeError('the username or access token contains a control character');
  }
  return Buffer.from(`user=${username}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/**
 * The server's XOAUTH2 error challenge (base64 of a JSON object such as
 * `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), or null when it is not one.
 */
export function parseXoauth2Challenge(challenge: string): { status?: string; scope?: string } | null {
  try {
    const json = JSON.parse(Buffer.from(challenge.trim(), 'base64').toString('utf8')) as unknown;
    if (typeof json !== 'object' || json === null) {
      return null;
    }
    const { status, scope } = json as Record<string, unknown>;
    return {
      ...(typeof status === 'string' || typeof status === 'number' ? { status: String(status) } : {}),
      ...(typeof scope === 'string' ? { scope } : {}),
    };
  } catch {
    return null;
  }
}
