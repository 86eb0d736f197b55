import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bounceLink } from './enums.js';
import { rawInboundMessages } from './inbound.js';
import { notifications, outgoingMails } from './outbound.js';
import { tenants } from './tenants.js';
import { contacts } from './threads.js';

/**
 * One bounced recipient read from one bounce mail (or an SMTP-time rejection). Kept even when it links
 * to nothing we sent, for an admin to look at. The unique index makes re-processing a no-op.
 */
export const bounceEvents = pgTable(
  'bounce_events',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    rawInboundId: uuid().references(() => rawInboundMessages.id, { onDelete: 'set null' }),
    /** Where it came from: `dsn:<sha256 of the raw mail>`, or `smtp:<outgoing mail id>` for an SMTP-time rejection. */
    sourceKey: text().notNull(),
    outgoingMailId: uuid().references(() => outgoingMails.id, { onDelete: 'set null' }),
    notificationId: uuid().references(() => notifications.id, { onDelete: 'set null' }),
    contactId: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    email: text().notNull(),
    hard: boolean().notNull(),
    statusCode: text(),
    reason: text().notNull(),
    diagnostic: text(),
    kind: text().notNull(),
    originalMessageId: text(),
    linkedBy: bounceLink().notNull(),
    /**
     * What the bounce did: `bounced` (a failure of a mail we sent: red envelope, counters, blacklist
     * rule), `delayed` (a warning, delivery goes on), `complaint` (a feedback report), `ignored`
     * (unlinked, forged or not a report: kept for an admin, changes nothing).
     */
    outcome: text().notNull().default('bounced'),
    /** The DSN Action (`failed`, `delayed` …) when the report gives one. */
    action: text(),
    /** Why it was linked, or why it changed nothing, for a person. */
    note: text(),
    /** The parsed report as read (kept for an admin when it links to nothing). */
    report: jsonb().$type<Record<string, unknown>>(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.sourceKey, t.email),
    index().on(t.tenantId, t.email, t.occurredAt),
    index().on(t.tenantId, t.linkedBy, t.occurredAt),
    index().on(t.outgoingMailId),
    // Deleting a contact, a notification or stored mail follows these references (set null).
    index().on(t.contactId).where(sql`${t.contactId} is not null`),
    index().on(t.notificationId).where(sql`${t.notificationId} is not null`),
    index().on(t.rawInboundId).where(sql`${t.rawInboundId} is not null`),
  ],
);

/**
 * Addresses excluded from mass mailing (R10.3). Removal keeps the row (active = false) as history;
 * at most one active entry per address.
 */
export const blacklistEntries = pgTable(
  'blacklist_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    active: boolean().notNull().default(true),
    note: text().notNull().default(''),
    source: text().notNull().default('manual'),
    /** Who added it: `operator`, `api-key:<id>`, or `bounce-processor` for the automatic rule. */
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp({ withTimezone: true }),
    removedBy: text(),
    removedNote: text(),
  },
  (t) => [
    uniqueIndex('blacklist_entries_active_email').on(t.tenantId, t.email).where(sql`${t.active}`),
    index().on(t.tenantId, t.email),
  ],
);
