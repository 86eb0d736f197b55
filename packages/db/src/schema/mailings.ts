import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { mailingState, traceStatus } from './enums.js';
import { tenants, timestamps } from './tenants.js';
import { contacts } from './threads.js';

/** A mass mailing (R11), sent through the dedicated server when one is set (R5.1). */
export const mailings = pgTable(
  'mailings',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    subject: text().notNull(),
    fromHeader: text().notNull(),
    bodyHtml: text().notNull().default(''),
    state: mailingState().notNull().default('draft'),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [index().on(t.tenantId)],
);

/** One recipient of a mailing: sent, bounced, skipped (blacklisted, opted out) or failed. */
export const mailingTraces = pgTable(
  'mailing_traces',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    mailingId: uuid()
      .notNull()
      .references(() => mailings.id, { onDelete: 'cascade' }),
    contactId: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    email: text().notNull(),
    status: traceStatus().notNull().default('pending'),
    reason: text(),
    outgoingMailId: uuid(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex().on(t.mailingId, t.email),
    index().on(t.mailingId, t.status),
    // A mass mail's outcome updates its trace.
    index().on(t.outgoingMailId),
    // Deleting a contact follows this reference (set null).
    index().on(t.contactId).where(sql`${t.contactId} is not null`),
  ],
);
