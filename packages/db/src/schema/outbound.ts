import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { mailLane, notificationStatus, outgoingMailState } from './enums.js';
import { mailings } from './mailings.js';
import { outgoingServers } from './servers.js';
import { tenants, timestamps } from './tenants.js';
import { contacts, messages } from './threads.js';

/**
 * One email to one recipient: what the dispatcher sends and records (server, envelope, the SMTP
 * server's reply). `verpToken` is the per-mail token of the envelope sender that ties a bounce back to
 * this row without trusting the bounce's content.
 */
export const outgoingMails = pgTable(
  'outgoing_mails',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    lane: mailLane().notNull(),
    messageId: uuid().references(() => messages.id, { onDelete: 'cascade' }),
    mailingId: uuid().references(() => mailings.id, { onDelete: 'cascade' }),
    recipientEmail: text().notNull(),
    /** The display name of the To header, copied when the mail is created. */
    recipientName: text(),
    recipientContactId: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    state: outgoingMailState().notNull().default('ready'),
    serverId: uuid().references(() => outgoingServers.id, { onDelete: 'set null' }),
    fromHeader: text(),
    envelopeFrom: text(),
    verpToken: text().unique(),
    /** The Message-ID header of the email as sent (one per recipient), without angle brackets. */
    smtpMessageId: text(),
    smtpResponse: text(),
    smtpQueueId: text(),
    failureType: text(),
    failureReason: text(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index().on(t.tenantId, t.state),
    // Also serves lookups by message alone (its leading column): a second index on message_id only
    // cost every stored mail's notifications one more index entry each.
    uniqueIndex().on(t.messageId, t.recipientEmail),
    index().on(t.smtpMessageId),
    // Deleting a contact, a server or a mailing follows these references: without an index, each
    // deleted row would scan every mail ever sent.
    index().on(t.recipientContactId).where(sql`${t.recipientContactId} is not null`),
    index().on(t.serverId).where(sql`${t.serverId} is not null`),
    index().on(t.mailingId).where(sql`${t.mailingId} is not null`),
    // The dispatcher's sweeps, every few seconds: due deferred mail, and mail waiting to be sent whose
    // job may be lost. Partial, so they hold only those mails, not every mail ever sent.
    index('outgoing_mails_deferred_due_idx').on(t.nextAttemptAt).where(sql`${t.state} = 'deferred'`),
    index('outgoing_mails_waiting_idx').on(t.updatedAt).where(sql`${t.state} in ('ready', 'sending')`),
  ],
);

/** The chatter-facing delivery state of one message for one recipient (R6.1, R6.3). */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    contactId: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    email: text().notNull(),
    outgoingMailId: uuid().references(() => outgoingMails.id, { onDelete: 'set null' }),
    status: notificationStatus().notNull().default('ready'),
    failureType: text(),
    failureReason: text(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex().on(t.messageId, t.email),
    index().on(t.tenantId, t.status),
    // Every send, failure and bounce updates the notification of its mail.
    index().on(t.outgoingMailId),
    // Deleting a contact follows this reference (set null).
    index().on(t.contactId).where(sql`${t.contactId} is not null`),
  ],
);
