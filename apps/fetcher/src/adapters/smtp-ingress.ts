import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@sotamail/logging';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { BoundedContent } from '../domain/bounded-content.js';

export type IngressStore = (mail: {
  raw: Buffer;
  envelopeFrom: string | null;
  /** Recipients grouped by the database that owns their domain. */
  recipientsByTenant: Map<string, string[]>;
  sha256: string;
}) => Promise<void>;

export type SmtpIngress = { port: number; close: () => Promise<void> };

/**
 * Groups a transaction's recipients by database. The database of each was found at RCPT (and is
 * remembered on that recipient's own object), so DATA costs no second lookup per recipient; a
 * recipient not seen at RCPT is looked up again.
 */
async function groupByTenant(
  recipients: SMTPServerAddress[],
  tenantAtRcpt: WeakMap<SMTPServerAddress, string>,
  tenantOfDomain: (domain: string) => Promise<string | null>,
): Promise<Map<string, string[]>> {
  const byTenant = new Map<string, string[]>();
  for (const recipient of recipients) {
    const address = recipient.address.toLowerCase();
    const tenantId = tenantAtRcpt.get(recipient) ?? (await tenantOfDomain(address.split('@').pop() ?? ''));
    if (tenantId) {
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), address]);
    }
  }
  return byTenant;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

/**
 * Accepts mail for the alias domains of the databases (R7.4) and answers 250 only once the raw
 * message is committed (R7.3): a crash before that makes the sending MTA retry, never lose it.
 */
export async function startSmtpIngress(options: {
  host: string;
  port: number;
  hostname: string;
  maxBytes: number;
  logger: Logger;
  tenantOfDomain: (domain: string) => Promise<string | null>;
  store: IngressStore;
}): Promise<SmtpIngress> {
  // smtp-server keeps the very address object accepted at RCPT in the envelope: the key of its database.
  const tenantAtRcpt = new WeakMap<SMTPServerAddress, string>();
  const server = new SMTPServer({
    name: options.hostname,
    banner: 'SotaMail ingress',
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    logger: false,
    async onRcptTo(address, _session, callback) {
      const domain = address.address.split('@').pop()?.toLowerCase() ?? '';
      try {
        const tenantId = await options.tenantOfDomain(domain);
        if (!tenantId) {
          callback(
            smtpError(550, `5.1.2 <${address.address}>: this server does not accept mail for ${domain}`),
          );
          return;
        }
        tenantAtRcpt.set(address, tenantId);
        callback();
      } catch (err) {
        options.logger.warn({ err }, 'ingress.lookup_failed');
        callback(smtpError(451, '4.3.0 temporary failure, try again later'));
      }
    },
    onData(stream, session, callback) {
      const content = new BoundedContent(options.maxBytes);
      stream.on('data', (chunk: Buffer) => content.add(chunk));
      stream.on('end', () => {
        const raw = content.content();
        if (!raw || (stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(smtpError(552, `5.3.4 message too big: the limit is ${options.maxBytes} bytes`));
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        // Grouped from the transaction's own recipient list, which smtp-server keeps per transaction.
        groupByTenant(session.envelope.rcptTo, tenantAtRcpt, options.tenantOfDomain)
          .then((recipientsByTenant) => {
            if (recipientsByTenant.size === 0) {
              throw Object.assign(new Error('no recipient of this transaction belongs to a database'), {
                noRecipient: true,
              });
            }
            return options.store({
              raw,
              envelopeFrom: mailFrom ? mailFrom.address : null,
              recipientsByTenant,
              sha256: createHash('sha256').update(raw).digest('hex'),
            });
          })
          .then(
            () => callback(null, '2.0.0 stored'),
            (err: unknown) => {
              if ((err as { noRecipient?: boolean }).noRecipient) {
                callback(smtpError(554, '5.5.1 no valid recipients'));
                return;
              }
              options.logger.error({ err }, 'ingress.store_failed');
              callback(smtpError(451, '4.3.0 could not store the message, try again later'));
            },
          );
      });
    },
  });
  server.on('error', (err) => options.logger.warn({ err }, 'ingress.error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
