import { domainToASCII } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { ComposedMail } from '../domain/compose-mail.js';
import { recipientHeader } from '../domain/recipient-header.js';

/** A message rendered once for all its recipients: everything but the To header. */
export type SharedMessage = Promise<Buffer>;

/**
 * Renders the MIME message every recipient of a post gets (headers, bodies, attachments), without
 * its To header: building MIME is most of what nodemailer spends on a mail, and a post to 100
 * followers would build the same message 100 times.
 */
export function renderShared(mail: Omit<ComposedMail, 'to' | 'envelope'>): SharedMessage {
  return new Promise((resolve, reject) => {
    new MailComposer(mail).compile().build((err, message) => (err ? reject(err) : resolve(message)));
  });
}

/** One recipient's message: its To header in front of the shared rendering. */
export function forRecipient(shared: Buffer, to: { name: string; address: string }): Buffer {
  const at = to.address.lastIndexOf('@');
  const address =
    at > 0
      ? `${to.address.slice(0, at)}@${domainToASCII(to.address.slice(at + 1)) || to.address.slice(at + 1)}`
      : to.address;
  return Buffer.concat([Buffer.from(recipientHeader({ name: to.name, address }), 'utf8'), shared]);
}
