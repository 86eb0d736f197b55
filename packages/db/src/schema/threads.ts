import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { contactPolicy, messageKind } from './enums.js';
import { rawInboundMessages } from './inbound.js';
import { tenants, timestamps } from './tenants.js';

export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Addresses that create records or feed one thread (R8.3). Catchall and bounce are parameters. */
export const aliases = pgTable(
  'aliases',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The local part, stored lower-case: `sales` for sales@<alias domain>. */
    name: text().notNull(),
    /** The model of the records it creates, e.g. `crm.lead`. */
    model: text().notNull(),
    defaults: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** When set, mail to the alias is appended to this thread instead of creating a record. */
    threadId: uuid().references((): AnyPgColumn => threads.id, { onDelete: 'set null' }),
    contactPolicy: contactPolicy().notNull().default('everyone'),
    active: boolean().notNull().default(true),
    ...timestamps,
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.name),
    // Deleting a thread follows this reference (set null): once per thread of a deleted database.
    index().on(t.threadId).where(sql`${t.threadId} is not null`),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    email: text().notNull(),
    /** Lower-cased address used for every lookup (author matching, blacklist, bounces). */
    emailNormalized: text().notNull(),
    /** A user of the ERP (as opposed to an external partner). */
    isUser: boolean().notNull().default(false),
    bounceCount: integer().notNull().default(0),
    lastBounceAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index().on(t.tenantId, t.emailNormalized),
    // The few contacts whose address bounced: a person's reply resets them (R10.2), and the reset of
    // every stored reply reads this rather than every contact with the address.
    index('contacts_bounced_idx').on(t.tenantId, t.emailNormalized).where(sql`${t.bounceCount} > 0`),
  ],
);

/** The chatter of one business document, (model, record id). */
export const threads = pgTable(
  'threads',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    model: text().notNull(),
    recordId: text().notNull(),
    subject: text().notNull().default(''),
    /** The thread's own alias for replies (R6.2); else the catchall. */
    aliasId: uuid().references(() => aliases.id, { onDelete: 'set null' }),
    /** Set on records created by mail to an alias: which alias, and for whom (R9.1 counts these). */
    createdByAliasId: uuid().references((): AnyPgColumn => aliases.id, { onDelete: 'set null' }),
    createdByEmail: text(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.model, t.recordId),
    index().on(t.createdByAliasId, t.createdByEmail, t.createdAt),
    // Deleting an alias follows this reference (set null); only fixed-thread aliases set it.
    index().on(t.aliasId).where(sql`${t.aliasId} is not null`),
  ],
);

export const followers = pgTable(
  'followers',
  {
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.contactId] }), index().on(t.contactId)],
);

/** One post in a thread. (tenant, Message-ID) is unique: a re-delivered mail never posts twice. */
export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    kind: messageKind().notNull(),
    authorContactId: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    authorEmail: text(),
    authorName: text(),
    subject: text().notNull().default(''),
    bodyHtml: text().notNull().default(''),
    bodyText: text().notNull().default(''),
    /** The RFC 5322 Message-ID, without angle brackets. */
    messageId: text().notNull(),
    inReplyTo: text(),
    references: text().array().notNull().default(sql`'{}'::text[]`),
    rawInboundId: uuid().references(() => rawInboundMessages.id, { onDelete: 'set null' }),
    /** Inbound authentication results (SPF/DKIM/DMARC), as read when it arrived. */
    authResults: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.messageId),
    index().on(t.threadId, t.createdAt),
    // Deleting a contact or stored mail (a database's deletion deletes all of them) follows these
    // references (set null): without an index, each deleted row would scan every message.
    index().on(t.authorContactId).where(sql`${t.authorContactId} is not null`),
    index().on(t.rawInboundId).where(sql`${t.rawInboundId} is not null`),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    filename: text().notNull(),
    contentType: text().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    content: bytea().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.messageId)],
);
