import { randomUUID } from 'node:crypto';
import { createSecretBox, serverSecretContext } from '@sotamail/secrets';

/**
 * Column values for a server from API input: secret fields are sealed into their `…Sealed` column
 * (bound to the server's id), a secret that is not sent is kept, and null clears it. A new server
 * gets its id here, since its secrets are sealed under it.
 */
export function serverColumns(
  kind: 'outgoing' | 'incoming',
  secretKey: Buffer,
  input: Record<string, unknown>,
  secretColumns: Record<string, string>,
  existingId: string | undefined,
): Record<string, unknown> {
  const id = existingId ?? randomUUID();
  const box = createSecretBox(secretKey, serverSecretContext(kind, id));
  const values: Record<string, unknown> = existingId ? {} : { id };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) {
      continue;
    }
    const column = secretColumns[key];
    if (column) {
      values[column] = value === null ? null : box.seal(value as string);
    } else {
      values[key] = value;
    }
  }
  return values;
}
